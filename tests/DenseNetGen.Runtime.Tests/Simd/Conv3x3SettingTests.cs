using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// DENSENET_CONV3X3: both algorithms give PyTorch's answers, Winograd runs where the choice table puts it (the
/// 28x28 maps of the Fashion-MNIST net at every width) and nowhere under <c>direct</c>, and a bad value is refused.
/// </summary>
public sealed class Conv3x3SettingTests
{
    [Theory]
    [InlineData("winograd", true)]
    [InlineData("direct", false)]
    public void EachAlgorithmGivesPyTorchsAnswersWithTheStepsItNames(string setting, bool winograd)
    {
        var algorithm = Conv3x3Setting.Parse(setting);
        var plan = FashionMnistDenseNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var pool = new WorkerPool(2, spin: true);
        using var network = new SimdNetwork(plan, weights, pool, algorithm);

        Assert.Equal(winograd, network.Steps.Any(s => s.Kind.Contains("Winograd")));
        foreach (var c in ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases)
        {
            var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
            var geometry = PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]);
            using var shaped = network.ForShape(geometry);
            var logits = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            ParityAssert.Close(c.Logits, logits, $"{algorithm} {c}");
        }
    }

    [Theory]
    [InlineData(null, "winograd")]
    [InlineData(" ", "winograd")]
    [InlineData("Direct", "direct")]
    [InlineData("WINOGRAD", "winograd")]
    public void ValuesAreReadCaseInsensitively(string? value, string expected) =>
        Assert.Equal(expected, Conv3x3Setting.Name(Conv3x3Setting.Parse(value)));

    [Fact]
    public void AnUnknownValueIsRefusedNamingTheChoices()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Conv3x3Setting.Parse("fft"));
        Assert.Equal("DENSENET_CONV3X3", error.Setting);
        Assert.Equal("DENSENET_CONV3X3: unknown 3x3 conv algorithm 'fft'; expected winograd or direct.", error.Message);
    }
}
