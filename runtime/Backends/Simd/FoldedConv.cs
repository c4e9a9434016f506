using DenseNetGen.Checkpoints;
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
        var (w, b) = BatchNormFolding.FoldConv(c, weights);
        return new FoldedConv(w, b);
    }

    /// <summary>A BatchNormReluOp's scale and shift as floats.</summary>
    public static (float[] Scale, float[] Shift) Norm(BatchNormReluOp n, BoundCheckpoint weights)
    {
        var (scale, shift) = BatchNormFolding.ScaleShift(weights, n.Norm, n.Channels);
        return (Array.ConvertAll(scale, v => (float)v), Array.ConvertAll(shift, v => (float)v));
    }
}
