using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Planning;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Parity;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The SIMD backend beyond what the parity suite (which runs on it whenever DENSENET_DEVICE is cpu or unset)
/// checks: answers independent of the thread count, and shapes that alternate between calls (the arena grows and
/// the bound ops are rebuilt) still giving PyTorch's answers.
/// </summary>
public sealed class SimdNetworkTests
{
    /// <summary>
    /// Each output element is computed by one tile in a fixed order, so threads change no bits, as long as every 3x3
    /// conv runs the same algorithm: Winograd's tile is chosen by tiles per thread (<c>WinogradChoice</c>), so the
    /// answers are compared bit for bit among the thread counts whose 3x3 steps name the same kinds, and all within
    /// the parity bar. The direct conv's answer is one for every thread count.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThreadCountDoesNotChangeTheAnswer(bool winograd)
    {
        var algorithm = winograd ? Conv3x3Algorithm.Winograd : Conv3x3Algorithm.Direct;
        var plan = OddImageNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var c = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases[^1];
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
        var geometry = PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]);

        var answers = new Dictionary<string, float[]>();
        foreach (int threads in new[] { 1, 2, 3, 7 })
        {
            using var pool = new WorkerPool(threads, spin: true);
            using var network = new SimdNetwork(plan, weights, pool, algorithm);
            using var shaped = network.ForShape(geometry);
            var logits = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            ParityAssert.Close(c.Logits, logits, $"{algorithm} on {threads} threads");
            string kinds = string.Join(", ", network.Steps.Select(step => step.Kind));
            if (answers.TryGetValue(kinds, out var first)) Assert.Equal(first, logits);
            else answers[kinds] = logits;
        }
        if (!winograd) Assert.Single(answers);
    }

    /// <summary>
    /// A network's steps are made on the pool's threads at load. A step that cannot be made, on the calling thread
    /// (the stem, the first step) or on a worker (the last conv), fails the load with the binder's own error naming the
    /// tensor, and the same pool then loads and runs the network with every tensor as before.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AStepThatCannotBeMadeFailsTheLoadWithItsOwnError(bool first)
    {
        var plan = TinyCifarNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var convs = plan.Parameters.Where(p => p.Shape.Count == 4).ToList();
        string key = (first ? convs[0] : convs[^1]).Name;
        var missing = weights with { Tensors = weights.Tensors.Where(t => t.Key != key).ToDictionary() };
        var c = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases[0];
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
        using var pool = new WorkerPool(2, spin: true);

        var e = Assert.Throws<CheckpointException>(() => new SimdNetwork(plan, missing, pool, Conv3x3Algorithm.Winograd));
        Assert.Equal(key, e.Key);
        Assert.Contains("the plan needs this tensor", e.Message);

        using var network = new SimdNetwork(plan, weights, pool, Conv3x3Algorithm.Winograd);
        using var shaped = network.ForShape(PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]));
        ParityAssert.Close(c.Logits, shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0], "after the failed load");
    }

    /// <summary>
    /// What threads waiting at a join prefetch: every conv step names the packed weights its launches stream, a
    /// Winograd step one range per transform element (16 for F(2x2), 36 for F(4x4)), each range non-empty and 64-byte
    /// aligned, within what the step reports packed, and no two ranges of a network overlap.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryConvStepNamesItsWeightsForPrefetch(bool winograd)
    {
        var plan = OddImageNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var pool = new WorkerPool(2, spin: true);
        using var network = new SimdNetwork(plan, weights, pool, winograd ? Conv3x3Algorithm.Winograd : Conv3x3Algorithm.Direct);
        // At 224x224 the first block's maps are large enough for Winograd at every vector width.
        using var shaped = network.ForShape(PlanGeometry.Compute(plan, 1, 224, 224));
        var input = DeterministicWeights.Input(1, plan.InChannels, 224, 224);
        shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null);

        var all = new List<WeightRange>();
        foreach (var step in network.Steps)
        {
            var ranges = step.WeightRanges.ToList();
            if (step.Kind.Contains("Winograd F(2x2")) Assert.Equal(16, ranges.Count);
            else if (step.Kind.Contains("Winograd F(4x4")) Assert.Equal(36, ranges.Count);
            else if (step.Kind.Contains("conv") || step.Kind.Contains("1x1")) Assert.Single(ranges); // transitions: "BN-ReLU-avgpool + 1x1"
            else Assert.Empty(ranges);
            Assert.All(ranges, r => Assert.True(r.Bytes > 0 && r.Start % 64 == 0, $"{step.Kind}: {r}"));
            // The ranges are the bulk of what the step packed: all but its bias (and a 1x1 conv's scale and shift), or,
            // for a 3x3 conv that chooses per shape, the chosen variant's share beside the folded weights it keeps.
            long named = ranges.Sum(r => r.Bytes);
            Assert.True(named <= step.WeightBytes, $"{step.Kind}: {named} bytes named, {step.WeightBytes} packed");
            if (!winograd && ranges.Count > 0) Assert.True(named >= 0.75 * step.WeightBytes, $"{step.Kind}: {named} bytes named, {step.WeightBytes} packed");
            all.AddRange(ranges);
        }
        Assert.Contains(network.Steps, s => s.Kind.Contains(winograd ? "Winograd" : "3x3/1 conv"));
        var sorted = all.OrderBy(r => r.Start).ToList();
        for (int i = 1; i < sorted.Count; i++)
            Assert.True(sorted[i - 1].Start + (nint)sorted[i - 1].Bytes <= sorted[i].Start, $"{sorted[i - 1]} overlaps {sorted[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void TheDeviceLineNamesTheThreads(int threads)
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(Threads: threads));
        Assert.Contains($"{threads} thread", device.Description);
    }

    [Fact]
    public void AlternatingShapesKeepTheirAnswers()
    {
        var plan = TinyCifarNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var cases = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases;
        using var device = ComputeDevice.Open(DeviceKind.Cpu);
        using var executor = new PlanExecutor(plan, weights, device);
        for (int round = 0; round < 3; round++)
            foreach (var c in round % 2 == 0 ? cases : cases.Reverse())
            {
                var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
                var (logits, features) = executor.RunWithFeatures(input, c.Batch, c.InputShape[2], c.InputShape[3]);
                ParityAssert.Close(c.Logits, logits, $"round {round} {c} logits");
                ParityAssert.Close(c.Features, features, $"round {round} {c} features");
            }
    }
}
