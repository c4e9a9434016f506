using System.Runtime.CompilerServices;
using DenseNetGen.Backends.Ilgpu.Kernels;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// 3x3, stride-1, padding-1 convs for GPUs over a haloed input block in shared memory (see
/// <see cref="HaloTile"/>): a group of <see cref="GroupSize"/> threads computes <see cref="TileChannels"/> output
/// channels × one block of <see cref="TilePixels"/> output pixels, stepping through the input
/// <see cref="ChannelStep"/> channels at a time. Each input value is loaded from global memory, and has the prologue
/// (BatchNorm + ReLU) applied, once per step rather than once per tap as the implicit GEMM of
/// <see cref="TiledConvKernels"/> gathers it; and a dense layer's 3x3 conv, which appends only growth-rate channels
/// (32), fills its 32-channel tiles where the GEMM's 64-channel tiles ran half empty.
/// </summary>
/// <remarks>
/// Shared memory per step, double-buffered (stage step s + 1 while multiplying step s; one barrier per step):
/// <list type="bullet">
/// <item>weights [ChannelStep · 9][TileChannels]: K row (c, ky, kx) of the transposed weights [K][OutPadded] for the
/// group's channels, zero past the channels or the K slice;</item>
/// <item>inputs [ChannelStep][Images][Rows + 2][Columns + 2]: pixel (y0 + hy − 1, x0 + hx − 1) of image n0 + i after
/// the prologue, zero in the padding and past the batch.</item>
/// </list>
/// Thread t computes channels 4·(t / 32) .. +3 (a warp shares them: weight reads are broadcasts) × block pixels
/// 4·(t % 32) .. +3 (see <see cref="HaloTile.Locate"/>), four neighbours in one block row. Per input channel and kernel row it reads six neighbouring inputs once for its three taps.
/// Sums, split-K partials and the epilogue are <see cref="TiledConvKernels.StoreOne"/>'s, with pixels numbered over
/// the batch as in <see cref="TiledConvGeometry"/>.
/// </remarks>
internal static class HaloConvKernels
{
    public const int GroupSize = 256;
    public const int TileChannels = 32;
    public const int TilePixels = 128;
    public const int ChannelStep = 8;

    /// <summary>K rows per step: every tap of <see cref="ChannelStep"/> input channels.</summary>
    public const int StepDepth = ChannelStep * 9;

    /// <summary>The largest haloed block of any <see cref="HaloTile"/>.</summary>
    public const int MaxHaloPixels = 288;

    /// <summary>Floats of one staged step's weights and inputs; each is double-buffered.</summary>
    internal const int WeightFloats = StepDepth * TileChannels;

    /// <inheritdoc cref="WeightFloats"/>
    internal const int InputFloats = ChannelStep * MaxHaloPixels;

