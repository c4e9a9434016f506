namespace DenseNetGen.Preprocessing;

/// <summary>An 8-bit image in host memory: rows top to bottom, pixels interleaved (HWC).</summary>
public sealed class DecodedImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    /// <param name="width">Columns, positive.</param>
    /// <param name="height">Rows, positive.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    /// <param name="pixels">width × height × channels bytes, HWC; the image keeps this array.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the channel count is neither 1 nor 3.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> has another length.</exception>
    public DecodedImage(int width, int height, int channels, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} must be positive.");
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"Images have 1 (gray) or 3 (RGB) channels, not {channels}.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"A {width}x{height}x{channels} image needs {(long)width * height * channels} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Columns in pixels.</summary>
    public int Width { get; }

    /// <summary>Rows in pixels.</summary>
    public int Height { get; }

    /// <summary>1 = gray, 3 = RGB (in that order).</summary>
    public int Channels { get; }

    /// <summary>Height * Width * Channels bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>
    /// The same image with <paramref name="channels"/> channels: gray is replicated to RGB; RGB
    /// becomes gray by ITU-R 601 luma in OpenCV's fixed point (cv2.cvtColor RGB2GRAY), which is
    /// exact for images whose channels are equal.
    /// </summary>
    /// <remarks>
    /// This is decode-then-convert, like cv2.cvtColor after cv2.imread(IMREAD_COLOR). OpenCV's
    /// own cv2.imread(IMREAD_GRAYSCALE) of a colour file differs: libpng's weights give +-1 on
    /// about half the pixels of a colour PNG, and libjpeg returns the stored luma plane, which
    /// differs near saturated colour edges (up to ~40 levels measured). True-gray files agree.
    /// </remarks>
    public DecodedImage ToChannels(int channels)
    {
        if (channels == Channels) return this;
        var count = Width * Height;
        var result = new byte[count * channels];
        if (channels == 3)
        {
            for (int i = 0; i < count; i++)
                result[3 * i] = result[3 * i + 1] = result[3 * i + 2] = Pixels[i];
        }
        else if (channels == 1)
        {
            for (int i = 0; i < count; i++)
                result[i] = Luma(Pixels[3 * i], Pixels[3 * i + 1], Pixels[3 * i + 2]);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(channels), $"Images have 1 (gray) or 3 (RGB) channels, not {channels}.");
        }
        return new DecodedImage(Width, Height, channels, result);
    }

    // OpenCV's 14-bit weights for 0.299, 0.587, 0.114; they sum to 2^14 so gray stays gray.
    private static byte Luma(byte r, byte g, byte b) => (byte)((r * 4899 + g * 9617 + b * 1868 + (1 << 13)) >> 14);

    /// <summary>The size as "WxHxC", e.g. "224x224x3".</summary>
    public override string ToString() => $"{Width}x{Height}x{Channels}";
}
