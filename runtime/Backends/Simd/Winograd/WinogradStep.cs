using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>A 3x3, stride 1, padding 1 conv by Winograd's <typeparamref name="TTile"/>: weights transformed once, here, at load.</summary>
internal sealed unsafe class WinogradStep<TVec, TTile>(int op, ConvOp c, FoldedConv folded) : SimdStep(op, op, c.Source, c.Destination)
    where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile
{
    private readonly WinogradWeights<TVec, TTile> _weights =
        new(folded.Weights, folded.Bias, c.SourceChannelOffset, c.InChannels, c.DestinationChannelOffset, c.OutChannels);

    public override long ScratchFloats => WinogradConv<TVec, TTile>.ScratchFloats(_weights);
    public override long WeightBytes => _weights.Bytes;
    public override string Kind => $"3x3/1 conv, Winograd {TTile.Name}";

    public override ISimdOp Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        return new WinogradConv<TVec, TTile>(_weights, c.Relu, b.Batch, b.Buffer(Source), b.Capacity(Source),
            b.Buffer(Destination), b.Capacity(Destination), g.InHeight, g.InWidth, b.Scratch, b.ScratchPerWorker, b.Threads);
    }

    public override void Dispose() => _weights.Dispose();
}

/// <summary>
/// Which 3x3 convs run by Winograd, and with which tile: measured per width and map size (benchmarks/README.md,
/// "Winograd 3x3"). A tile group is one micro-kernel of <see cref="MicroKernel{TVec}.Rows"/> Winograd tiles, so on small
/// maps most of a group is padding (DenseNet-121's 7x7 maps at batch 1: 4 F(4x4) tiles in a group of 14) and the
/// direct conv is faster.
/// </summary>
internal static class WinogradChoice
{
    /// <summary>Micro-kernel rows, smallest map side, tile: the first line that fits wins; none means the direct conv.</summary>
    private static readonly (int Rows, int MinimumMap, int Tile)[] s_choices =
    [
        (14, 28, 4), // AVX-512: F(4x4) 2.0x and 1.5x the direct conv at 56 and 28; at 14 both tiles lose (0.7x, 0.9x)
        (6, 28, 4),  // 256 and 128 bits: F(4x4) 1.95x at 56, equal to F(2x2) at 28 (1.5x)
        (6, 14, 2),  // F(2x2) 1.2x at 14, where F(4x4) loses (0.7x); at 7 both lose
    ];

    /// <summary>The step for <paramref name="c"/>, whose map is <paramref name="mapSize"/> pixels on a side at the spec's input size; null for the direct conv.</summary>
    public static SimdStep? Step<TVec>(int op, ConvOp c, FoldedConv folded, int mapSize, Conv3x3Algorithm algorithm) where TVec : struct, IVec<TVec>
    {
        if (algorithm != Conv3x3Algorithm.Winograd || c is not { Kernel: 3, Stride: 1, Padding: 1 }) return null;
        foreach (var (rows, minimumMap, tile) in s_choices)
            if (rows == MicroKernel<TVec>.Rows && mapSize >= minimumMap)
                return tile == 4
                    ? new WinogradStep<TVec, WinogradF4>(op, c, folded)
                    : new WinogradStep<TVec, WinogradF2>(op, c, folded);
        return null;
    }
}
