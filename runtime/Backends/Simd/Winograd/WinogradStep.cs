using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>A 3x3, stride 1, padding 1 conv by Winograd's <typeparamref name="TTile"/>: weights transformed once, here.</summary>
internal sealed unsafe class WinogradStep<TVec, TTile>(int op, ConvOp c, FoldedConv folded) : SimdStep(op, op, c.Source, c.Destination)
    where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile
{
    private readonly WinogradWeights<TVec, TTile> _weights =
        new(folded.Weights, folded.Bias, c.SourceChannelOffset, c.InChannels, c.DestinationChannelOffset, c.OutChannels);

    public override long ScratchFloats => WinogradConv<TVec, TTile>.ScratchFloats(_weights.Layout.KBlocks);
    public override long WeightBytes => _weights.Bytes;
    public override IEnumerable<WeightRange> WeightRanges => _weights.Ranges;
    public override string Kind => $"3x3/1 conv, Winograd {TTile.Name}";

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        return new WinogradConv<TVec, TTile>(_weights, c.Relu, b.Batch, b.Buffer(Source), b.Capacity(Source),
            b.Buffer(Destination), b.Capacity(Destination), g.InHeight, g.InWidth, b.Scratch, b.ScratchPerWorker, b.Threads);
    }

    public override void Dispose() => _weights.Dispose();
}

/// <summary>
/// A 3x3, stride 1, padding 1 conv under <see cref="Conv3x3Algorithm.Winograd"/>: direct, F(2x2,3x3) or F(4x4,3x3),
/// chosen per input shape by <see cref="WinogradChoice"/> when the shape is bound (once per shape). A variant's
/// weights are made the first time a shape chooses it and kept; the spec's input size at batch 1 is chosen at load,
/// so its first run transforms nothing. The folded weights stay to make the variants later shapes choose.
/// </summary>
internal sealed class Conv3x3Step<TVec> : SimdStep where TVec : struct, IVec<TVec>
{
    private readonly ConvOp _conv;
    private readonly FoldedConv _folded;
    /// <summary>Indexed by <see cref="WinogradChoice.Tile{TVec}"/>'s answer: 0 direct, 2 F(2x2), 4 F(4x4).</summary>
    private readonly SimdStep?[] _variants = new SimdStep?[5];
    private SimdStep _bound;

    /// <param name="op">The conv's op index.</param>
    /// <param name="c">The conv: 3x3, stride 1, padding 1.</param>
    /// <param name="folded">Its weights with the following BatchNorm folded in.</param>
    /// <param name="nominalMap">The smaller side of the conv's map at the spec's input size.</param>
    public Conv3x3Step(int op, ConvOp c, FoldedConv folded, int nominalMap) : base(op, op, c.Source, c.Destination)
    {
        _conv = c;
        _folded = folded;
        _bound = Variant(WinogradChoice.Tile<TVec>(nominalMap, 1, 1, c.OutChannels));
        // Every variant a shape may choose runs in the program's scratch, sized once from the steps at load.
        int kBlocks = Blocked.Blocks(c.SourceChannelOffset % Blocked.Lanes + c.InChannels);
        ScratchFloats = Math.Max(WinogradConv<TVec, WinogradF2>.ScratchFloats(kBlocks), WinogradConv<TVec, WinogradF4>.ScratchFloats(kBlocks));
    }

    public override long ScratchFloats { get; }

    /// <summary>The variants made so far, and the folded weights kept to make the others.</summary>
    public override long WeightBytes =>
        _variants.Sum(v => v?.WeightBytes ?? 0) + ((long)_folded.Weights.Length + _folded.Bias.Length) * sizeof(float);

    /// <summary>The kind of the variant the last bound shape chose (at load: the spec's input size at batch 1).</summary>
    public override string Kind => _bound.Kind;

    /// <summary>The weights of the variant the last bound shape chose.</summary>
    public override IEnumerable<WeightRange> WeightRanges => _bound.WeightRanges;

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        _bound = Variant(WinogradChoice.Tile<TVec>(Math.Min(g.InHeight, g.InWidth), b.Batch, b.Threads, _conv.OutChannels));
        return _bound.Bind(b);
    }

    private SimdStep Variant(int tile) => _variants[tile] ??= tile switch
    {
        4 => new WinogradStep<TVec, WinogradF4>(FirstOp, _conv, _folded),
        2 => new WinogradStep<TVec, WinogradF2>(FirstOp, _conv, _folded),
        _ => new ConvStep<TVec>(FirstOp, _conv, _folded),
    };

    public override void Dispose()
    {
        foreach (var variant in _variants) variant?.Dispose();
    }
}

