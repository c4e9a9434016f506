using DenseNetGen.Checkpoints;
using DenseNetGen.Kernels;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Execution;

/// <summary>
/// A plan's parameters on the device, in the layouts the kernels read, uploaded once: conv weights transposed
/// to [in][k][k][outPadded] with any following BatchNorm folded in (on the host, in float64), conv biases padded,
/// and per-channel scale/shift for each BatchNormReluOp.
/// </summary>
internal sealed class DeviceWeights : IDisposable
{
    private const double Epsilon = 1e-5;

    private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _first;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _second;

    public DeviceWeights(NetworkPlan plan, BoundCheckpoint weights, Accelerator accelerator)
    {
        _first = new MemoryBuffer1D<float, Stride1D.Dense>?[plan.Ops.Count];
        _second = new MemoryBuffer1D<float, Stride1D.Dense>?[plan.Ops.Count];
        try
        {
            for (int i = 0; i < plan.Ops.Count; i++)
            {
                switch (plan.Ops[i])
                {
                    case ConvOp c:
                        var (w, b) = PrepareConv(c, weights);
                        _first[i] = accelerator.Allocate1D(w);
                        _second[i] = accelerator.Allocate1D(b);
                        break;
                    case BatchNormReluOp n:
                        var (scale, shift) = ScaleShift(weights, n.Norm, n.Channels);
                        _first[i] = accelerator.Allocate1D(Array.ConvertAll(scale, v => (float)v));
                        _second[i] = accelerator.Allocate1D(Array.ConvertAll(shift, v => (float)v));
                        break;
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Device memory the parameters take.</summary>
    public long Bytes => _first.Concat(_second).Sum(buffer => buffer?.LengthInBytes ?? 0);

    /// <summary>A ConvOp's weights, or a BatchNormReluOp's scale.</summary>
    public ArrayView<float> First(int op) => _first[op]!.View;

    /// <summary>A ConvOp's bias, or a BatchNormReluOp's shift.</summary>
    public ArrayView<float> Second(int op) => _second[op]!.View;

    public void Dispose()
    {
        foreach (var buffer in _first.Concat(_second))
            buffer?.Dispose();
    }

    /// <summary>Host-side layout change and BatchNorm folding: w' = w·scale[co], b' = b·scale + shift.</summary>
    internal static (float[] Weights, float[] Bias) PrepareConv(ConvOp c, BoundCheckpoint weights)
    {
        int k = c.Kernel, outPadded = ConvGeometry.Pad(c.OutChannels);
        var w = Get(weights, c.Weight, (long)c.OutChannels * c.InChannels * k * k).Data;
        var bias = c.Bias is null ? null : Get(weights, c.Bias, c.OutChannels).Data;
        var (scale, shift) = c.FoldedNorm is null
            ? (Enumerable.Repeat(1.0, c.OutChannels).ToArray(), new double[c.OutChannels])
            : ScaleShift(weights, c.FoldedNorm, c.OutChannels);

        var transposed = new float[(long)c.InChannels * k * k * outPadded];
        var folded = new float[outPadded];
        for (int co = 0; co < c.OutChannels; co++)
        {
            folded[co] = (float)((bias?[co] ?? 0.0) * scale[co] + shift[co]);
            for (int tap = 0; tap < c.InChannels * k * k; tap++)
                transposed[(long)tap * outPadded + co] = (float)(w[(long)co * c.InChannels * k * k + tap] * scale[co]);
        }
        return (transposed, folded);
    }

    /// <summary>Inference BatchNorm as a per-channel affine map: scale = γ/√(var+ε), shift = β − mean·scale.</summary>
    internal static (double[] Scale, double[] Shift) ScaleShift(BoundCheckpoint weights, string prefix, int channels)
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
