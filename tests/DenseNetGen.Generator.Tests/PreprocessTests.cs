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

    /// <summary>Three channels default to torchvision's ImageNet normalisation (mean 0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225 on a 0-1 scale, times 255), resize 256, crop 224.</summary>
    [Fact]
    public void Rgb_input_defaults_to_imagenet_normalisation()
    {
        var plan = Card(DiagnosticTests.Spec(("inChannels", "3"), ("inputSize", "30")));

        Assert.Equal(new[] { 0.485f * 255, 0.456f * 255, 0.406f * 255 }, plan.Preprocess.Mean, new ToleranceComparer(1e-4f));
        Assert.Equal(new[] { 0.229f * 255, 0.224f * 255, 0.225f * 255 }, plan.Preprocess.Std, new ToleranceComparer(1e-4f));
        Assert.Equal((256, 224), (plan.Preprocess.ResizeShortEdge, plan.Preprocess.CropSize));
    }

    [Fact]
    public void A_preprocess_block_s_unknown_field_is_a_warning()
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json",
            DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32, \"scale\": 2}")));

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG015", "Unknown field 'scale' is ignored"), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Single(run.Result.GeneratedSources);
    }

    private static ModelCard Card(string spec)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", spec);
        Assert.Empty(run.GeneratorDiagnostics);
        return (ModelCard)run.Load().GetExportedTypes().Single().GetProperty("Card")!.GetValue(null)!;
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Abs(y);

        public int GetHashCode(float obj) => 0;
    }
}
