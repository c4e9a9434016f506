using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Ilgpu.Ops;

/// <summary>A <see cref="MaxPoolOp"/> on ILGPU: no weights, only the window.</summary>
internal sealed class MaxPoolLaunch(MaxPoolOp op, NetworkPlan plan) : IIlgpuOp
{
    private readonly int _sourceCapacity = plan.Buffers[op.Source].Channels;
    private readonly int _destinationCapacity = plan.Buffers[op.Destination].Channels;

    public void Launch(in IlgpuLaunch launch, in OpShape shape)
    {
        var g = new PoolGeometry(launch.Batch, op.Channels, _sourceCapacity, 0, shape.InHeight, shape.InWidth,
            _destinationCapacity, shape.OutHeight, shape.OutWidth, op.Kernel, op.Kernel, op.Stride, op.Padding);
        launch.Kernels.MaxPool(launch.Stream, launch.Activations[op.Source], launch.Activations[op.Destination], g);
    }

    public long Bytes => 0;

    public void Dispose()
    {
    }
}
