using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// A pinned NCHW16c test buffer: channels a kernel must not write hold a sentinel (1000 + channel), lanes past the
/// capacity hold 0, as the layout's invariant requires.
/// </summary>
internal sealed unsafe class BlockedBuffer
{
    private readonly PinnedFloats _data;

    public BlockedBuffer(int batch, int channels, int height, int width)
    {
        (Batch, Capacity, Height, Width) = (batch, channels, height, width);
        _data = new PinnedFloats(Blocked.Length(batch, channels, height, width));
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < height * width; i++)
                    _data.Span[Index(n, c, i)] = Sentinel(c);
    }

    public int Batch { get; }
    public int Capacity { get; }
    public int Height { get; }
    public int Width { get; }
    public float* Pointer => _data.Pointer;

    public static float Sentinel(int channel) => 1000 + channel;

    /// <summary>A buffer holding an NCHW tensor's channels at [offset, offset + its channels).</summary>
    public static BlockedBuffer From(Tensor nchw, int channels, int offset)
    {
        var s = nchw.Shape;
        var buffer = new BlockedBuffer(s[0], channels, s[2], s[3]);
        for (int n = 0; n < s[0]; n++)
            for (int c = 0; c < s[1]; c++)
                for (int i = 0; i < s[2] * s[3]; i++)
                    buffer._data.Span[buffer.Index(n, offset + c, i)] = nchw.Data[((n * s[1]) + c) * s[2] * s[3] + i];
        return buffer;
    }

    /// <summary>Channels [offset, offset + count) as NCHW.</summary>
    public float[] Channels(int offset, int count)
    {
        var result = new float[Batch * count * Height * Width];
        for (int n = 0; n < Batch; n++)
            for (int c = 0; c < count; c++)
                for (int i = 0; i < Height * Width; i++)
                    result[(n * count + c) * Height * Width + i] = _data.Span[Index(n, offset + c, i)];
        return result;
    }

    /// <summary>Asserts channels outside [offset, offset + count) still hold the sentinel and lanes past the capacity 0.</summary>
    public void AssertUntouchedOutside(int offset, int count)
    {
        for (int n = 0; n < Batch; n++)
            for (int c = 0; c < Blocked.Round(Capacity); c++)
            {
                if (c >= offset && c < offset + count) continue;
                float expected = c < Capacity ? Sentinel(c) : 0f;
                for (int i = 0; i < Height * Width; i++)
                    Assert.True(_data.Span[Index(n, c, i)] == expected, $"Channel {c} of image {n} was written at pixel {i}.");
            }
    }

    /// <summary>
    /// Sets every lane outside channels [offset, offset + count), the lanes past the capacity included, to ±float.MaxValue:
    /// finite values of no meaning, as the layout allows, but as large as they come, so a kernel that lets one reach an
    /// output (or overflow to infinity, which times a zero weight is NaN) fails.
    /// </summary>
    public void PoisonOutside(int offset, int count)
    {
        for (int n = 0; n < Batch; n++)
            for (int c = 0; c < Blocked.Round(Capacity); c++)
            {
                if (c >= offset && c < offset + count) continue;
                for (int i = 0; i < Height * Width; i++)
                    _data.Span[Index(n, c, i)] = (c + i) % 2 == 0 ? float.MaxValue : -float.MaxValue;
            }
    }

    private int Index(int n, int c, int pixel) =>
        ((n * Blocked.Blocks(Capacity) + c / Blocked.Lanes) * Height * Width + pixel) * Blocked.Lanes + c % Blocked.Lanes;
}
