using DenseNetGen.Preprocessing;
using SkiaSharp;
using Xunit.Abstractions;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// `densenet test` on many large but legal images, in a child process: the images a batch decodes in parallel share
/// <see cref="DecodeBudget"/>, so peak RSS stays within twice the budget (what is charged, and the garbage a collection
/// waits for) plus one image, however many threads decode.
/// </summary>
[Collection(HostileProcesses.Name)]
public sealed class ParallelDecodeProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] ClassFolders =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    // 3,000 x 3,000 = 9 megapixels, under a tenth of the default cap: about 72 MB each while it decodes (RGBA, RGB
    // and gray for the Fashion net), from a PNG of about 12 KB.
    private const int Side = 3_000;
    private const int Images = 24;

    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-decode-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Before the budget, a batch decoded as many images at once as Parallel.For had threads, and the thread pool
    // keeps adding threads while slow decodes hold the ones it has: even on 2 cores all 32 of a batch of 16-megapixel
    // images were in flight together (4.0 GB; 4.1 GB with DOTNET_PROCESSOR_COUNT=16).
    [Fact]
    public void ManyLargeImagesDecodedInParallelStayWithinTheDecodeBudget()
    {
        var root = DataSetOfLargeImages(out long fileBytes);
        long oneImage = 8L * Side * Side + 2 * fileBytes;
        long bound = 2 * DecodeBudget.DefaultBytes + oneImage + 150_000_000;

        var result = CliProcess.Run("test", "--data", root);
        output.WriteLine($"test on {Images} images of {Side}x{Side} ({fileBytes:N0} bytes each): {result}; bound {bound / 1e6:N0} MB");

        Assert.False(result.TimedOut, result.ToString());
        Assert.True(result.ExitCode == CliApp.Ok, result.ToString());
        Assert.Contains($"on {Images} images", result.Out);
        Assert.True(result.PeakRss <= bound, $"peak RSS over twice the decode budget plus one image and 150 MB ({bound / 1e6:N0} MB): {result}");
    }

    // The budget's variable is read before any image, so a bad value is a usage error, not a batch's failure.
    [Fact]
    public void ABadDecodeBudgetIsAUsageError()
    {
        var result = CliProcess.Run(new Dictionary<string, string> { [DecodeBudget.BytesVariable] = "lots" }, "predict", CliRunner.Sample("bag.png"));
        output.WriteLine($"predict with {DecodeBudget.BytesVariable}=lots: {result}");

        CliProcess.AssertRefused(result, 0, "DENSENET_DECODE_MEMORY: 'lots' is not a byte count");
        Assert.Equal(CliApp.Usage, result.ExitCode);
    }

    // A blank value is no value, as for every DENSENET_* setting (SettingParser): the default budget applies.
    [Fact]
    public void ABlankDecodeBudgetIsTheDefault()
    {
        var result = CliProcess.Run(new Dictionary<string, string> { [DecodeBudget.BytesVariable] = " \t" }, "predict", CliRunner.Sample("bag.png"));
        output.WriteLine($"predict with a blank {DecodeBudget.BytesVariable}: {result}");

        Assert.True(result.ExitCode == CliApp.Ok, result.ToString());
        Assert.Contains("Bag", result.Out);
    }

    private string DataSetOfLargeImages(out long fileBytes)
    {
        var root = Path.Combine(_dir, "data");
        foreach (var folder in ClassFolders) Directory.CreateDirectory(Path.Combine(root, folder));
        var png = Path.Combine(_dir, "large.png");
        using (var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Gray8)))
        using (var file = File.Create(png))
        {
            bitmap.Erase(new SKColor(128, 128, 128));
            bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
        }
        fileBytes = new FileInfo(png).Length;
        for (int i = 0; i < Images; i++) File.Copy(png, Path.Combine(root, "Bag", $"large-{i}.png"));
        return root;
    }
}
