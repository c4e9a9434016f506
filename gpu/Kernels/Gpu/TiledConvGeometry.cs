using DenseNetGen.Backends.Ilgpu.Kernels;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// Everything a tiled conv launch needs besides its buffers, passed to the kernel by value: the conv as a GEMM
/// out[co, p] = Σ_k W[k, co]·X[k, p] over k = (ci, ky, kx) and p = (n, oy, ox), flattened over the whole batch so
/// that small maps at small batch still fill whole tiles.
/// </summary>
/// <remarks>
/// Layouts are those of <see cref="ConvGeometry"/> (NCHW with a channel capacity per buffer, weights transposed
/// to [K][OutPadded]). The prologue is applied to every staged input value:
/// <list type="bullet">
/// <item><see cref="TiledPrologue.None"/>: the source as it is; taps in the padding read 0.</item>
/// <item><see cref="TiledPrologue.NormRelu"/>: relu(x·scale[ci] + shift[ci]) for a dense layer's norm1; taps in
/// the padding still read 0, which relu(shift) would not be.</item>
/// <item><see cref="TiledPrologue.NormReluAverage2x2"/>: the transition's norm, ReLU and 2x2 average pool, for a
/// 1x1 stride-1 conv whose input pixel (iy, ix) averages source pixels (2iy..2iy+1, 2ix..2ix+1).</item>
/// </list>
/// With <see cref="Splits"/> &gt; 1 the K range is cut into slices of <see cref="KPerSplit"/> (a multiple of
/// <see cref="TiledConvKernels.Depth"/>); each slice writes raw partial sums to a scratch buffer
/// [Splits][OutChannels][Pixels], and the last slice of each tile to finish adds them up in slice order with the bias
/// and ReLU (<see cref="TiledConvKernels.ArrivesLast"/>): no reduction launch, and the sum order is fixed, so results
/// are deterministic.
/// <para>With a <see cref="Halo"/> tile the conv (3x3, stride 1, padding 1) runs as <see cref="HaloConvKernels"/> (in TF32 <see cref="Tf32HaloConvKernels"/>)
/// instead: the same K and pixel numbering, partial sums and epilogue, but tiles of
/// <see cref="HaloConvKernels.TileChannels"/> channels × one spatial block, and K steps of whole input channels.</para>
/// </remarks>
internal readonly record struct TiledConvGeometry(
    int Batch,
    int InChannels, int SourceCapacity, int SourceOffset, int SourceHeight, int SourceWidth, int InHeight, int InWidth,
    int OutChannels, int OutPadded, int DestinationCapacity, int DestinationOffset, int OutHeight, int OutWidth,
    int Kernel, int Stride, int Padding, int Relu, TiledPrologue Prologue, int Splits, int KPerSplit, HaloTile Halo = default)
{
    /// <summary>Runs as a haloed conv (<see cref="HaloConvKernels"/>, <see cref="Tf32HaloConvKernels"/>) rather than a tiled GEMM.</summary>
    public bool IsHalo => Halo.Columns != 0;

    /// <summary>K rows per staged step of this geometry's kernel; <see cref="KPerSplit"/> is a multiple of it.</summary>
    public int StepDepth => IsHalo ? HaloConvKernels.StepDepth : TiledConvKernels.Depth;

    public int OutPixels => OutHeight * OutWidth;

    /// <summary>GEMM columns: output pixels of the whole batch.</summary>
    public int Pixels => Batch * OutHeight * OutWidth;

    /// <summary>GEMM depth: input channels × taps.</summary>
    public int Depth => InChannels * Kernel * Kernel;

    public int PixelTiles => IsHalo
        ? Halo.ImageTiles(Batch) * Halo.RowTiles(OutHeight) * Halo.ColumnTiles(OutWidth)
        : (Pixels + TiledConvKernels.TilePixels - 1) / TiledConvKernels.TilePixels;

    public int ChannelTiles
    {
        get
        {
            int tile = IsHalo ? HaloConvKernels.TileChannels : TiledConvKernels.TileChannels;
            return (OutChannels + tile - 1) / tile;
        }
    }

    /// <summary>Groups of one launch: pixel tile fastest, then channel tile, then K slice.</summary>
    public int Groups => PixelTiles * ChannelTiles * Splits;

    /// <summary>Floats of split-K scratch this launch needs (0 without a split).</summary>
    public long PartialElements => Splits > 1 ? (long)Splits * OutChannels * Pixels : 0;

    /// <summary>Split-K arrival counts this launch needs, one per tile (0 without a split).</summary>
    public int ArrivalCounts => Splits > 1 ? PixelTiles * ChannelTiles : 0;

    /// <summary>The tiled form of a plain conv, with one K slice.</summary>
    public static TiledConvGeometry From(in ConvGeometry g, TiledPrologue prologue, int sourceHeight, int sourceWidth) =>
        new(g.Batch, g.InChannels, g.SourceCapacity, g.SourceOffset, sourceHeight, sourceWidth, g.InHeight, g.InWidth,
            g.OutChannels, g.OutPadded, g.DestinationCapacity, g.DestinationOffset, g.OutHeight, g.OutWidth,
            g.Kernel, g.Stride, g.Padding, g.Relu, prologue, 1, g.InChannels * g.Kernel * g.Kernel);
}

/// <summary>What a tiled conv applies to its input while staging it (see <see cref="TiledConvGeometry"/>).</summary>
internal enum TiledPrologue
{
    None,
    NormRelu,
    NormReluAverage2x2,
}
