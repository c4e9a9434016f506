using Xunit.Abstractions;
using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// `--batch` larger than the data set, in a child process: a batch is never more images than are evaluated, so a
/// billion-image batch on five images takes what five images take.
/// </summary>
[Collection(HostileProcesses.Name)]
public sealed class BatchCapProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] ClassFolders =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly (string File, int Label)[] Samples =
        [("ankle-boot.png", 9), ("bag.png", 8), ("dress.png", 3), ("sneaker.png", 7), ("trouser.png", 1)];

    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A batch sized from --batch rather than from the images would be 10^9 x 784 floats (3.1 TB) for the input alone.
    // This is a guard, not a regression test of issue 19's cap: Evaluate already took min(--batch, images left) for
    // each batch, so the build before issue 19, and today's with its cap line removed, pass it too (77 MB either
    // way); the 4.1 GB was a batch of all 10,000 test images, which README's Safety section allows.
    [Fact]
    public void ABillionImageBatchOnFiveImagesTakesWhatFiveTake()
    {
        foreach (var folder in ClassFolders) Directory.CreateDirectory(Path.Combine(_dir, folder));
        foreach (var (file, label) in Samples) File.Copy(Sample(file), Path.Combine(_dir, ClassFolders[label], file));

        var huge = CliProcess.Run("test", "--data", _dir, "--batch", "1000000000");
        var plain = CliProcess.Run("test", "--data", _dir);
        output.WriteLine($"--batch 1000000000: {huge}");
        output.WriteLine($"default batch: {plain}");

        CliProcess.AssertBounded(huge, 0);
        Assert.True(huge.ExitCode == CliApp.Ok, huge.ToString());
        Assert.Contains("on 5 images", huge.Out);
        // Within 50 MB of the default batch's run: the same five images, so the same buffers.
        Assert.True(huge.PeakRss <= plain.PeakRss + 50_000_000, $"--batch 1000000000 took more than the default batch's run ({plain.PeakRss / 1e6:N0} MB) plus 50 MB: {huge}");
    }
}
