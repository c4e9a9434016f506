using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>
/// The self-test's network: a DenseNet in miniature whose ops reach every kernel a device runs DenseNets with,
/// with deterministic weights and input (<see cref="DeterministicWeights"/>). Batch 2 of 3×32×32:
/// <list type="bullet">
/// <item>stem: 7x7 stride-2 conv with its norm folded, then 3x3 stride-2 max pool (16x16 → 8x8);</item>
/// <item>block 1, two layers: norm + 1x1 conv over 64 and 96 channels (K ≤ 112 rows: never split), 3x3 convs over
/// 64 channels on an 8x8 map (one haloed block per image pair, so split K on any device);</item>
/// <item>transition: norm + 2x2 average pool + 1x1 conv over 128 channels on 2×4×4 pixels (one tile, K split);</item>
/// <item>block 2, one layer on the 4x4 map (images stacked in one haloed block);</item>
/// <item>head: norm + ReLU + global pool, then the classifier.</item>
/// </list>
/// Which of those a backend splits depends on its multiprocessors; the tests check the GPU set's launch plan.
/// </summary>
internal static class SelfTestPlan
{
    public const int Batch = 2;
    public const int Size = 32;

    private const int InChannels = 3;
    private const int Stem = 64;
    private const int Growth = 32;
    private const int Bottleneck = 64;
    private const int Classes = 10;

    /// <summary>The plan, its deterministic weights and input.</summary>
    public static (NetworkPlan Plan, BoundCheckpoint Weights, float[] Input) Create()
    {
        var ops = new List<PlanOp>();
        var parameters = new List<ParameterInfo>();
        void Conv(int source, int inChannels, int destination, int offset, int outChannels, int kernel, int stride, int padding, string name, string? norm, bool relu)
        {
            ops.Add(new ConvOp(source, 0, inChannels, destination, offset, outChannels, kernel, stride, padding, name + ".weight", null, norm, relu));
            parameters.Add(new(name + ".weight", [outChannels, inChannels, kernel, kernel]));
            if (norm is not null) Norm(norm, outChannels);
        }
        void Norm(string name, int channels)
        {
            foreach (var leaf in new[] { "weight", "bias", "running_mean", "running_var" })
                parameters.Add(new($"{name}.{leaf}", [channels]));
        }
        void NormOp(int source, int channels, int destination, string name, PoolKind pool)
        {
            ops.Add(new BatchNormReluOp(source, 0, channels, destination, name, pool));
            Norm(name, channels);
        }
        void Layer(int block, int norm, int bottleneck, int channels, string name)
        {
            NormOp(block, channels, norm, name + ".norm1", PoolKind.None);
            Conv(norm, channels, bottleneck, 0, Bottleneck, 1, 1, 0, name + ".conv1", name + ".norm2", relu: true);
            Conv(bottleneck, Bottleneck, block, channels, Growth, 3, 1, 1, name + ".conv2", null, relu: false);
        }

        // One size per buffer (scratch buffers per block), so the self-test can read any op's output as it was written.
        PlanBuffer[] buffers =
        [
            new("input", InChannels), new("stem", Stem), new("block1", Stem + 2 * Growth), new("norm1", Stem + Growth),
            new("bottleneck1", Bottleneck), new("pooled", Stem + 2 * Growth), new("block2", Stem + Growth), new("norm2", Stem),
            new("bottleneck2", Bottleneck), new("features", Stem + Growth), new("logits", Classes),
        ];
        Conv(0, InChannels, 1, 0, Stem, 7, 2, 3, "features.conv0", "features.norm0", relu: true);
        ops.Add(new MaxPoolOp(1, Stem, 2, 3, 2, 1));
        Layer(2, 3, 4, Stem, "features.denseblock1.denselayer1");
        Layer(2, 3, 4, Stem + Growth, "features.denseblock1.denselayer2");
        NormOp(2, Stem + 2 * Growth, 5, "features.transition1.norm", PoolKind.Average2x2);
        Conv(5, Stem + 2 * Growth, 6, 0, Stem, 1, 1, 0, "features.transition1.conv", null, relu: false);
        Layer(6, 7, 8, Stem, "features.denseblock2.denselayer1");
        NormOp(6, Stem + Growth, 9, "features.norm5", PoolKind.Global);
        int featureOps = ops.Count;
        ops.Add(new ConvOp(9, 0, Stem + Growth, 10, 0, Classes, 1, 1, 0, "classifier.weight", "classifier.bias", null, false));
        parameters.Add(new("classifier.weight", [Classes, Stem + Growth]));
        parameters.Add(new("classifier.bias", [Classes]));

        var plan = new NetworkPlan("SelfTestNet", InChannels, Size, Classes, Stem + Growth, buffers, ops, featureOps, 9, 10, parameters, []);
        var weights = new BoundCheckpoint(DeterministicWeights.ForManifest(parameters), "self-test", "deterministic", "canonical");
        return (plan, weights, DeterministicWeights.Input(Batch, InChannels, Size, Size));
    }
}
