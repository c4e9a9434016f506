using System.Text.Json;
using DenseNetGen.Data;
using DenseNetGen.Runtime.Tests;
using DenseNetGen.Zoo;
using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// The embedded Fashion-MNIST net against PyTorch's own figures for the same checkpoint
/// (tests/references/parity/fashion_mnist_eval.json, made by tools/eval_fashion_mnist.py).
/// </summary>
public sealed class EmbeddedModelTests
{
    private static readonly string FashionMnist = RepositoryPaths.FashionMnist;
    private static readonly JsonElement PyTorch = LoadEvaluation();

    [Theory]
    [InlineData("ankle-boot.png", "Ankle boot")]
    [InlineData("bag.png", "Bag")]
    [InlineData("dress.png", "Dress")]
    [InlineData("sneaker.png", "Sneaker")]
    [InlineData("trouser.png", "Trouser")]
    public void PredictNamesTheSampleClass(string sample, string label)
    {
        var result = Run("predict", Sample(sample), "--json");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var prediction = json.RootElement.GetProperty("predictions")[0];
        Assert.Equal(label, prediction.GetProperty("pred_class").GetString());
        Assert.Equal(5, prediction.GetProperty("topk").GetArrayLength());
    }

    [Fact]
    public void LogitsOfTheFirstTestImagesEqualPyTorch()
    {
        var expected = PyTorch.GetProperty("firstLogits").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle()).ToArray();
        int count = PyTorch.GetProperty("firstLogits").GetArrayLength();
        using var classifier = DenseNets.Default();
        var batch = FashionMnistDataset.Open(FashionMnist, FashionMnistSplit.Test).LoadBatch(classifier.Preprocessor, 0, count);

        var logits = classifier.Model.Forward(batch.Data, count, 28, 28);

        ParityAssert.Close(expected, logits, $"first {count} Fashion-MNIST test logits");
    }

    /// <summary>`densenet test` over all 10,000 test images gives exactly PyTorch's top-1/top-5 counts.</summary>
    [Fact]
    public void TestCommandReproducesPyTorchAccuracy()
    {
        int count = PyTorch.GetProperty("count").GetInt32();
        int top1 = PyTorch.GetProperty("correct1").GetInt32(), top5 = PyTorch.GetProperty("correct5").GetInt32();

        var result = Run("test", "--data", FashionMnist, "--batch", "200");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains($"on {count} images", result.Out);
        Assert.Contains($"({top1}/{count})", result.Out.Split('\n').Single(l => l.StartsWith("accuracy/top1", StringComparison.Ordinal)));
        Assert.Contains($"({top5}/{count})", result.Out.Split('\n').Single(l => l.StartsWith("accuracy/top5", StringComparison.Ordinal)));
    }

    private static JsonElement LoadEvaluation()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Reference("parity", "fashion_mnist_eval.json")));
        return doc.RootElement.Clone();
    }
}