/// <summary>
/// Which 3x3 convs run by Winograd, and with which tile: measured per width, map size and batch (benchmarks/README.md,
/// "Winograd 3x3"). A group is one micro-kernel call on at most <see cref="MicroKernel{TVec}.Rows"/> Winograd tiles;
/// when a shape has few tiles, each thread still reads the layer's whole transformed weights (α² elements of them, 16
/// or 36 against the direct conv's 9 taps) for a group or two, and the direct conv is faster (DenseNet-121's 7x7 maps
/// at batch 1: 4 F(4x4) tiles, one group).
/// </summary>
internal static class WinogradChoice
{
    /// <summary>
    /// Micro-kernel rows, smallest map side, fewest Winograd tiles over the batch per thread, most output channels,
    /// tile: the first line that fits wins; none means the direct conv.
    /// </summary>
    private static readonly (int Rows, int MinimumMap, int MinimumTilesPerThread, int MaximumOutChannels, int Tile)[] s_choices =
    [
        (14, 28, 0, int.MaxValue, 4),  // AVX-512: F(4x4) 2.0x and 1.5x the direct conv at 56 and 28
        // At 14, F(4x4) 1.36x at batch 8 on one thread (128 tiles: 10.6 against 14.4 ms over DenseNet-121's 24 convs)
        // and 1.35x on two (64 tiles each: 5.1-5.3 against 6.8-7.2 ms, once each thread kept its own share of the
        // tiles; 0.6x before); at batch 1, when groups were 14 rows and a remainder (16 tiles: 14 + 2), 0.7x, F(2x2) 0.9x.
        (14, 14, 64, int.MaxValue, 4),
        // Below that, F(2x2) for convs of one panel's outputs (32): with near-equal groups (49 tiles at batch 1: 13, 12,
        // 12, 12) whole networks, alternated in one process with the direct conv at 14, ran 1.006-1.010x as fast
        // (DenseNet-121 b1, four runs; 1.022x on one thread; b4 1.018x), 1.010x (169), 1.013-1.023x (201) and 1.057x
        // (Fashion-MNIST's 12-output convs); DenseNet-161's 48-output convs 0.983x. F(4x4) at batch 1: 0.986-0.995x.
        (14, 14, 0, 32, 2),
        (6, 28, 0, int.MaxValue, 4),   // 256 and 128 bits: F(4x4) 1.95x at 56, equal to F(2x2) at 28 (1.5x)
        (6, 14, 0, int.MaxValue, 2),   // F(2x2) 1.2x at 14, where F(4x4) loses (0.7x)
        // At 7 (16 F(2x2) tiles an image, 8x8 pixels for 7x7) with 32+ tiles a thread, F(2x2) against the direct conv,
        // alternated in one process at 256 bits: DenseNet-121 b8 0.976-0.993x (four runs), 169 0.978x and 0.981x,
        // 161 0.989x, b4 1.000x and 0.987x; at batch 1 1.017x and 0.997x (161), so not there. 128 bits without FMA, b8: 1.001x.
        (6, 7, 32, int.MaxValue, 2),
    ];

    /// <summary>
    /// The tile for a conv of <paramref name="outChannels"/> outputs on a <paramref name="mapSize"/>-pixel map (smaller
    /// side) at <paramref name="batch"/> on <paramref name="threads"/> threads: 4 for F(4x4,3x3), 2 for F(2x2,3x3), 0
    /// for the direct conv.
    /// </summary>
    public static int Tile<TVec>(int mapSize, int batch, int threads, int outChannels) where TVec : struct, IVec<TVec>
    {
        foreach (var (rows, minimumMap, minimumTilesPerThread, maximumOutChannels, tile) in s_choices)
        {
            int perSide = (mapSize + tile - 1) / tile;
            if (rows == MicroKernel<TVec>.Rows && mapSize >= minimumMap && outChannels <= maximumOutChannels
                && (long)batch * perSide * perSide >= (long)minimumTilesPerThread * threads)
                return tile;
        }
        return 0;
    }
}
