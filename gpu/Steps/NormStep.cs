using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>A <see cref="BatchNormReluOp"/> on ILGPU: per-channel scale and shift, and the fused pool's window.</summary>
internal sealed class NormStep : IIlgpuStep
{
    private readonly BatchNormReluOp _op;
    private readonly int _sourceCapacity, _destinationCapacity;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scale;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _shift;

    private NormStep(BatchNormReluOp op, NetworkPlan plan, MemoryBuffer1D<float, Stride1D.Dense> scale, MemoryBuffer1D<float, Stride1D.Dense> shift)
    {
        _op = op;
        _sourceCapacity = plan.Buffers[op.Source].Channels;
        _destinationCapacity = plan.Buffers[op.Destination].Channels;
        _scale = scale;
        _shift = shift;
    }

    public static NormStep Prepare(BatchNormReluOp n, NetworkPlan plan, BoundCheckpoint weights, Accelerator accelerator)
    {
        var (scale, shift) = BatchNormFolding.ScaleShift(weights, n.Norm, n.Channels);
        var (scaleBuffer, shiftBuffer) = DeviceBuffers.Upload(accelerator, Array.ConvertAll(scale, v => (float)v), Array.ConvertAll(shift, v => (float)v));
        return new NormStep(n, plan, scaleBuffer, shiftBuffer);
    }

    public void Launch(in LaunchContext context, in OpShape shape) =>
        context.Kernels.BatchNormRelu(context.Stream, context.Activations[_op.Source], Scale, Shift, context.Activations[_op.Destination], Geometry(context.Batch, shape));

    /// <summary>The launch parameters for one input shape.</summary>
    public PoolGeometry Geometry(int batch, in OpShape shape)
    {
        var n = _op;
        var window = shape.Window;
        return new PoolGeometry(batch, n.Channels, _sourceCapacity, n.SourceChannelOffset, shape.InHeight, shape.InWidth,
            _destinationCapacity, shape.OutHeight, shape.OutWidth, window.Height, window.Width, window.StrideY, window.Padding);
    }

    public BatchNormReluOp Op => _op;

    /// <summary>Per-channel BatchNorm scale γ/√(var+ε).</summary>
    public ArrayView<float> Scale => _scale.View;

    /// <summary>Per-channel BatchNorm shift β − mean·scale.</summary>
    public ArrayView<float> Shift => _shift.View;

    public long Bytes => _scale.LengthInBytes + _shift.LengthInBytes;

    public void Dispose()
    {
        _scale.Dispose();
        _shift.Dispose();
    }
}
