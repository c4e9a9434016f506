using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>
/// A plan step as the GPU kernel set prepares it (see <see cref="PlanFusion.Steps"/>): a conv with the norm fused
/// into its staging (<see cref="TiledConvStep"/>) or any other op alone (<see cref="SingleOpStep"/>).
/// </summary>
internal abstract class GpuSetStep(PlanStep outline) : IDisposable
{
    /// <summary>The plan ops this step covers.</summary>
    public PlanStep Outline => outline;

    /// <summary>Device memory of the step's parameters.</summary>
    public abstract long Bytes { get; }

    public abstract void Dispose();

    /// <exception cref="CheckpointException">A tensor an op names is missing or has the wrong size.</exception>
    /// <exception cref="NotSupportedException">An op kind this backend has no kernels for.</exception>
    public static GpuSetStep Prepare(NetworkPlan plan, PlanStep outline, BoundCheckpoint weights, Accelerator accelerator)
    {
        if (outline.Main is not ConvOp c)
            return new SingleOpStep(outline, IlgpuSteps.Prepare(plan, outline.LastOp, weights, accelerator));
        var conv = ConvStep.Prepare(c, plan, weights, accelerator);
        try
        {
            return new TiledConvStep(outline, conv, outline.Prologue is { } n ? NormStep.Prepare(n, plan, weights, accelerator) : null);
        }
        catch
        {
            conv.Dispose();
            throw;
        }
    }
}

/// <summary>A conv as one tiled launch, with the BatchNorm + ReLU (+ 2x2 average) before it as its staging prologue.</summary>
/// <param name="outline">The plan ops it computes: the conv and, when fused, the norm before it.</param>
/// <param name="conv">The conv's folded weights and bias.</param>
/// <param name="prologue">The fused norm's scale and shift, or null.</param>
internal sealed class TiledConvStep(PlanStep outline, ConvStep conv, NormStep? prologue) : GpuSetStep(outline)
{
    public ConvStep Conv => conv;

    public NormStep? Prologue => prologue;

    public override long Bytes => conv.Bytes + (prologue?.Bytes ?? 0);

    public override void Dispose()
    {
        conv.Dispose();
        prologue?.Dispose();
    }
}

/// <summary>Any other op, launched on its own through the kernel set (the head's norm and pool, the stem's max pool).</summary>
internal sealed class SingleOpStep(PlanStep outline, IIlgpuStep step) : GpuSetStep(outline)
{
    public IIlgpuStep Step => step;

    public override long Bytes => step.Bytes;

    public override void Dispose() => step.Dispose();
}
