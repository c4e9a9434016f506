using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>
/// A <see cref="ConvOp"/> on ILGPU: weights folded with their BatchNorm and transposed to
/// [InChannels][K][K][OutPadded], bias padded to [OutPadded] (layouts in <see cref="ConvGeometry"/>).
/// </summary>
internal sealed class ConvStep : IIlgpuStep
{
    private readonly ConvOp _op;
    private readonly int _sourceCapacity, _destinationCapacity;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _bias;

    private ConvStep(ConvOp op, NetworkPlan plan, MemoryBuffer1D<float, Stride1D.Dense> weights, MemoryBuffer1D<float, Stride1D.Dense> bias)
    {
        _op = op;
        _sourceCapacity = plan.Buffers[op.Source].Channels;
        _destinationCapacity = plan.Buffers[op.Destination].Channels;
        _weights = weights;
        _bias = bias;
    }

    public static ConvStep Prepare(ConvOp c, NetworkPlan plan, BoundCheckpoint weights, Accelerator accelerator)
    {
        var (transposed, bias) = Layout(c, weights);
        var (weightBuffer, biasBuffer) = DeviceBuffers.Upload(accelerator, transposed, bias);
        return new ConvStep(c, plan, weightBuffer, biasBuffer);
    }

    /// <summary>The folded weights and bias in the kernels' layout, zero-filled past OutChannels.</summary>
    internal static (float[] Weights, float[] Bias) Layout(ConvOp c, BoundCheckpoint weights)
    {
        var (folded, bias) = BatchNormFolding.FoldConv(c, weights);
        int taps = c.InChannels * c.Kernel * c.Kernel, outPadded = ConvGeometry.Pad(c.OutChannels);
        var transposed = new float[(long)taps * outPadded];
        var padded = new float[outPadded];
        for (int co = 0; co < c.OutChannels; co++)
        {
            padded[co] = bias[co];
            for (int tap = 0; tap < taps; tap++)
                transposed[(long)tap * outPadded + co] = folded[(long)co * taps + tap];
        }
        return (transposed, padded);
    }

    public void Launch(in LaunchContext context, in OpShape shape) =>
        context.Kernels.Conv(context.Stream, context.Activations[_op.Source], Weights, Bias, context.Activations[_op.Destination], Geometry(context.Batch, shape));

    /// <summary>The launch parameters for one input shape.</summary>
    public ConvGeometry Geometry(int batch, in OpShape shape)
    {
        var c = _op;
        return new ConvGeometry(batch,
            c.InChannels, _sourceCapacity, c.SourceChannelOffset, shape.InHeight, shape.InWidth,
            c.OutChannels, ConvGeometry.Pad(c.OutChannels), _destinationCapacity, c.DestinationChannelOffset, shape.OutHeight, shape.OutWidth,
            c.Kernel, c.Stride, c.Padding, c.Relu ? 1 : 0);
    }

    public ConvOp Op => _op;

    /// <summary>[InChannels][K][K][OutPadded], the folded BatchNorm included.</summary>
    public ArrayView<float> Weights => _weights.View;

    /// <summary>[OutPadded].</summary>
    public ArrayView<float> Bias => _bias.View;

    public long Bytes => _weights.LengthInBytes + _bias.LengthInBytes;

    public void Dispose()
    {
        _weights.Dispose();
        _bias.Dispose();
    }
}
