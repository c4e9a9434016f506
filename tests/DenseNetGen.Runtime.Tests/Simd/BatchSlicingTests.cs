using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// Batch slices (<see cref="BatchSlicing"/>): however the leading steps are sliced, each thread running its own slices
/// with its own copy of the per-slice buffers, the outputs are PyTorch's, and with the direct 3x3 conv they equal the
/// unsliced run bit for bit (Winograd's tile is chosen for the slice's batch, as for any batch, so its roundings may
/// differ); and the choice slices DenseNet-121's large maps at batch 8, nothing at batch 1, nothing when threads would
/// get unequal shares.
/// </summary>
public sealed class BatchSlicingTests
{
    public static TheoryData<string> Networks() => ["OddImageNet", "TinyCifarNet"];

    [Theory]
    [MemberData(nameof(Networks))]
    public void EverySlicingGivesPyTorchsAnswersAndTheUnslicedBits(string name)
    {
        var plan = name == "OddImageNet" ? OddImageNet.Definition : TinyCifarNet.Definition;
        var (c, input, geometry) = BatchOfTwo(plan);
        using var pool = new WorkerPool(2, spin: true);
        foreach (var algorithm in new[] { Conv3x3Algorithm.Winograd, Conv3x3Algorithm.Direct })
        {
            using var network = new SimdNetwork(plan, Weights(plan), pool, algorithm);
            int steps = network.Steps.Count, half = End(plan, geometry, steps / 2);
            var (logits, features) = Run(network, plan, geometry, BatchSlicing.None(c.Batch), input);
            ParityAssert.Close(c.Logits, logits, $"{algorithm} unsliced logits");
            // The stem alone; about half the steps; every step, the classifier too; each with one copy (the slices one
            // after another) and with two (both threads at once, at different steps).
            foreach (var slicing in new BatchSlicing[] { new(1, 1, 2), new(half, 1, 1), new(half, 1, 2), new(steps, 1, 2) })
            {
                var (slicedLogits, slicedFeatures) = Run(network, plan, geometry, slicing, input);
                ParityAssert.Close(c.Logits, slicedLogits, $"{algorithm} {slicing} logits");
                ParityAssert.Close(c.Features, slicedFeatures, $"{algorithm} {slicing} features");
                // Features alone stop inside the sliced steps when every step is sliced: the classifier must not run.
                using var shaped = network.ForShape(geometry, slicing);
                var featuresAlone = shaped.Run(input, plan.FeatureOpCount, [plan.FeatureBuffer], null)[0];
                Assert.Equal(slicedFeatures, featuresAlone);
                if (algorithm != Conv3x3Algorithm.Direct) continue;
                Assert.Equal(logits, slicedLogits);
                Assert.Equal(features, slicedFeatures);
            }
        }
    }

    /// <summary>
    /// DenseNet-121's batch of two at 224x192, both threads running their image through about half the steps (into
    /// the 14x14 maps, the bottleneck used at three sizes): PyTorch's answers and the unsliced bits. One slicing only:
    /// CI runs this with software vectors too, where a pass takes tens of seconds.
    /// </summary>
    [Fact]
    public void DenseNet121SlicedThroughHalfItsStepsGivesPyTorchsAnswersAndTheUnslicedBits()
    {
        var plan = DenseNet121.Definition;
        var (c, input, geometry) = BatchOfTwo(plan);
        using var pool = new WorkerPool(2, spin: true);
        using var network = new SimdNetwork(plan, Weights(plan), pool, Conv3x3Algorithm.Direct);
        var slicing = new BatchSlicing(End(plan, geometry, network.Steps.Count / 2), 1, 2);
        Assert.True(geometry.Ops[network.Steps[slicing.Steps - 1].LastOp].OutHeight == 14, "the slices end inside the 14x14 maps");

        var (logits, features) = Run(network, plan, geometry, BatchSlicing.None(2), input);
        var (slicedLogits, slicedFeatures) = Run(network, plan, geometry, slicing, input);
        ParityAssert.Close(c.Logits, slicedLogits, $"{slicing} logits");
        ParityAssert.Close(c.Features, slicedFeatures, $"{slicing} features");
        Assert.Equal(logits, slicedLogits);
        Assert.Equal(features, slicedFeatures);
    }

    /// <summary>
    /// Batch 5 in slices of 2 (the last holds one) on three copies, more than the pool's one thread, and traced op by op
    /// as the profile runs it: the unsliced bits (direct 3x3 convs), and every op reported finished once per slice or once.
    /// </summary>
    [Fact]
    public void AShortLastSliceAndMoreCopiesThanThreadsGiveTheUnslicedBits()
    {
        AssertUnslicedBits(new BatchSlicing(0, 2, 3), threads: 1, traced: true);
    }

    /// <summary>
    /// Five slices on three threads at once (runs of 1, 2 and 2 slices): each run with its own copy of the per-slice
    /// buffers, so the threads never share one; rounds repeated, since a shared copy shows only when two runs overlap.
    /// </summary>
    [Fact]
    public void UnevenRunsOfSlicesOnThreeThreadsGiveTheUnslicedBits()
    {
        Assert.Equal([0, 1, 1, 2, 2], Enumerable.Range(0, 5).Select(i => SlicedSteps<Vec128>.TileOf(i, 5, 3)));
        for (int round = 0; round < 20; round++)
            AssertUnslicedBits(new BatchSlicing(0, 1, 3), threads: 3, traced: false);
    }

