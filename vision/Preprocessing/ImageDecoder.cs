using SkiaSharp;

namespace DenseNetGen.Preprocessing;

/// <summary>
/// Decodes JPEG, PNG, BMP, WebP (and the other formats Skia knows) into 8-bit RGB or gray pixels,
/// the way mmcv's LoadImageFromFile reads them with OpenCV: alpha is dropped (not blended), no
/// colour-profile conversion, and the EXIF orientation is applied as cv2.IMREAD_COLOR does.
/// </summary>
/// <remarks>
/// Decompression bombs are refused from the header, before any pixel is decoded: an image may declare at most
/// <see cref="MaxPixels"/> pixels (width × height), and, when the caller resizes, make at most as many after the
/// resize. Decoding needs about 10 bytes per pixel at its peak. Files are read only when regular and at most
/// <see cref="MaxFileBytes"/> long.
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
    /// The process-wide pixel cap used when a call passes none: set here, else DENSENET_MAX_IMAGE_PIXELS, else (unset
    /// or blank, as every DENSENET_* setting) <see cref="DefaultMaxPixels"/>.
    /// </summary>
    /// <exception cref="ArgumentException">DENSENET_MAX_IMAGE_PIXELS is set but is not a positive integer.</exception>
    public static long MaxPixels
    {
        get => Volatile.Read(ref s_maxPixels) is > 0 and var set ? set
            : MaxPixelsSetting is { } text ? ParseMaxPixels(text, MaxPixelsVariable)
            : DefaultMaxPixels;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxPixels, value);
        }
    }

    /// <summary>DENSENET_MAX_IMAGE_PIXELS as typed, or null when it is unset or blank.</summary>
    internal static string? MaxPixelsSetting => Backends.SettingParser.Read(MaxPixelsVariable);

    /// <summary>Parses a pixel cap as users type it (a positive integer; '_' and ',' separators allowed).</summary>
    /// <param name="text">The number typed, e.g. "100_000_000".</param>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_MAX_IMAGE_PIXELS").</param>
    /// <exception cref="ArgumentException">Not a positive integer.</exception>
    public static long ParseMaxPixels(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Backends.SettingParser.Amount(origin, text, "pixel count", DefaultMaxPixels);
    }

    /// <summary>
    /// The largest image file read under a pixel cap: 8 bytes per pixel (a 16-bit RGBA PNG stored uncompressed) plus
    /// 1 MiB of metadata, at most what one array holds. The size is checked before the file is opened for reading.
    /// </summary>
    /// <param name="maxPixels">The pixel cap the file's image is decoded under.</param>
    public static long MaxFileBytes(long maxPixels) => Math.Min(Array.MaxLength, 8 * Math.Min(maxPixels, Array.MaxLength) + (1 << 20));

    /// <summary>
    /// Decodes the file at <paramref name="path"/> to <paramref name="channels"/> (1 or 3) channels. Only a regular file
    /// (or a link to one) is read, and only when it is at most <see cref="MaxFileBytes"/> long.
    /// </summary>
    /// <param name="path">The image file; only this file is read.</param>
    /// <param name="channels">1 for gray (OpenCV's luma weights), 3 for RGB.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <param name="resizeShortEdge">When positive, the image is also refused from its header when resizing its short edge to this would make more pixels than the cap.</param>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable, not a regular file, not an image, or larger than the cap.</exception>
    public static DecodedImage Decode(string path, int channels = 3, long? maxPixels = null, int resizeShortEdge = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        // The file's length is charged before its buffer exists (in a batch's DecodeBudget lease).
        var bytes = IO.InputFile.ReadAll(path, MaxFileBytes(maxPixels ?? MaxPixels), reason => new ImageDecodeException(path, $"it {reason}."), DecodeBudget.Charge);
        return Decode(bytes, channels, path, maxPixels, resizeShortEdge);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end and decodes it. At most <see cref="MaxFileBytes"/> are read: a
    /// longer stream (a request body that never ends) is refused as soon as it passes the cap.
    /// </summary>
    /// <param name="stream">The encoded image; read from its position to its end, not disposed.</param>
    /// <param name="channels">1 for gray, 3 for RGB.</param>
    /// <param name="sourceName">Names the image in error messages.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <param name="resizeShortEdge">As for the file overload.</param>
    /// <exception cref="ImageDecodeException">The stream fails, is too long, or holds no image, or one larger than the cap.</exception>
    public static DecodedImage Decode(Stream stream, int channels = 3, string sourceName = "stream", long? maxPixels = null, int resizeShortEdge = 0)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var limit = MaxFileBytes(maxPixels ?? MaxPixels);
        using var buffer = new MemoryStream();
        try
        {
            var chunk = new byte[81920];
            for (int read; (read = stream.Read(chunk)) > 0;)
            {
                if (buffer.Length + read > limit)
                    throw new ImageDecodeException(sourceName, $"it is more than {limit:N0} bytes, the most an image under the pixel cap may be.");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException e)
        {
            throw new ImageDecodeException(sourceName, e.Message, e);
        }
        return Decode(buffer.ToArray(), channels, sourceName, maxPixels, resizeShortEdge);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="encoded">The file's bytes (PNG, JPEG, WebP, BMP, GIF, ...).</param>
    /// <param name="channels">1 for gray, 3 for RGB.</param>
    /// <param name="sourceName">Names the image in error messages.</param>
    /// <param name="maxPixels">The pixel cap for this call (default: <see cref="MaxPixels"/>).</param>
    /// <param name="resizeShortEdge">As for the file overload.</param>
    /// <exception cref="ImageDecodeException">Not an image, or one larger than the cap (before or after the resize).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is neither 1 nor 3, or the cap is not positive.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, int channels = 3, string sourceName = "buffer", long? maxPixels = null, int resizeShortEdge = 0)
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
        if (resizeShortEdge > 0) CheckResizedSize(width, height, resizeShortEdge, cap, sourceName);

        // Past the cap's check, the size is the user's choice; what .NET cannot hold is still a clean refusal.
        if ((long)width * height * 4 > Array.MaxLength)
            throw new ImageDecodeException(sourceName, $"it declares {width}x{height} pixels, more than one buffer can hold.");
        // What decoding makes, charged from the header before it exists (in a batch's DecodeBudget lease): Skia's copy
        // of the file, RGBA, RGB, a rotated copy when the EXIF orientation asks for one, and gray.
        long pixelCount = (long)width * height;
        DecodeBudget.Charge(encoded.Length + pixelCount * (4 + 3)
            + (codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? 0 : pixelCount * 3) + (channels == 1 ? pixelCount : 0));
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

    /// <summary>
    /// Refuses an image whose size after "resize the short edge to <paramref name="shortEdge"/>" would exceed
    /// <paramref name="cap"/> pixels: a 100-byte 1x10,000 PNG once became a 256x2,560,000 buffer of 2 GB.
    /// </summary>
    /// <param name="width">The image's width.</param>
    /// <param name="height">The image's height.</param>
    /// <param name="shortEdge">What its short edge is resized to.</param>
    /// <param name="cap">The most pixels the resized image may have.</param>
    /// <param name="sourceName">Names the image in the error.</param>
    /// <exception cref="ImageDecodeException">The resized image would be larger than the cap.</exception>
    public static void CheckResizedSize(int width, int height, int shortEdge, long cap, string sourceName)
    {
        var pixels = ImagePreprocessor.ResizedPixels(width, height, shortEdge);
        if (pixels > cap)
            throw new ImageDecodeException(sourceName,
                $"it is {width}x{height}: resizing its short edge to {shortEdge} would make {pixels:N0} pixels, more than the cap of {cap:N0} " +
                $"(raise it with {MaxPixelsVariable} or ImageDecoder.MaxPixels if the image is genuine).");
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
