using System.Runtime.CompilerServices;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// The tiled conv of <see cref="TiledConvKernels"/> on TF32 tensor cores (mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32).
/// Staging, tiles and epilogue are the FP32 kernel's; operands are rounded to TF32 (cvt.rna) as they are staged,
/// sums stay FP32. The arithmetic is the kernel's type argument: <see cref="TensorCores"/> on CUDA,
/// <see cref="EmulatedTensorCores"/> on ILGPU's CPU accelerator (so the kernel can be checked without a GPU);
/// never loaded on OpenCL.
/// </summary>
/// <remarks>
/// Warp w of the group's 8 computes output channels 16·(w / 2) .. +15 × pixels 32·(w % 2) .. +31 as four
/// m16n8 tiles, two k8 steps per K step. Fragment layout (PTX ISA, "Matrix fragments for mma.m16n8k8" with
/// .tf32), lane = 4·g + q: A (16×8, row-major, here W[k][co] read as A[co][k]) a0 = A[g][q], a1 = A[g+8][q],
/// a2 = A[g][q+4], a3 = A[g+8][q+4]; B (8×8, column-major, X[k][p]) b0 = B[q][g], b1 = B[q+4][g];
/// C/D c0, c1 = C[g][2q, 2q+1], c2, c3 = C[g+8][2q, 2q+1].
/// </remarks>
internal static class Tf32ConvKernels
{
    /// <summary>Lanes of the warp one mma.m16n8k8 spans; the fragment layout assumes exactly this many.</summary>
    public const int WarpSize = 32;

    /// <typeparam name="TArithmetic">The rounding and mma: the instructions, or their emulation.</typeparam>
    public static void Conv<TArithmetic>(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials,
        ArrayView<int> arrivals, TiledConvGeometry g)
        where TArithmetic : struct, ITf32Arithmetic
    {
        var weightSlices = SharedMemory.Allocate<float>(2 * TiledConvKernels.SliceFloats);
        var inputSlices = SharedMemory.Allocate<float>(2 * TiledConvKernels.SliceFloats);
        var tile = TiledConvKernels.TileOf(g);
        var stage = Staging.Begin(g, tile);
        int warp = Group.IdxX >> 5, lane = Group.IdxX & 31;
        int gq = lane >> 2, q = lane & 3;
        int channel = (warp >> 1) * 16 + gq, pixel = (warp & 1) * 32 + gq;

        Tf32Fragment d0 = default, d1 = default, d2 = default, d3 = default;
        stage.Load(source, weights, scale, shift, g, tile.KBegin);
        stage.Store<TArithmetic>(weightSlices, inputSlices, 0);
        Group.Barrier();
        int buffer = 0;
        for (int k0 = tile.KBegin; k0 < tile.KEnd; k0 += TiledConvKernels.Depth)
        {
            bool more = k0 + TiledConvKernels.Depth < tile.KEnd;
            if (more)
                stage.Load(source, weights, scale, shift, g, k0 + TiledConvKernels.Depth);
            int slice = buffer * TiledConvKernels.SliceFloats;
            Step<TArithmetic>(weightSlices, inputSlices, slice + q * 64, channel, pixel, ref d0, ref d1, ref d2, ref d3);
            Step<TArithmetic>(weightSlices, inputSlices, slice + (q + 8) * 64, channel, pixel, ref d0, ref d1, ref d2, ref d3);
            if (more)
                stage.Store<TArithmetic>(weightSlices, inputSlices, buffer ^ 1);
            Group.Barrier();
            buffer ^= 1;
        }

        int co = tile.Channel + channel, p = tile.Pixel + pixel - gq + 2 * q;
        StoreFragments(destination, partials, bias, g, tile.Split, co, p, d0, d1, d2, d3, reduce: false);
        if (TiledConvKernels.ArrivesLast(arrivals, g))
            StoreFragments(destination, partials, bias, g, tile.Split, co, p, d0, d1, d2, d3, reduce: true);
    }

    /// <summary>One k8 step: rows <paramref name="row"/> (lane's q) and +4 of the slices, four n8 tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TArithmetic>(ArrayView<float> weightSlices, ArrayView<float> inputSlices, int row, int channel, int pixel,
        ref Tf32Fragment d0, ref Tf32Fragment d1, ref Tf32Fragment d2, ref Tf32Fragment d3)
        where TArithmetic : struct, ITf32Arithmetic
    {
        var tensorCores = default(TArithmetic);
        const int four = 4 * 64;
        uint a0 = Interop.FloatAsInt(weightSlices[row + channel]);
        uint a1 = Interop.FloatAsInt(weightSlices[row + channel + 8]);
        uint a2 = Interop.FloatAsInt(weightSlices[row + four + channel]);
        uint a3 = Interop.FloatAsInt(weightSlices[row + four + channel + 8]);
        tensorCores.Mma(ref d0, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel]), Interop.FloatAsInt(inputSlices[row + four + pixel]));
        tensorCores.Mma(ref d1, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 8]), Interop.FloatAsInt(inputSlices[row + four + pixel + 8]));
        tensorCores.Mma(ref d2, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 16]), Interop.FloatAsInt(inputSlices[row + four + pixel + 16]));
        tensorCores.Mma(ref d3, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 24]), Interop.FloatAsInt(inputSlices[row + four + pixel + 24]));
    }

    /// <summary>The lane's four n8 tiles, 8 pixels apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFragments(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, Tf32Fragment d0, Tf32Fragment d1, Tf32Fragment d2, Tf32Fragment d3, bool reduce)
    {
        StoreFragment(destination, partials, bias, g, split, co, p, d0, reduce);
        StoreFragment(destination, partials, bias, g, split, co, p + 8, d1, reduce);
        StoreFragment(destination, partials, bias, g, split, co, p + 16, d2, reduce);
        StoreFragment(destination, partials, bias, g, split, co, p + 24, d3, reduce);
    }

    /// <summary>c0, c1 at channel co, pixels p, p + 1; c2, c3 at channel co + 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFragment(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, Tf32Fragment d, bool reduce)
    {
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co, p, d.C0, reduce);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co, p + 1, d.C1, reduce);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co + 8, p, d.C2, reduce);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co + 8, p + 1, d.C3, reduce);
    }
}
