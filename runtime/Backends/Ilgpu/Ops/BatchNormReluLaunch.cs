using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Ops;

/// <summary>A <see cref="BatchNormReluOp"/> on ILGPU: per-channel scale and shift, and the fused pool's window.</summary>
internal sealed class BatchNormReluLaunch : IIlgpuOp
{
    private readonly BatchNormReluOp _op;
    private readonly int _sourceCapacity, _destinationCapacity;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scale;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _shift;

    private BatchNormReluLaunch(BatchNormReluOp op, NetworkPlan plan, MemoryBuffer1D<float, Stride1D.Dense> scale, MemoryBuffer1D<float, Stride1D.Dense> shift)
    {
        _op = op;
        _sourceCapacity = plan.Buffers[op.Source].Channels;
        _destinationCapacity = plan.Buffers[op.Destination].Channels;
        _scale = scale;
        _shift = shift;
    }

    public static BatchNormReluLaunch Prepare(BatchNormReluOp n, NetworkPlan plan, BoundCheckpoint weights, Accelerator accelerator)
    {
        var (scale, shift) = BatchNormFolding.ScaleShift(weights, n.Norm, n.Channels);
        var scaleBuffer = accelerator.Allocate1D(Array.ConvertAll(scale, v => (float)v));
        try
        {
            return new BatchNormReluLaunch(n, plan, scaleBuffer, accelerator.Allocate1D(Array.ConvertAll(shift, v => (float)v)));
        }
        catch
        {
            scaleBuffer.Dispose();
            throw;
        }
    }

    public void Launch(in IlgpuLaunch launch, in OpShape shape)
    {
        var n = _op;
        var window = shape.Window;
        var g = new PoolGeometry(launch.Batch, n.Channels, _sourceCapacity, n.SourceChannelOffset, shape.InHeight, shape.InWidth,
            _destinationCapacity, shape.OutHeight, shape.OutWidth, window.Height, window.Width, window.StrideY, window.Padding);
        launch.Kernels.BatchNormRelu(launch.Stream, launch.Activations[n.Source], _scale.View, _shift.View, launch.Activations[n.Destination], g);
    }

    public void Dispose()
    {
        _scale.Dispose();
        _shift.Dispose();
    }
}
