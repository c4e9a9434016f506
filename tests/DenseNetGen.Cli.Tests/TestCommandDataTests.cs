using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>`densenet test` on ImageNet-style data: class subfolders (optionally under val/) or a file list.</summary>
public sealed class TestCommandDataTests : IDisposable
{
    // The committed samples with their Fashion-MNIST class indices.
    private static readonly (string File, int Label)[] Samples =
        [("ankle-boot.png", 9), ("bag.png", 8), ("dress.png", 3), ("sneaker.png", 7), ("trouser.png", 1)];

    private readonly string _root = Directory.CreateTempSubdirectory("densenet-cli-").FullName;

    [Fact]
    public void ClassSubfoldersUnderValAreLabelledInSortedOrder()
    {
        var val = Path.Combine(_root, "val");
        for (int c = 0; c < 10; c++) Directory.CreateDirectory(Path.Combine(val, $"c{c}"));
        foreach (var (file, label) in Samples) File.Copy(Sample(file), Path.Combine(val, $"c{label}", file));

        var result = Run("test", "--data", _root, "--batch", "2");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("on 5 images", result.Out);
        Assert.Contains("accuracy/top1: 100.00  (5/5)", result.Out);
    }

    [Fact]
    public void AnnotationFileGivesTheLabels()
    {
        var lines = Samples.Select(s => $"{s.File} {(s.File == "bag.png" ? 0 : s.Label)}");
        foreach (var (file, _) in Samples) File.Copy(Sample(file), Path.Combine(_root, file));
        var list = Path.Combine(_root, "val.txt");
        File.WriteAllLines(list, lines);

        var result = Run("test", "--data", _root, "--ann-file", list);

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("accuracy/top1: 80.00  (4/5)", result.Out);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
