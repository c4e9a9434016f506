using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends;

/// <summary>
/// Inference BatchNorm as arithmetic on the host, in float64, for every backend: a BatchNorm's per-channel
/// scale and shift, and a conv's weights and bias with the BatchNorm that follows it folded in. Backends then
/// lay the results out as their kernels read them.
/// </summary>
internal static class BatchNormFolding
{
    private const double Epsilon = 1e-5;

    /// <summary>
    /// A conv's weight [out][in][k][k] and bias [out] (zeros when the op has none) with its folded BatchNorm
    /// applied: w' = w·scale[co], b' = b·scale + shift.
    /// </summary>
    /// <exception cref="CheckpointException">A tensor the op names is missing or has the wrong size.</exception>
    public static (float[] Weights, float[] Bias) FoldConv(ConvOp c, BoundCheckpoint weights)
    {
        int taps = c.InChannels * c.Kernel * c.Kernel;
        var w = Get(weights, c.Weight, (long)c.OutChannels * taps).Data;
        var bias = c.Bias is null ? null : Get(weights, c.Bias, c.OutChannels).Data;
        var (scale, shift) = c.FoldedNorm is null
            ? (Enumerable.Repeat(1.0, c.OutChannels).ToArray(), new double[c.OutChannels])
            : ScaleShift(weights, c.FoldedNorm, c.OutChannels);

        var folded = new float[w.Length];
        var foldedBias = new float[c.OutChannels];
        for (int co = 0; co < c.OutChannels; co++)
        {
            foldedBias[co] = (float)((bias?[co] ?? 0.0) * scale[co] + shift[co]);
            for (long tap = (long)co * taps, end = tap + taps; tap < end; tap++)
                folded[tap] = (float)(w[tap] * scale[co]);
        }
        return (folded, foldedBias);
    }

    /// <summary>Inference BatchNorm as a per-channel affine map: scale = γ/√(var+ε), shift = β − mean·scale.</summary>
    /// <exception cref="CheckpointException">One of the four tensors under <paramref name="prefix"/> is missing or has the wrong size.</exception>
    public static (double[] Scale, double[] Shift) ScaleShift(BoundCheckpoint weights, string prefix, int channels)
    {
        var gamma = Get(weights, prefix + ".weight", channels).Data;
        var beta = Get(weights, prefix + ".bias", channels).Data;
        var mean = Get(weights, prefix + ".running_mean", channels).Data;
        var variance = Get(weights, prefix + ".running_var", channels).Data;
        var scale = new double[channels];
        var shift = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] / Math.Sqrt(variance[c] + Epsilon);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return (scale, shift);
    }

    private static Tensor Get(BoundCheckpoint weights, string name, long elements)
    {
        if (!weights.Tensors.TryGetValue(name, out var tensor))
            throw new CheckpointException(weights.Source, "the plan needs this tensor but the checkpoint has none", name);
        if (tensor.Data.Length != elements)
            throw new CheckpointException(weights.Source, $"the plan needs {elements} values, the tensor {tensor} has {tensor.Data.Length}", name);
        return tensor;
    }
}
