using SkiaSharp;

namespace DenseNetGen.Preprocessing;

/// <summary>
/// Decodes JPEG, PNG, BMP, WebP (and the other formats Skia knows) into 8-bit RGB or gray pixels,
/// the way mmcv's LoadImageFromFile reads them with OpenCV: alpha is dropped (not blended), no
/// colour-profile conversion, and the EXIF orientation is applied as cv2.IMREAD_COLOR does.
/// </summary>
/// <remarks>
/// Decompression bombs are refused from the header, before any pixel is decoded: an image may declare at most
/// <see cref="MaxPixels"/> pixels (width × height). Decoding needs about 10 bytes per pixel at its peak.
/// Every failure is an <see cref="ImageDecodeException"/> naming the image.
/// </remarks>
public static class ImageDecoder
{
    /// <summary>The pixel cap when neither <see cref="MaxPixels"/> nor DENSENET_MAX_IMAGE_PIXELS sets one: 100 megapixels.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The environment variable that sets the process-wide pixel cap (a positive integer).</summary>
    public const string MaxPixelsVariable = "DENSENET_MAX_IMAGE_PIXELS";

    private static long s_maxPixels; // 0: not set in code, so DENSENET_MAX_IMAGE_PIXELS or the default applies

    /// <summary>
    /// The process-wide pixel cap used when a call passes none: set here, else DENSENET_MAX_IMAGE_PIXELS, else
    /// <see cref="DefaultMaxPixels"/>.
    /// </summary>
    /// <exception cref="ArgumentException">DENSENET_MAX_IMAGE_PIXELS is set but is not a positive integer.</exception>
    public static long MaxPixels
    {
        get => Volatile.Read(ref s_maxPixels) is > 0 and var set ? set
            : Environment.GetEnvironmentVariable(MaxPixelsVariable) is { } text ? ParseMaxPixels(text, MaxPixelsVariable)
            : DefaultMaxPixels;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxPixels, value);
        }
    }

    /// <summary>Parses a pixel cap as users type it (a positive integer; '_' and ',' separators allowed).</summary>
    /// <param name="text">The number typed, e.g. "100_000_000".</param>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_MAX_IMAGE_PIXELS").</param>
    /// <exception cref="ArgumentException">Not a positive integer.</exception>
    public static long ParseMaxPixels(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        var digits = text.Trim().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1)
            throw new ArgumentException($"{origin}: '{text}' is not a pixel count; expected a positive integer such as {DefaultMaxPixels}.");
        return value;
    }

    /// <summary>Decodes the file at <paramref name="path"/> to <paramref name="channels"/> (1 or 3) channels.</summary>
    /// <param name="path">The image file; only this file is read.</param>
    /// <param name="channels">1 for gray (OpenCV's luma weights), 3 for RGB.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable, not an image, or larger than the cap.</exception>
    public static DecodedImage Decode(string path, int channels = 3, long? maxPixels = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        return Decode(bytes, channels, path, maxPixels);
    }

    /// <summary>Reads <paramref name="stream"/> to its end and decodes it.</summary>
    /// <param name="stream">The encoded image; read from its position to its end, not disposed.</param>
    /// <param name="channels">1 for gray, 3 for RGB.</param>
    /// <param name="sourceName">Names the image in error messages.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <exception cref="ImageDecodeException">The stream fails, or holds no image, or one larger than the cap.</exception>
    public static DecodedImage Decode(Stream stream, int channels = 3, string sourceName = "stream", long? maxPixels = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException e)
        {
            throw new ImageDecodeException(sourceName, e.Message, e);
        }
        return Decode(buffer.ToArray(), channels, sourceName, maxPixels);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="encoded">The file's bytes (PNG, JPEG, WebP, BMP, GIF, ...).</param>
    /// <param name="channels">1 for gray, 3 for RGB.</param>
    /// <param name="sourceName">Names the image in error messages.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <exception cref="ImageDecodeException">Not an image, or one larger than the cap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is neither 1 nor 3, or the cap is not positive.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, int channels = 3, string sourceName = "buffer", long? maxPixels = null)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"Images decode to 1 (gray) or 3 (RGB) channels, not {channels}.");
        if (maxPixels is < 1) throw new ArgumentOutOfRangeException(nameof(maxPixels), maxPixels, "The pixel cap must be positive.");
        long cap = maxPixels ?? MaxPixels;
        if (encoded.IsEmpty)
            throw new ImageDecodeException(sourceName, "it is empty.");

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(sourceName, "not a recognised image format (JPEG, PNG, BMP, WebP, GIF, ICO).");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(sourceName, $"it declares an empty size {width}x{height}.");
        // SKCodec.Create has read only the header; nothing is allocated for pixels before this check.
        if ((long)width * height > cap)
            throw new ImageDecodeException(sourceName,
                $"it declares {width}x{height} = {(long)width * height:N0} pixels, more than the cap of {cap:N0} " +
                $"(raise it with {MaxPixelsVariable} or ImageDecoder.MaxPixels if the image is genuine).");

        // Past the cap's check, the size is the user's choice; what .NET cannot hold is still a clean refusal.
        if ((long)width * height * 4 > Array.MaxLength)
            throw new ImageDecodeException(sourceName, $"it declares {width}x{height} pixels, more than one buffer can hold.");
        var rgba = new byte[width * height * 4];
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKCodecResult result;
        unsafe
        {
            fixed (byte* pixels = rgba)
                result = codec.GetPixels(info, (IntPtr)pixels);
        }
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException(sourceName, $"decoding failed ({result}).");

        var rgb = DropAlpha(rgba, width * height);
        var image = ExifOrientation.Apply(new DecodedImage(width, height, 3, rgb), codec.EncodedOrigin);
        return image.ToChannels(channels);
    }

    private static byte[] DropAlpha(byte[] rgba, int pixelCount)
    {
        var rgb = new byte[pixelCount * 3];
        for (int i = 0; i < pixelCount; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }
        return rgb;
    }
}
