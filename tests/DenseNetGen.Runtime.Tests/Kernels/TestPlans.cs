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
            Parameters: [], Stages: []);

    /// <summary>
    /// kernels/dense_layer.json's layer as the generator plans it: norm1 + ReLU, 1x1 conv with norm2 folded + ReLU,
    /// 3x3 conv appending 8 channels at channel 16 of a 24-channel block.
    /// </summary>
    public static NetworkPlan DenseLayer() =>
        Plan([new("block", 24), new("norm", 16), new("bottleneck", 32)],
            [
                new BatchNormReluOp(0, 0, 16, 1, "norm1", PoolKind.None),
                new ConvOp(1, 0, 16, 2, 0, 32, 1, 1, 0, "conv1.weight", null, "norm2", true),
                new ConvOp(2, 0, 32, 0, 16, 8, 3, 1, 1, "conv2.weight", null, null, false),
            ],
            outputBuffer: 0);

    /// <summary>kernels/transition.json's transition: norm + ReLU + 2x2 average pool, then the 1x1 conv.</summary>
    public static NetworkPlan Transition() =>
        Plan([new("input", 12), new("norm", 12), new("output", 6)],
            [
                new BatchNormReluOp(0, 0, 12, 1, "norm", PoolKind.Average2x2),
                new ConvOp(1, 0, 12, 2, 0, 6, 1, 1, 0, "conv.weight", null, null, false),
            ],
            outputBuffer: 2);

    /// <summary>One conv "conv.weight" from buffer 0 to buffer 1, no bias, no folded norm, no ReLU.</summary>
    public static NetworkPlan Conv(int inChannels, int outChannels, int kernel, int stride, int padding) =>
        Plan([new("input", inChannels), new("output", outChannels)],
            [new ConvOp(0, 0, inChannels, 1, 0, outChannels, kernel, stride, padding, "conv.weight", null, null, false)],
            outputBuffer: 1);

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
