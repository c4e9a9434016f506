using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>`densenet convert`: the safetensors it writes checks, and predicts exactly as the source checkpoint does.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("densenet-convert-").FullName;

    [Fact]
    public void The_converted_embedded_net_predicts_exactly_as_the_original()
    {
        var output = Path.Combine(_folder, "fashion.safetensors");

        var convert = Run("convert", "--model", "fashion-mnist", "--out", output);
        var check = Run("check", "--weights", output);
        var original = Run("predict", Sample("sneaker.png"), Sample("bag.png"), "--json", "--topk", "10");
        var converted = Run("predict", Sample("sneaker.png"), Sample("bag.png"), "--json", "--topk", "10", "--weights", output);

        Assert.Equal(CliApp.Ok, convert.ExitCode);
        Assert.Contains("107 tensors", convert.Out);
        Assert.Contains("torch-zip, torchvision naming", convert.Out);
        Assert.Equal(CliApp.Ok, check.ExitCode);
        Assert.Contains("format      safetensors", check.Out);
        Assert.Equal(CliApp.Ok, converted.ExitCode);
        // Everything but the weights line, scores printed to the last digit, is the same.
        static IEnumerable<string> Scores(string json) => json.Split('\n').Where(l => !l.Contains("\"weights\"", StringComparison.Ordinal));
        Assert.Equal(Scores(original.Out), Scores(converted.Out));
    }

    [Fact]
    public void Out_equal_to_weights_is_a_usage_error()
    {
        var weights = Path.Combine(_folder, "w.pth");
        File.Copy(Reference("checkpoints", "torchvision.pth"), weights);

        var result = Run("convert", "--model", "densenet121", "--weights", weights, "--out", weights);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Equal(new FileInfo(Reference("checkpoints", "torchvision.pth")).Length, new FileInfo(weights).Length);
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_writes_nothing()
    {
        var output = Path.Combine(_folder, "no.safetensors");

        var result = Run("convert", "--model", "densenet121", "--weights", Reference("checkpoints", "torchvision.pth"), "--out", output);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("does not fit DenseNet121", result.Error);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
