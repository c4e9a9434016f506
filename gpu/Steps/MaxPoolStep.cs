using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>A <see cref="MaxPoolOp"/> on ILGPU: no weights, only the window.</summary>
internal sealed class MaxPoolStep(MaxPoolOp op, NetworkPlan plan) : IIlgpuStep
{
    private readonly int _sourceCapacity = plan.Buffers[op.Source].Channels;
    private readonly int _destinationCapacity = plan.Buffers[op.Destination].Channels;

    public void Launch(in LaunchContext context, in OpShape shape)
    {
        var g = new PoolGeometry(context.Batch, op.Channels, _sourceCapacity, 0, shape.InHeight, shape.InWidth,
            _destinationCapacity, shape.OutHeight, shape.OutWidth, op.Kernel, op.Kernel, op.Stride, op.Padding);
        context.Kernels.MaxPool(context.Stream, context.Activations[op.Source], context.Activations[op.Destination], g);
    }

    public long Bytes => 0;

    public void Dispose()
    {
    }
}
