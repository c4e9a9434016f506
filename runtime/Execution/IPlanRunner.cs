using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>A plan with bound weights, ready to run on one device's backend.</summary>
internal interface IPlanRunner : IDisposable
{
    /// <summary>Logits [batch, NumClasses] or, with <paramref name="featuresOnly"/>, features [batch, FeatureChannels].</summary>
    float[] Run(ReadOnlySpan<float> input, int batch, int height, int width, bool featuresOnly);

    /// <summary>The whole plan once: logits and pooled features.</summary>
    (float[] Logits, float[] Features) RunWithFeatures(ReadOnlySpan<float> input, int batch, int height, int width);
}

internal static class PlanRunner
{
    /// <summary>The SIMD executor on the SIMD CPU device, the ILGPU executor on any other.</summary>
    public static IPlanRunner Create(NetworkPlan plan, BoundCheckpoint weights, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Pool is { } pool
            ? new SimdExecutor(plan, weights, pool, device.Gate)
            : new PlanExecutor(plan, weights, device);
    }
}
