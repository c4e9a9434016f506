using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends;
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
    [Fact]
    public void ThreadCountDoesNotChangeTheAnswer()
    {
        var plan = OddImageNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var c = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases[^1];
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);

        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 7 })
        {
            using var device = ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(Threads: threads));
            using var executor = new PlanExecutor(plan, weights, device);
            Assert.Contains($"{threads} thread", device.Description);
            var logits = executor.Run(input, c.Batch, c.InputShape[2], c.InputShape[3], featuresOnly: false);
            ParityAssert.Close(c.Logits, logits, $"{threads} threads");
            // Each output element is computed by one tile in a fixed order, so the bits agree too.
            if (first is null) first = logits;
            else Assert.Equal(first, logits);
        }
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
