using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The SIMD backend run directly (whatever device DENSENET_DEVICE names) on every generated network with
/// deterministic weights, against PyTorch's logits and features: the parity bar and the same top-1. CI reruns it
/// with the wider vector widths switched off, so each width is checked.
/// </summary>
public sealed class SimdParityTests
{
    public static TheoryData<string> Networks() => [.. s_plans.Keys];

    [Theory]
    [MemberData(nameof(Networks))]
    public void OutputsEqualPyTorch(string name)
    {
        var plan = s_plans[name];
        var reference = ParityReference.Load(RepositoryPaths.References("parity"), name);
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var executor = new SimdExecutor(plan, weights);

        foreach (var c in reference.Cases)
        {
            var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
            var (logits, features) = executor.RunWithFeatures(input, c.Batch, c.InputShape[2], c.InputShape[3]);
            ParityAssert.Close(c.Logits, logits, $"{name} {c} logits ({executor.Description})");
            ParityAssert.Close(c.Features, features, $"{name} {c} features ({executor.Description})");
            // A second call at the same shape reuses the bound ops and must give the same answer.
            Assert.Equal(logits, executor.Run(input, c.Batch, c.InputShape[2], c.InputShape[3], featuresOnly: false));
        }
    }

    private static readonly Dictionary<string, NetworkPlan> s_plans = new()
    {
        ["TinyCifarNet"] = TinyCifarNet.Definition,
        ["OddImageNet"] = OddImageNet.Definition,
        ["FashionMnistDenseNet"] = FashionMnistDenseNet.Definition,
        ["DenseNet121"] = DenseNet121.Definition,
        ["DenseNet169"] = DenseNet169.Definition,
        ["DenseNet201"] = DenseNet201.Definition,
        ["DenseNet161"] = DenseNet161.Definition,
    };
}
