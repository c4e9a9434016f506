using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>Hand-built one- or two-op plans and the helpers that run and check them.</summary>
internal static class TestPlans
{
    public static NetworkPlan Plan(PlanBuffer[] buffers, PlanOp[] ops, int outputBuffer, int featureOpCount = -1, int featureBuffer = -1) =>
        new("TestPlan", buffers[0].Channels, 0, buffers[outputBuffer].Channels,
            buffers[featureBuffer < 0 ? outputBuffer : featureBuffer].Channels, buffers, ops,
            featureOpCount < 0 ? ops.Length : featureOpCount, featureBuffer < 0 ? outputBuffer : featureBuffer, outputBuffer,
            [], new PreprocessInfo([], [], 0, 0), null, 0, 0);

    public static BoundCheckpoint Weights(KernelReference reference) =>
        new(reference.Tensors, reference.Name + ".json", "json", "canonical");

    public static float[] Run(PlanExecutor executor, Tensor input, bool featuresOnly = false) =>
        executor.Run(input.Data, input.Shape[0], input.Shape[2], input.Shape[3], featuresOnly);

    /// <summary>Channels [from, to) of an NCHW array with <paramref name="channels"/> channels.</summary>
    public static float[] Channels(float[] data, int batch, int channels, int from, int to)
    {
        int plane = data.Length / (batch * channels);
        var result = new List<float>();
        for (int n = 0; n < batch; n++)
            result.AddRange(data.AsSpan((n * channels + from) * plane, (to - from) * plane).ToArray());
        return result.ToArray();
    }
}