    /// <summary>TinyCifarNet at batch 5, 29x29, with <paramref name="slicing"/> (its steps: as many as may end before the last).</summary>
    private static void AssertUnslicedBits(BatchSlicing slicing, int threads, bool traced)
    {
        var plan = TinyCifarNet.Definition;
        var geometry = PlanGeometry.Compute(plan, 5, 29, 29);
        var input = DeterministicWeights.Input(5, plan.InChannels, 29, 29);
        using var pool = new WorkerPool(threads, spin: threads > 1);
        using var network = new SimdNetwork(plan, Weights(plan), pool, Conv3x3Algorithm.Direct);
        slicing = slicing with { Steps = End(plan, geometry, network.Steps.Count - 1) };

        var (logits, features) = Run(network, plan, geometry, BatchSlicing.None(5), input);
        var (slicedLogits, slicedFeatures) = Run(network, plan, geometry, slicing, input);
        Assert.Equal(logits, slicedLogits);
        Assert.Equal(features, slicedFeatures);
        if (!traced) return;

        using var shaped = network.ForShape(geometry, slicing);
        var finished = new int[plan.Ops.Count];
        Assert.Equal(logits, shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], op => finished[op]++)[0]);
        int slices = slicing.Slices(5).Count();
        for (int op = 0; op < plan.Ops.Count; op++)
        {
            int step = network.Steps.ToList().FindIndex(s => s.FirstOp <= op && op <= s.LastOp);
            int expected = step < 0 ? 0 : step < slicing.Steps ? slices : 1;
            Assert.True(expected == finished[op], $"op {op} finished {finished[op]} times, expected {expected}");
        }
    }

    /// <summary>
    /// In a DenseNet the slices may stop after any step but a dense layer's 1x1 conv past the first block: the
    /// bottleneck it writes, which the slices then have used at two map sizes, would be read by the 3x3 conv after them.
    /// </summary>
    [Fact]
    public void SlicesStopAnywhereButBetweenADenseLayersTwoConvs()
    {
        var plan = DenseNet121.Definition;
        var outline = Outline(plan);
        var geometry = PlanGeometry.Compute(plan, 4, 224, 224);
        int bottleneck = plan.Buffers.ToList().FindIndex(b => b.Name == "bottleneck");
        for (int count = 1; count <= outline.Count; count++)
            Assert.True(BatchSlicing.CanEndAt(plan, geometry, outline, count)
                == (outline[count - 1].Destination != bottleneck || geometry.Ops[outline[count - 1].LastOp].OutHeight == 56),
                $"slices through step {count - 1} ({outline[count - 1].Main.GetType().Name})");
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 2)] // two threads, three images: one thread would run two slices while the other waits
    [InlineData(6, 4)]
    public void NothingIsSlicedForSmallOrUnevenBatches(int batch, int threads)
    {
        var plan = DenseNet121.Definition;
        var outline = Outline(plan);
        var geometry = PlanGeometry.Compute(plan, batch, 224, 224);
        Assert.Equal(BatchSlicing.None(batch), BatchSlicing.Choose(plan, geometry, outline, threads));
    }

    /// <summary>
    /// DenseNet-121 at batch 8 on one and two threads: image by image from the stem up to the first step on a 14x14
    /// map (where batch 8 is faster than images one at a time), each thread its own images.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DenseNet121AtBatch8IsSlicedThroughThe28x28Maps(int threads)
    {
        var plan = DenseNet121.Definition;
        var outline = Outline(plan);
        var geometry = PlanGeometry.Compute(plan, 8, 224, 224);
        var slicing = BatchSlicing.Choose(plan, geometry, outline, threads);

        int first14 = Enumerable.Range(0, outline.Count).First(s => geometry.Ops[outline[s].FirstOp].InHeight == 14);
        Assert.Equal(new BatchSlicing(first14, 1, threads), slicing);
        Assert.Equal(8, slicing.Slices(8).Count());
    }

    private static BoundCheckpoint Weights(NetworkPlan plan) => CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);

    private static (ParityCase Case, float[] Input, PlanGeometry Geometry) BatchOfTwo(NetworkPlan plan)
    {
        var c = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases.Single(c => c.Batch == 2);
        return (c, DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]),
            PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]));
    }

    /// <summary>The plan's steps as the SIMD backend fuses them: every 1x1 stride-1 conv takes the norm before it.</summary>
    private static IReadOnlyList<PlanStep> Outline(NetworkPlan plan) => PlanFusion.Steps(plan, c => c is { Kernel: 1, Stride: 1, Padding: 0 });

    /// <summary>The most steps up to <paramref name="target"/> the slices may run (<see cref="BatchSlicing.CanEndAt"/>); at least one.</summary>
    private static int End(NetworkPlan plan, PlanGeometry geometry, int target)
    {
        var outline = Outline(plan);
        while (!BatchSlicing.CanEndAt(plan, geometry, outline, target)) target--;
        Assert.True(target > 1, "no end past the stem");
        return target;
    }

    private static (float[] Logits, float[] Features) Run(SimdNetwork network, NetworkPlan plan, PlanGeometry geometry, BatchSlicing slicing, float[] input)
    {
        using var shaped = network.ForShape(geometry, slicing);
        var results = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer, plan.FeatureBuffer], null);
        return (results[0], results[1]);
    }
}
