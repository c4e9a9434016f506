using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// `densenet test --shard I/N --out FILE` and `--merge`: the shards of the Fashion-MNIST test set add up to PyTorch's
/// full-set figures (tests/references/parity/fashion_mnist_eval.json), and shards that are not one evaluation, or
/// that miss or repeat a slice, are refused in one line.
/// </summary>
public sealed class ShardedTestCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("densenet-shards-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Two_shards_merge_to_the_full_set_s_figures()
    {
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Reference("parity", "fashion_mnist_eval.json")));
        int count = reference.RootElement.GetProperty("count").GetInt32();
        int top1 = reference.RootElement.GetProperty("correct1").GetInt32(), top5 = reference.RootElement.GetProperty("correct5").GetInt32();

        var first = Shard("0/2", "a.json");
        var second = Shard("1/2", "b.json");
        var merged = Run("test", "--merge", Path(("b.json")), Path("a.json"));

        Assert.Equal((CliApp.Ok, CliApp.Ok, CliApp.Ok), (first.ExitCode, second.ExitCode, merged.ExitCode));
        Assert.Contains($"on 5000 images (shard 0/2 of {count})", first.Out);
        var c = CultureInfo.InvariantCulture;
        Assert.Equal(string.Create(c, $"accuracy/top1: {100.0 * top1 / count:0.00}  ({top1}/{count})"), Line(merged, "accuracy/top1"));
        Assert.Equal(string.Create(c, $"accuracy/top5: {100.0 * top5 / count:0.00}  ({top5}/{count})"), Line(merged, "accuracy/top5"));
        Assert.StartsWith($"FashionMnistDenseNet on {count} images (2 shards;", merged.Out);
        var a = JsonNode.Parse(File.ReadAllText(Path("a.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path("b.json")))!;
        Assert.Equal((0, 5000, 5000, 5000), ((int)a["start"]!, (int)a["count"]!, (int)b["start"]!, (int)b["count"]!));
        Assert.Equal(top1, (int)a["top1"]! + (int)b["top1"]!);
        Assert.Equal(
            ["format", "model", "weights", "modelFingerprint", "data", "dataFingerprint", "images", "shard", "shards", "start", "count", "top1", "top5", "seconds"],
            a.AsObject().Select(field => field.Key));
    }

    [Fact]
    public void A_repeated_or_missing_shard_is_refused()
    {
        Assert.Equal(CliApp.Ok, Shard("0/3", "0.json", "--limit", "30").ExitCode);
        Assert.Equal(CliApp.Ok, Shard("2/3", "2.json", "--limit", "30").ExitCode);

        AssertRefused(Run("test", "--merge", Path("0.json"), Path("2.json"), Path("0.json")), "are both shard 0/3");
        AssertRefused(Run("test", "--merge", Path("0.json"), Path("2.json")), "shard 1/3 of FashionMnistDenseNet on 30 images is missing.");
    }

    [Fact]
    public void Shards_of_other_images_or_weights_are_refused()
    {
        Assert.Equal(CliApp.Ok, Shard("0/2", "a.json", "--limit", "20").ExitCode);
        Assert.Equal(CliApp.Ok, Shard("1/2", "b.json", "--limit", "22").ExitCode);
        var edited = JsonNode.Parse(File.ReadAllText(Path("a.json")))!;
        edited["shard"] = 1;
        edited["start"] = 10;
        edited["modelFingerprint"] = "sha256:" + new string('0', 64);
        File.WriteAllText(Path("c.json"), edited.ToJsonString());

        AssertRefused(Run("test", "--merge", Path("a.json"), Path("b.json")), "evaluated other images than");
        AssertRefused(Run("test", "--merge", Path("a.json"), Path("c.json")), "evaluated other weights than");
    }

    /// <summary>A shard file with fields overwritten (or, for text that is no JSON object, replaced by the text).</summary>
    [Theory]
    [InlineData("{\"format\": \"something else\"}", "not a densenet test shard file")]
    [InlineData("[1, 2", "not a densenet test shard file")]
    [InlineData("{\"top1\": 11}", "do not add up")]
    [InlineData("{\"start\": 3}", "is not images [3, 13)")]
    [InlineData("{\"shard\": 2}", "shard 2/2 does not exist")]
    [InlineData("{\"extra\": 1}", "not a densenet test shard file")]
    public void A_file_that_is_not_a_sound_shard_is_refused(string change, string message)
    {
        Assert.Equal(CliApp.Ok, Shard("0/2", "a.json", "--limit", "20").ExitCode);
        var node = JsonNode.Parse(File.ReadAllText(Path("a.json")))!.AsObject();
        string text = change;
        if (change.StartsWith('{'))
        {
            foreach (var (name, value) in JsonNode.Parse(change)!.AsObject()) node[name] = value?.DeepClone();
            text = node.ToJsonString();
        }
        File.WriteAllText(Path("bad.json"), text);

        AssertRefused(Run("test", "--merge", Path("bad.json")), message);
    }

    [Theory]
    [InlineData("2/2")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void A_bad_shard_is_a_usage_error(string shard)
    {
        var result = Run("test", "--data", RepositoryPaths.FashionMnist, "--shard", shard);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Equal($"densenet: --shard must be I/N with 0 <= I < N <= 1000000 (e.g. 0/4 for the first of four), got '{shard}'.", result.Error.Trim());
    }

    private CliResult Shard(string shard, string file, params string[] more) =>
        Run(["test", "--data", RepositoryPaths.FashionMnist, "--device", "cpu", "--batch", "200", "--shard", shard, "--out", Path(file), .. more]);

    private string Path(string file) => System.IO.Path.Combine(_folder.FullName, file);

    private static string Line(CliResult result, string prefix) =>
        result.Out.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).TrimEnd('\r');

    private static void AssertRefused(CliResult result, string message)
    {
        Assert.Equal(CliApp.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }
}
