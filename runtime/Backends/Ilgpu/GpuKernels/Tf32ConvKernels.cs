using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Backends.Ilgpu.GpuKernels;

/// <summary>
/// The tiled conv of <see cref="TiledConvKernels"/> on TF32 tensor cores (inline PTX
/// <c>mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32</c>). Staging, tiles and epilogue are the FP32 kernel's;
/// operands are rounded to TF32 (cvt.rna) as they are staged, sums stay FP32. On ILGPU's CPU accelerator the
/// rounding and the mma are emulated (<see cref="Tf32.Round"/>, <see cref="EmulatedMma"/>), so the kernel can be
/// checked without a GPU; <see cref="CudaAsm.IsSupported"/> is a constant per backend, so the PTX holds only the
/// instructions. Never loaded on OpenCL.
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

    public static void Conv(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials,
        TiledConvGeometry g)
    {
        var weightSlices = SharedMemory.Allocate<float>(2 * TiledConvKernels.SliceFloats);
        var inputSlices = SharedMemory.Allocate<float>(2 * TiledConvKernels.SliceFloats);
        var tile = TiledConvKernels.TileOf(g);
        var stage = Staging.Begin(g, tile);
        int warp = Group.IdxX >> 5, lane = Group.IdxX & 31;
        int gq = lane >> 2, q = lane & 3;
        int channel = (warp >> 1) * 16 + gq, pixel = (warp & 1) * 32 + gq;

        Fragment d0 = default, d1 = default, d2 = default, d3 = default;
        stage.Load(source, weights, scale, shift, g, tile.KBegin);
        stage.Store(weightSlices, inputSlices, 0, convertToTf32: true);
        Group.Barrier();
        int buffer = 0;
        for (int k0 = tile.KBegin; k0 < tile.KEnd; k0 += TiledConvKernels.Depth)
        {
            bool more = k0 + TiledConvKernels.Depth < tile.KEnd;
            if (more)
                stage.Load(source, weights, scale, shift, g, k0 + TiledConvKernels.Depth);
            int slice = buffer * TiledConvKernels.SliceFloats;
            Step(weightSlices, inputSlices, slice + q * 64, channel, pixel, ref d0, ref d1, ref d2, ref d3);
            Step(weightSlices, inputSlices, slice + (q + 8) * 64, channel, pixel, ref d0, ref d1, ref d2, ref d3);
            if (more)
                stage.Store(weightSlices, inputSlices, buffer ^ 1, convertToTf32: true);
            Group.Barrier();
            buffer ^= 1;
        }

        int co = tile.Channel + channel, p = tile.Pixel + pixel - gq + 2 * q;
        StoreFragment(destination, partials, bias, g, tile.Split, co, p, d0);
        StoreFragment(destination, partials, bias, g, tile.Split, co, p + 8, d1);
        StoreFragment(destination, partials, bias, g, tile.Split, co, p + 16, d2);
        StoreFragment(destination, partials, bias, g, tile.Split, co, p + 24, d3);
    }

    /// <summary>One m16n8 tile's accumulators in a lane: c0..c3 of the fragment layout.</summary>
    private struct Fragment
    {
        public float C0, C1, C2, C3;
    }

    /// <summary>One k8 step: rows <paramref name="row"/> (lane's q) and +4 of the slices, four n8 tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ArrayView<float> weightSlices, ArrayView<float> inputSlices, int row, int channel, int pixel,
        ref Fragment d0, ref Fragment d1, ref Fragment d2, ref Fragment d3)
    {
        const int four = 4 * 64;
        uint a0 = Interop.FloatAsInt(weightSlices[row + channel]);
        uint a1 = Interop.FloatAsInt(weightSlices[row + channel + 8]);
        uint a2 = Interop.FloatAsInt(weightSlices[row + four + channel]);
        uint a3 = Interop.FloatAsInt(weightSlices[row + four + channel + 8]);
        Mma(ref d0, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel]), Interop.FloatAsInt(inputSlices[row + four + pixel]));
        Mma(ref d1, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 8]), Interop.FloatAsInt(inputSlices[row + four + pixel + 8]));
        Mma(ref d2, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 16]), Interop.FloatAsInt(inputSlices[row + four + pixel + 16]));
        Mma(ref d3, a0, a1, a2, a3, Interop.FloatAsInt(inputSlices[row + pixel + 24]), Interop.FloatAsInt(inputSlices[row + four + pixel + 24]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mma(ref Fragment d, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        if (!CudaAsm.IsSupported)
        {
            EmulatedMma(ref d, a0, a1, a2, a3, b0, b1);
            return;
        }
        Ref<float> c0 = d.C0, c1 = d.C1, c2 = d.C2, c3 = d.C3;
        Input<uint> x0 = a0, x1 = a1, x2 = a2, x3 = a3, y0 = b0, y1 = b1;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};",
            ref c0, ref c1, ref c2, ref c3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1);
        d.C0 = c0.Value;
        d.C1 = c1.Value;
        d.C2 = c2.Value;
        d.C3 = c3.Value;
    }

    /// <summary>
    /// The warp's mma.m16n8k8 computed from the fragments alone, as the tensor cores see them, for ILGPU's CPU
    /// accelerator (the check of this kernel without a GPU; its warps are 32 lanes too, which
    /// <see cref="GpuKernelSet"/> requires). Per the fragment layout lane (g, q) holds A[g][k], A[g+8][k],
    /// A[g][k+4], A[g+8][k+4] for k = q and B[k][n], B[k+4][n] for n = g, so the lane that owns D[g][2q..2q+1] and
    /// D[g+8][2q..2q+1] reads rows g and g+8 of A from lanes 4g + k and columns 2q and 2q+1 of B from lanes
    /// 8q + k and 8q + 4 + k, k = 0..3. A wrong index anywhere in the kernel's fragment handling therefore gives
    /// wrong sums here as it would on a GPU. Sums are fp32, k and k + 4 per step: products of TF32 operands are
    /// exact in fp32, and the order the tensor cores add in is unspecified.
    /// </summary>
    private static void EmulatedMma(ref Fragment d, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        int lane = Warp.LaneIdx;
        int g = lane >> 2, q = lane & 3;
        var rows = new RowFragment(Interop.IntAsFloat(a0), Interop.IntAsFloat(a1), Interop.IntAsFloat(a2), Interop.IntAsFloat(a3));
        var column = new ColumnFragment(Interop.IntAsFloat(b0), Interop.IntAsFloat(b1));
        for (int k = 0; k < 4; k++)
        {
            var a = Warp.Shuffle(rows, 4 * g + k);
            var even = Warp.Shuffle(column, 8 * q + k);
            var odd = Warp.Shuffle(column, 8 * q + 4 + k);
            d.C0 = d.C0 + a.Top * even.Top + a.TopHigh * even.High;
            d.C1 = d.C1 + a.Top * odd.Top + a.TopHigh * odd.High;
            d.C2 = d.C2 + a.Bottom * even.Top + a.BottomHigh * even.High;
            d.C3 = d.C3 + a.Bottom * odd.Top + a.BottomHigh * odd.High;
        }
    }

    /// <summary>A lane's A fragment as values: A[g][q], A[g+8][q], A[g][q+4], A[g+8][q+4].</summary>
    private readonly record struct RowFragment(float Top, float Bottom, float TopHigh, float BottomHigh);

    /// <summary>A lane's B fragment as values: B[q][g], B[q+4][g].</summary>
    private readonly record struct ColumnFragment(float Top, float High);

    /// <summary>c0, c1 at channel co, pixels p, p + 1; c2, c3 at channel co + 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFragment(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, Fragment d)
    {
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co, p, d.C0);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co, p + 1, d.C1);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co + 8, p, d.C2);
        TiledConvKernels.StoreOne(destination, partials, bias, g, split, co + 8, p + 1, d.C3);
    }
}