    /// <summary>One group per (block, channel tile, K slice); <paramref name="g"/> has a <see cref="HaloTile"/>.
    /// Split-K scratch and arrival counts as for <see cref="TiledConvKernels.Conv"/>.</summary>
    public static void Conv(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials,
        ArrayView<int> arrivals, TiledConvGeometry g)
    {
        var weightSteps = SharedMemory.Allocate<float>(2 * WeightFloats);
        var inputSteps = SharedMemory.Allocate<float>(2 * InputFloats);
        var block = Block.Of(g);
        var h = g.Halo;
        int t = Group.IdxX;
        int channelQuad = t >> 5, pixelQuad = t & 31;
        // The thread's first pixel: pixel quads run along block rows (Columns is a multiple of 4).
        var first = h.Locate(4 * pixelQuad);
        int inputAt = h.InputAt(4 * pixelQuad);
        var weightQuads = weightSteps.Cast<Quad>();

        Quad a0 = default, a1 = default, a2 = default, a3 = default;
        Stage<Fp32Operands>(source, weights, scale, shift, g, block, weightSteps, inputSteps, 0, block.ChannelBegin);
        Group.Barrier();
        int buffer = 0;
        for (int c0 = block.ChannelBegin; c0 < block.ChannelEnd; c0 += ChannelStep)
        {
            if (c0 + ChannelStep < block.ChannelEnd)
                Stage<Fp32Operands>(source, weights, scale, shift, g, block, weightSteps, inputSteps, buffer ^ 1, c0 + ChannelStep);
            int inputs = buffer * InputFloats + inputAt;
            int quads = buffer * (WeightFloats / 4) + channelQuad;
            for (int c = 0; c < ChannelStep; c++, inputs += h.HaloPixels, quads += 9 * (TileChannels / 4))
            {
                KernelRow(weightQuads, inputSteps, quads, inputs, ref a0, ref a1, ref a2, ref a3);
                KernelRow(weightQuads, inputSteps, quads + 3 * (TileChannels / 4), inputs + h.HaloColumns, ref a0, ref a1, ref a2, ref a3);
                KernelRow(weightQuads, inputSteps, quads + 6 * (TileChannels / 4), inputs + 2 * h.HaloColumns, ref a0, ref a1, ref a2, ref a3);
            }
            Group.Barrier();
            buffer ^= 1;
        }

        var output = new Output(block.Channel + 4 * channelQuad, block.Image + first.Image, block.Row + first.Row, block.Column + first.Column, block.Split);
        output.Store(destination, partials, bias, g, a0, a1, a2, a3, reduce: false);
        if (TiledConvKernels.ArrivesLast(arrivals, g))
            output.Store(destination, partials, bias, g, a0, a1, a2, a3, reduce: true);
    }

