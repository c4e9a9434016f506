using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// Zeroed floats on the pinned object heap with a 64-byte aligned start: kernels keep raw pointers into it, which stay
/// valid as long as this object is reachable. No Dispose: the GC frees it.
/// </summary>
internal sealed unsafe class PinnedFloats
{
    private const int AlignFloats = 16;
    private readonly float[] _array;
    private readonly int _start;

    public PinnedFloats(long length)
    {
        if (length < 0 || length > Array.MaxLength - AlignFloats)
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} floats do not fit one array.");
        _array = GC.AllocateArray<float>((int)length + AlignFloats, pinned: true);
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _start = (int)((64 - address % 64) % 64 / sizeof(float));
        Length = (int)length;
    }

    public int Length { get; }

    public float* Pointer => (float*)Unsafe.AsPointer(ref _array[_start]);

    public Span<float> Span => _array.AsSpan(_start, Length);

    /// <summary>This thread's scratch of at least <paramref name="length"/> floats, reused by every op the thread runs.</summary>
    public static float* ThreadScratch(long length)
    {
        if (t_scratch is null || t_scratch.Length < length) t_scratch = new PinnedFloats(length);
        return t_scratch.Pointer;
    }

    [ThreadStatic] private static PinnedFloats? t_scratch;
}
