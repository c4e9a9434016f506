using SkiaSharp;

namespace DenseNetGen.Preprocessing;

/// <summary>
/// Decodes JPEG, PNG, BMP, WebP (and the other formats Skia knows) into 8-bit RGB or gray pixels,
/// the way mmcv's LoadImageFromFile reads them with OpenCV: alpha is dropped (not blended), no
/// colour-profile conversion, and the EXIF orientation is applied as cv2.IMREAD_COLOR does.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes the file at <paramref name="path"/> to <paramref name="channels"/> (1 or 3) channels.</summary>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable or not an image.</exception>
    public static DecodedImage Decode(string path, int channels = 3)
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
        return Decode(bytes, channels, path);
    }

    /// <summary>Reads <paramref name="stream"/> to its end and decodes it.</summary>
    /// <param name="sourceName">Names the image in error messages.</param>
    public static DecodedImage Decode(Stream stream, int channels = 3, string sourceName = "stream")
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
        return Decode(buffer.ToArray(), channels, sourceName);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="sourceName">Names the image in error messages.</param>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, int channels = 3, string sourceName = "buffer")
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"Images decode to 1 (gray) or 3 (RGB) channels, not {channels}.");
        if (encoded.IsEmpty)
            throw new ImageDecodeException(sourceName, "it is empty.");

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(sourceName, "not a recognised image format (JPEG, PNG, BMP, WebP, GIF, ICO).");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(sourceName, $"it declares an empty size {width}x{height}.");

        var rgba = new byte[checked(width * height * 4)];
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
