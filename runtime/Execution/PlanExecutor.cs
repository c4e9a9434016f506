using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>Runs a <see cref="NetworkPlan"/> with bound weights on one device. Not thread-safe.</summary>
internal sealed class PlanExecutor : IDisposable
{
    public PlanExecutor(NetworkPlan plan, BoundCheckpoint weights, ComputeDevice device) => throw new NotImplementedException();

    /// <summary>Runs the plan on NCHW input; returns logits [batch, NumClasses] or, with <paramref name="featuresOnly"/>, features [batch, FeatureChannels].</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width, bool featuresOnly) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
