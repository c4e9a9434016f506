using DenseNetGen.Planning;

namespace DenseNetGen.Generator.Tests;

/// <summary>Preprocessing defaults and float literals that survive the trip through C# source.</summary>
public class PreprocessTests
{
    [Fact]
    public void Explicit_values_round_trip_exactly()
    {
        var spec = DiagnosticTests.Spec(("preprocess", "{\"mean\": [0.1, 1e-7, 123.675], \"std\": [3.4028234e38, 0.3333333333, 1], \"resize\": 40, \"crop\": 32}"));

        var plan = Card(spec);

        Assert.Equal(new[] { 0.1f, 1e-7f, 123.675f }, plan.Preprocess.Mean);
        Assert.Equal(new[] { 3.4028234e38f, 0.3333333333f, 1f }, plan.Preprocess.Std);
        Assert.Equal((40, 32), (plan.Preprocess.ResizeShortEdge, plan.Preprocess.CropSize));
    }

    [Fact]
    public void Non_rgb_input_defaults_to_identity_normalisation_at_input_size()
    {
        var plan = Card(DiagnosticTests.Spec(("inChannels", "2"), ("inputSize", "30")));

        Assert.Equal(new[] { 0f, 0f }, plan.Preprocess.Mean);
        Assert.Equal(new[] { 1f, 1f }, plan.Preprocess.Std);
        Assert.Equal((30, 30), (plan.Preprocess.ResizeShortEdge, plan.Preprocess.CropSize));
    }

    private static ModelCard Card(string spec)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", spec);
        Assert.Empty(run.GeneratorDiagnostics);
        return (ModelCard)run.Load().GetExportedTypes().Single().GetProperty("Card")!.GetValue(null)!;
    }
}
