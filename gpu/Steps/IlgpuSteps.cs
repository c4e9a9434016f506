using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>The ILGPU backend's one map from a plan op's kind to the step that prepares and launches it.</summary>
internal static class IlgpuSteps
{
    /// <exception cref="CheckpointException">A tensor the op names is missing or has the wrong size.</exception>
    /// <exception cref="NotSupportedException">An op kind this backend has no kernels for.</exception>
    public static IIlgpuStep Prepare(NetworkPlan plan, int index, BoundCheckpoint weights, Accelerator accelerator) => plan.Ops[index] switch
    {
        ConvOp c => ConvStep.Prepare(c, plan, weights, accelerator),
        BatchNormReluOp n => NormStep.Prepare(n, plan, weights, accelerator),
        MaxPoolOp m => new MaxPoolStep(m, plan),
        var other => throw new NotSupportedException($"{plan.Name}: op #{index} ({other.GetType().Name}) is not supported by the ILGPU backend."),
    };
}
