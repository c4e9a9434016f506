using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>
/// Four floats that a kernel keeps in registers: one channel's accumulators over a pixel tile, or
/// the pixel tile's inputs. A struct with inlined members rather than sixteen named locals per kernel.
/// </summary>
internal struct Quad
{
    public float A, B, C, D;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MultiplyAdd(float w, Quad x)
    {
        A += w * x.A;
        B += w * x.B;
        C += w * x.C;
        D += w * x.D;
    }

    /// <summary>The window one pixel to the right: lanes B, C, D, then <paramref name="next"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Quad Shift(float next) => new() { A = B, B = C, C = D, D = next };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Get(int lane) => lane == 0 ? A : lane == 1 ? B : lane == 2 ? C : D;
}