    /// <summary>
    /// One kernel row (ky) of one input channel: taps kx = 0, 1, 2 read the thread's six inputs
    /// <paramref name="inputs"/> .. +5 shifted by kx, against weight quads <paramref name="quads"/> + 8·kx.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelRow(ArrayView<Quad> weightQuads, ArrayView<float> inputSteps, int quads, int inputs,
        ref Quad a0, ref Quad a1, ref Quad a2, ref Quad a3)
    {
        float x0 = inputSteps[inputs], x1 = inputSteps[inputs + 1], x2 = inputSteps[inputs + 2];
        float x3 = inputSteps[inputs + 3], x4 = inputSteps[inputs + 4], x5 = inputSteps[inputs + 5];
        TiledConvKernels.MultiplyAdd(weightQuads[quads], new Quad { A = x0, B = x1, C = x2, D = x3 }, ref a0, ref a1, ref a2, ref a3);
        TiledConvKernels.MultiplyAdd(weightQuads[quads + TileChannels / 4], new Quad { A = x1, B = x2, C = x3, D = x4 }, ref a0, ref a1, ref a2, ref a3);
        TiledConvKernels.MultiplyAdd(weightQuads[quads + 2 * (TileChannels / 4)], new Quad { A = x2, B = x3, C = x4, D = x5 }, ref a0, ref a1, ref a2, ref a3);
    }

    /// <summary>
    /// Stages step <paramref name="c0"/> .. + <see cref="ChannelStep"/> of the input channels into buffer
    /// <paramref name="buffer"/>: each thread every <see cref="GroupSize"/>th value, so neighbouring threads read
    /// neighbouring channels of a weight row and neighbouring pixels of an input row. Operands are stored as
    /// <typeparamref name="TOperands"/> rounds them (the TF32 kernel's: to TF32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Stage<TOperands>(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> scale, ArrayView<float> shift,
        in TiledConvGeometry g, in Block block, ArrayView<float> weightSteps, ArrayView<float> inputSteps, int buffer, int c0)
        where TOperands : struct, IOperandRounding
    {
        var operands = default(TOperands);
        int t = Group.IdxX;
        for (int e = t; e < WeightFloats; e += GroupSize)
        {
            int row = e / TileChannels, co = block.Channel + e % TileChannels;
            bool inside = c0 + row / 9 < block.ChannelEnd && co < g.OutPadded;
            weightSteps[buffer * WeightFloats + e] = operands.Round(inside ? weights[(c0 * 9 + row) * g.OutPadded + co] : 0f);
        }

        var h = g.Halo;
        int values = ChannelStep * h.HaloPixels;
        int planeSize = g.SourceHeight * g.SourceWidth;
        for (int e = t; e < values; e += GroupSize)
        {
            int c = e / h.HaloPixels, rest = e % h.HaloPixels;
            int image = rest / (h.HaloRows * h.HaloColumns);
            rest %= h.HaloRows * h.HaloColumns;
            int ci = c0 + c, n = block.Image + image;
            float value = 0f;
            if (ci < block.ChannelEnd && n < g.Batch)
                value = Staging.Prologue(source, scale, shift, g, (n * g.SourceCapacity + g.SourceOffset) * planeSize, ci,
                    block.Row + rest / h.HaloColumns - 1, block.Column + rest % h.HaloColumns - 1);
            inputSteps[buffer * InputFloats + e] = operands.Round(value);
        }
    }

    /// <summary>A thread's outputs: channels <see cref="Channel"/> .. +3 × columns <see cref="Column"/> .. +3 of
    /// row <see cref="Row"/> of image <see cref="Image"/>; those past the batch, the map or the channels are dropped.</summary>
    private readonly record struct Output(int Channel, int Image, int Row, int Column, int Split)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias, in TiledConvGeometry g,
            Quad a0, Quad a1, Quad a2, Quad a3, bool reduce)
        {
            if (Image >= g.Batch || Row >= g.OutHeight) return;
            int p = (Image * g.OutHeight + Row) * g.OutWidth + Column;
            StoreRow(destination, partials, bias, g, Channel, p, a0, reduce);
            StoreRow(destination, partials, bias, g, Channel + 1, p, a1, reduce);
            StoreRow(destination, partials, bias, g, Channel + 2, p, a2, reduce);
            StoreRow(destination, partials, bias, g, Channel + 3, p, a3, reduce);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void StoreRow(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias, in TiledConvGeometry g,
            int co, int p, Quad sums, bool reduce)
        {
            if (Column < g.OutWidth) TiledConvKernels.StoreOne(destination, partials, bias, g, Split, co, p, sums.A, reduce);
            if (Column + 1 < g.OutWidth) TiledConvKernels.StoreOne(destination, partials, bias, g, Split, co, p + 1, sums.B, reduce);
            if (Column + 2 < g.OutWidth) TiledConvKernels.StoreOne(destination, partials, bias, g, Split, co, p + 2, sums.C, reduce);
            if (Column + 3 < g.OutWidth) TiledConvKernels.StoreOne(destination, partials, bias, g, Split, co, p + 3, sums.D, reduce);
        }
    }

    /// <summary>One group's place: its block's first image, row and column, its first output channel, its K
    /// slice and that slice's input channels.</summary>
    internal readonly record struct Block(int Image, int Row, int Column, int Channel, int Split, int ChannelBegin, int ChannelEnd)
    {
        /// <summary>Groups are numbered column block fastest, then row block, image block, channel tile, K slice.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Block Of(in TiledConvGeometry g)
        {
            var h = g.Halo;
            int group = Grid.IdxX;
            int columnTiles = h.ColumnTiles(g.OutWidth), rowTiles = h.RowTiles(g.OutHeight);
            int column = group % columnTiles;
            group /= columnTiles;
            int row = group % rowTiles;
            group /= rowTiles;
            int image = group % h.ImageTiles(g.Batch);
            group /= h.ImageTiles(g.Batch);
            int channel = group % g.ChannelTiles;
            int split = group / g.ChannelTiles;
            // KPerSplit is a multiple of StepDepth = 9 · ChannelStep, so a slice is whole input channels.
            int begin = split * g.KPerSplit / 9;
            return new Block(image * h.Images, row * h.Rows, column * h.Columns, channel * TileChannels, split, begin,
                IntrinsicMath.Min(begin + g.KPerSplit / 9, g.InChannels));
        }
    }
}
