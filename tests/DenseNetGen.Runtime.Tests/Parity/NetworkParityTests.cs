using DenseNetGen.Checkpoints;
using DenseNetGen.Inference;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Parity;

/// <summary>
/// Every generated network, with deterministic weights, against PyTorch's outputs for the same weights and
/// input: logits and features within the parity bar, and the same top-1 for every image. Runs on the device
/// DENSENET_DEVICE names, so CI repeats it on OpenCL.
/// </summary>
public sealed class NetworkParityTests
{
    public static TheoryData<string> Networks() => [.. s_networks.Keys];

    /// <summary>Every generated network's plan, by name: the zoo and the test specs.</summary>
    internal static IReadOnlyDictionary<string, NetworkPlan> Plans => s_networks.ToDictionary(n => n.Key, n => n.Value.Definition);

    [Theory]
    [MemberData(nameof(Networks))]
    public void OutputsEqualPyTorch(string name)
    {
        var network = s_networks[name];
        var plan = network.Definition;
        var reference = ParityReference.Load(RepositoryPaths.References("parity"), name);
        using var model = network.Create(DeterministicWeights.ForManifest(plan.Parameters));

        foreach (var c in reference.Cases)
        {
            var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
            var (logits, features) = model.Infer(input, c.Batch, c.InputShape[2], c.InputShape[3]);

            ParityAssert.Close(c.Logits, logits, $"{name} {c} logits");
            ParityAssert.Close(c.Features, features, $"{name} {c} features");
            for (int n = 0; n < c.Batch; n++)
                Assert.Equal(Top1(c.Logits, n, plan.NumClasses), Top1(logits, n, plan.NumClasses));
        }
    }

    private static int Top1(float[] logits, int row, int classes) =>
        Scores.TopK(logits.AsSpan(row * classes, classes), 1)[0];

    private sealed record Network(NetworkPlan Definition, Func<IReadOnlyDictionary<string, Tensor>, DenseNetModel> Create);

    private static readonly Dictionary<string, Network> s_networks = new()
    {
        ["TinyCifarNet"] = new(TinyCifarNet.Definition, t => TinyCifarNet.FromTensors(t, TestDevice.Device)),
        ["OddImageNet"] = new(OddImageNet.Definition, t => OddImageNet.FromTensors(t, TestDevice.Device)),
        ["FashionMnistDenseNet"] = new(FashionMnistDenseNet.Definition, t => FashionMnistDenseNet.FromTensors(t, TestDevice.Device)),
        ["DenseNet121"] = new(DenseNet121.Definition, t => DenseNet121.FromTensors(t, TestDevice.Device)),
        ["DenseNet169"] = new(DenseNet169.Definition, t => DenseNet169.FromTensors(t, TestDevice.Device)),
        ["DenseNet201"] = new(DenseNet201.Definition, t => DenseNet201.FromTensors(t, TestDevice.Device)),
        ["DenseNet161"] = new(DenseNet161.Definition, t => DenseNet161.FromTensors(t, TestDevice.Device)),
    };
}
