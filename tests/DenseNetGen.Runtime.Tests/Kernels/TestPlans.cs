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

    /// <summary>max |Δ| ≤ 1e-4·max(1, max|ref|).</summary>
    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        double error = Math.Abs(expected[worst] - (double)actual[worst]);
        Assert.True(error <= 1e-4 * scale,
            $"{what}: max |Δ| {error:g3} at {worst} (expected {expected[worst]}, got {actual[worst]}) exceeds {1e-4 * scale:g3}.");
    }

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
