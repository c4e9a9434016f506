using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>`densenet test` on ImageNet-style data: class subfolders (optionally under val/) or a file list.</summary>
public sealed class TestCommandDataTests : IDisposable
{
    // The committed samples with their Fashion-MNIST class indices.
    private static readonly (string File, int Label)[] Samples =
        [("ankle-boot.png", 9), ("bag.png", 8), ("dress.png", 3), ("sneaker.png", 7), ("trouser.png", 1)];

    private readonly string _root = Directory.CreateTempSubdirectory("densenet-cli-").FullName;

    // Fashion-MNIST's class names as folder names ('/' is not allowed in one); sorted, they are not in class order.
    private static readonly string[] ClassFolders =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    [Fact]
    public void ClassSubfoldersUnderValAreLabelledByClassName()
    {
        var val = Path.Combine(_root, "val");
        foreach (var folder in ClassFolders) Directory.CreateDirectory(Path.Combine(val, folder));
        foreach (var (file, label) in Samples) File.Copy(Sample(file), Path.Combine(val, ClassFolders[label], file));

        var result = Run("test", "--data", _root, "--batch", "2");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("on 5 images", result.Out);
        Assert.Contains("accuracy/top1: 100.00  (5/5)", result.Out);
    }

    [Fact]
    public void AFolderWithAnotherNumberOfSubfoldersIsAUsageError()
    {
        // As `--data /tmp` was: a few unrelated folders holding some images, once "evaluated" at 0.00%.
        foreach (var folder in new[] { "downloads", "cache", "photos" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
            File.Copy(Sample("bag.png"), Path.Combine(_root, folder, "x.png"));
        }

        var result = Run("test", "--data", _root);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("3 class folders but the model has 10 classes", result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void TenFoldersThatAreNotTheClassesAreAUsageError()
    {
        for (int c = 0; c < 10; c++) Directory.CreateDirectory(Path.Combine(_root, $"c{c}"));
        File.Copy(Sample("bag.png"), Path.Combine(_root, "c8", "bag.png"));

        var result = Run("test", "--data", _root);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("class folders 'c0', 'c1', 'c2', 'c3', 'c4' and 5 more are none of the model's classes", result.Error);
    }

    [Fact]
    public void AnAnnotationLabelPastTheModelsClassesIsAUsageError()
    {
        File.Copy(Sample("bag.png"), Path.Combine(_root, "bag.png"));
        var list = Path.Combine(_root, "val.txt");
        File.WriteAllLines(list, ["bag.png 8", "bag.png 417"]);

        var result = Run("test", "--data", _root, "--ann-file", list);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("image 1 has label 417", result.Error);
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
