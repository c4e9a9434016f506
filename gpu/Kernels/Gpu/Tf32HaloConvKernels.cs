using System.Runtime.CompilerServices;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// The haloed 3x3 conv of <see cref="HaloConvKernels"/> on TF32 tensor cores: the same blocks, staging (operands
/// rounded to TF32 as they are staged), K slices and epilogue; each tap of a step of 8 input channels is one k8 of
/// mma.m16n8k8, its B fragment read straight from the haloed block shifted by the tap. The arithmetic is the
/// kernel's type argument, as for <see cref="Tf32ConvKernels"/>.
/// </summary>
/// <remarks>
/// Warp w computes channels 16·(w % 2) .. +15 of the tile × block pixels 32·(w / 2) .. +31 (numbered as in
/// <see cref="HaloTile.Locate"/>) as four m16n8 tiles. Fragments as in <see cref="Tf32ConvKernels"/>, lane =
/// 4·g + q, with A[co][k] = the staged weight row (c = k, tap) at channel co, and B[k][n] = the staged input of
/// channel k at block pixel n of the n8 tile, shifted by the tap. So lane (g, q) reads the inputs of block pixels
/// 32·(w / 2) + 8j + g (j = 0..3) and owns the sums of pixels 32·(w / 2) + 8j + 2q and +1, which share a block row
/// (Columns is a multiple of 4).
/// </remarks>
internal static class Tf32HaloConvKernels
{
    /// <typeparam name="TArithmetic">The rounding and mma: the instructions, or their emulation.</typeparam>
    public static void Conv<TArithmetic>(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials,
        ArrayView<int> arrivals, TiledConvGeometry g)
        where TArithmetic : struct, ITf32Arithmetic
    {
        var weightSteps = SharedMemory.Allocate<float>(2 * HaloConvKernels.WeightFloats);
        var inputSteps = SharedMemory.Allocate<float>(2 * HaloConvKernels.InputFloats);
        var block = HaloConvKernels.Block.Of(g);
        var h = g.Halo;
        int warp = Group.IdxX >> 5, lane = Group.IdxX & 31;
        int gq = lane >> 2, q = lane & 3;
        int channel = (warp & 1) * 16 + gq, pixels = (warp >> 1) * 32;
        var inputs = new Columns(h.InputAt(pixels + gq), h.InputAt(pixels + 8 + gq), h.InputAt(pixels + 16 + gq), h.InputAt(pixels + 24 + gq));

        Tf32Fragment d0 = default, d1 = default, d2 = default, d3 = default;
        HaloConvKernels.Stage<TArithmetic>(source, weights, scale, shift, g, block, weightSteps, inputSteps, 0, block.ChannelBegin);
        Group.Barrier();
        int buffer = 0;
        for (int c0 = block.ChannelBegin; c0 < block.ChannelEnd; c0 += HaloConvKernels.ChannelStep)
        {
            if (c0 + HaloConvKernels.ChannelStep < block.ChannelEnd)
                HaloConvKernels.Stage<TArithmetic>(source, weights, scale, shift, g, block, weightSteps, inputSteps, buffer ^ 1, c0 + HaloConvKernels.ChannelStep);
            // Lane's A row q (tap 0) and B row q (tap (0, 0)) of this step.
            int weightRow = buffer * HaloConvKernels.WeightFloats + q * 9 * HaloConvKernels.TileChannels + channel;
            int inputRow = buffer * HaloConvKernels.InputFloats + q * h.HaloPixels;
            for (int ky = 0; ky < 3; ky++, weightRow += 3 * HaloConvKernels.TileChannels, inputRow += h.HaloColumns)
            {
                Tap<TArithmetic>(weightSteps, inputSteps, weightRow, inputRow, h.HaloPixels, inputs, ref d0, ref d1, ref d2, ref d3);
                Tap<TArithmetic>(weightSteps, inputSteps, weightRow + HaloConvKernels.TileChannels, inputRow + 1, h.HaloPixels, inputs, ref d0, ref d1, ref d2, ref d3);
                Tap<TArithmetic>(weightSteps, inputSteps, weightRow + 2 * HaloConvKernels.TileChannels, inputRow + 2, h.HaloPixels, inputs, ref d0, ref d1, ref d2, ref d3);
            }
            Group.Barrier();
            buffer ^= 1;
        }

        int co = block.Channel + channel, first = pixels + 2 * q;
        StoreFragments(destination, partials, bias, g, block, co, first, d0, d1, d2, d3, reduce: false);
        if (TiledConvKernels.ArrivesLast(arrivals, g))
            StoreFragments(destination, partials, bias, g, block, co, first, d0, d1, d2, d3, reduce: true);
    }

