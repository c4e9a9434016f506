using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// A ConvOp's weights in PyTorch's [out][in][k][k] order with the following BatchNorm folded in (in float64, as the
/// ILGPU backend folds them): w' = w·scale[co], b' = b·scale[co] + shift[co].
/// </summary>
internal sealed record FoldedConv(float[] Weights, float[] Bias)
{
    public static FoldedConv Of(ConvOp c, BoundCheckpoint weights)
    {
        int taps = c.InChannels * c.Kernel * c.Kernel;
        var w = DeviceWeights.Get(weights, c.Weight, (long)c.OutChannels * taps).Data;
        var bias = c.Bias is null ? null : DeviceWeights.Get(weights, c.Bias, c.OutChannels).Data;
        var (scale, shift) = c.FoldedNorm is null
            ? (Enumerable.Repeat(1.0, c.OutChannels).ToArray(), new double[c.OutChannels])
            : DeviceWeights.ScaleShift(weights, c.FoldedNorm, c.OutChannels);
        var folded = new float[(long)c.OutChannels * taps];
        var foldedBias = new float[c.OutChannels];
        for (int co = 0; co < c.OutChannels; co++)
        {
            foldedBias[co] = (float)((bias?[co] ?? 0.0) * scale[co] + shift[co]);
            for (long t = (long)co * taps; t < (long)(co + 1) * taps; t++)
                folded[t] = (float)(w[t] * scale[co]);
        }
        return new FoldedConv(folded, foldedBias);
    }

    /// <summary>A BatchNormReluOp's scale and shift as floats.</summary>
    public static (float[] Scale, float[] Shift) Norm(BatchNormReluOp n, BoundCheckpoint weights)
    {
        var (scale, shift) = DeviceWeights.ScaleShift(weights, n.Norm, n.Channels);
        return (Array.ConvertAll(scale, v => (float)v), Array.ConvertAll(shift, v => (float)v));
    }
}
