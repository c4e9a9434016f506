using System.Runtime.InteropServices;

namespace DenseNetGen.Backends.Simd;

/// <summary>Zeroed, 64-byte-aligned native floats, freed on dispose: packed weights, activations and scratch.</summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public const int Alignment = 64;

    public NativeBuffer(long floats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(floats);
        Length = floats;
        Pointer = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, floats) * sizeof(float), Alignment);
        NativeMemory.Clear(Pointer, (nuint)Math.Max(1, floats) * sizeof(float));
    }

    public float* Pointer { get; private set; }

    public long Length { get; }

    public long Bytes => Length * sizeof(float);

    public Span<float> AsSpan() => new(Pointer, checked((int)Length));

    /// <summary>Copies <paramref name="values"/> into a new buffer of <paramref name="floats"/> (the rest zero).</summary>
    public static NativeBuffer From(ReadOnlySpan<float> values, long floats)
    {
        var buffer = new NativeBuffer(floats);
        values.CopyTo(new Span<float>(buffer.Pointer, values.Length));
        return buffer;
    }

    public void Dispose()
    {
        if (Pointer is null) return;
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