    /// <summary>Offsets in a staged input channel of the lane's four B columns (block pixels), tap (0, 0).</summary>
    private readonly record struct Columns(int J0, int J1, int J2, int J3);

    /// <summary>
    /// One tap as one k8 step: A from weight rows (q, tap) and (q + 4, tap) at <paramref name="weightRow"/>, B from
    /// input channels q and q + 4 at <paramref name="inputRow"/> (shifted by the tap), four n8 tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tap<TArithmetic>(ArrayView<float> weightSteps, ArrayView<float> inputSteps, int weightRow, int inputRow,
        int haloPixels, Columns inputs, ref Tf32Fragment d0, ref Tf32Fragment d1, ref Tf32Fragment d2, ref Tf32Fragment d3)
        where TArithmetic : struct, ITf32Arithmetic
    {
        var tensorCores = default(TArithmetic);
        const int fourRows = 4 * 9 * HaloConvKernels.TileChannels;
        uint a0 = Interop.FloatAsInt(weightSteps[weightRow]);
        uint a1 = Interop.FloatAsInt(weightSteps[weightRow + 8]);
        uint a2 = Interop.FloatAsInt(weightSteps[weightRow + fourRows]);
        uint a3 = Interop.FloatAsInt(weightSteps[weightRow + fourRows + 8]);
        int fourChannels = 4 * haloPixels;
        tensorCores.Mma(ref d0, a0, a1, a2, a3, Interop.FloatAsInt(inputSteps[inputRow + inputs.J0]), Interop.FloatAsInt(inputSteps[inputRow + fourChannels + inputs.J0]));
        tensorCores.Mma(ref d1, a0, a1, a2, a3, Interop.FloatAsInt(inputSteps[inputRow + inputs.J1]), Interop.FloatAsInt(inputSteps[inputRow + fourChannels + inputs.J1]));
        tensorCores.Mma(ref d2, a0, a1, a2, a3, Interop.FloatAsInt(inputSteps[inputRow + inputs.J2]), Interop.FloatAsInt(inputSteps[inputRow + fourChannels + inputs.J2]));
        tensorCores.Mma(ref d3, a0, a1, a2, a3, Interop.FloatAsInt(inputSteps[inputRow + inputs.J3]), Interop.FloatAsInt(inputSteps[inputRow + fourChannels + inputs.J3]));
    }

    /// <summary>The lane's four n8 tiles, 8 block pixels apart, from block pixel <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFragments(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, in HaloConvKernels.Block block, int co, int first,
        Tf32Fragment d0, Tf32Fragment d1, Tf32Fragment d2, Tf32Fragment d3, bool reduce)
    {
        StoreFragment(destination, partials, bias, g, block, co, first, d0, reduce);
        StoreFragment(destination, partials, bias, g, block, co, first + 8, d1, reduce);
        StoreFragment(destination, partials, bias, g, block, co, first + 16, d2, reduce);
        StoreFragment(destination, partials, bias, g, block, co, first + 24, d3, reduce);
    }

    /// <summary>c0, c1 at channel co, block pixels P, P + 1 (one block row); c2, c3 at channel co + 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFragment(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, in HaloConvKernels.Block block, int co, int pixel, Tf32Fragment d, bool reduce)
    {
        var at = g.Halo.Locate(pixel);
        int n = block.Image + at.Image, oy = block.Row + at.Row, ox = block.Column + at.Column;
        if (n >= g.Batch || oy >= g.OutHeight) return;
        int p = (n * g.OutHeight + oy) * g.OutWidth + ox;
        if (ox < g.OutWidth)
        {
            TiledConvKernels.StoreOne(destination, partials, bias, g, block.Split, co, p, d.C0, reduce);
            TiledConvKernels.StoreOne(destination, partials, bias, g, block.Split, co + 8, p, d.C2, reduce);
        }
        if (ox + 1 < g.OutWidth)
        {
            TiledConvKernels.StoreOne(destination, partials, bias, g, block.Split, co, p + 1, d.C1, reduce);
            TiledConvKernels.StoreOne(destination, partials, bias, g, block.Split, co + 8, p + 1, d.C3, reduce);
        }
    }
}
