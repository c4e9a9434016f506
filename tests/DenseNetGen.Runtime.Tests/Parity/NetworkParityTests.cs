using DenseNetGen.Checkpoints;
using DenseNetGen.Inference;
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
    public static TheoryData<string> Networks() =>
        ["TinyCifarNet", "OddImageNet", "FashionMnistDenseNet", "DenseNet121", "DenseNet169", "DenseNet201", "DenseNet161"];

    [Theory]
    [MemberData(nameof(Networks))]
    public void OutputsEqualPyTorch(string name)
    {
        var plan = Definition(name);
        var reference = ParityReference.Load(name);
        using var model = Create(plan, DeterministicWeights.ForManifest(plan.Parameters));

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

    internal static NetworkPlan Definition(string name) => name switch
    {
        "TinyCifarNet" => TinyCifarNet.Definition,
        "OddImageNet" => OddImageNet.Definition,
        "FashionMnistDenseNet" => FashionMnistDenseNet.Definition,
        "DenseNet121" => DenseNet121.Definition,
        "DenseNet169" => DenseNet169.Definition,
        "DenseNet201" => DenseNet201.Definition,
        "DenseNet161" => DenseNet161.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    internal static DenseNetModel Create(NetworkPlan plan, IReadOnlyDictionary<string, Tensor> tensors) => plan.Name switch
    {
        "TinyCifarNet" => TinyCifarNet.FromTensors(tensors, TestDevice.Device),
        "OddImageNet" => OddImageNet.FromTensors(tensors, TestDevice.Device),
        "FashionMnistDenseNet" => FashionMnistDenseNet.FromTensors(tensors, TestDevice.Device),
        "DenseNet121" => DenseNet121.FromTensors(tensors, TestDevice.Device),
        "DenseNet169" => DenseNet169.FromTensors(tensors, TestDevice.Device),
        "DenseNet201" => DenseNet201.FromTensors(tensors, TestDevice.Device),
        "DenseNet161" => DenseNet161.FromTensors(tensors, TestDevice.Device),
        _ => throw new ArgumentOutOfRangeException(nameof(plan), plan.Name, null),
    };
}
