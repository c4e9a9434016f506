using System.Text;

namespace DenseNetGen.Generator.Tests;

/// <summary>Garbage in never crashes the generator: it reports DNG diagnostics instead.</summary>
public class RobustnessTests
{
    public static TheoryData<string> Garbage()
    {
        var data = new TheoryData<string> { "", " ", "\uFEFF", "null", "{", "}", "[", "\"", "{\"name\":", new string('[', 100_000), new string('{', 5000) };
        var random = new Random(20240611);
        for (int i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            data.Add(Encoding.Latin1.GetString(bytes));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Garbage_reports_an_error_and_generates_nothing(string text)
    {
        var run = GeneratorHarness.Run("/specs/garbage.densenet.json", text);

        Assert.Null(run.Result.Exception);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id.StartsWith("DNG", StringComparison.Ordinal) && d.Id != "DNG999");
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void Every_truncation_of_a_real_spec_fails_cleanly()
    {
        var full = File.ReadAllText(Path.Combine(GeneratorHarness.RepoRoot, "tests", "specs", "tiny-cifar.densenet.json")).TrimEnd();
        var specs = Enumerable.Range(0, full.Length).Select(n => new InMemoryText($"/specs/t{n}.densenet.json", full[..n])).ToArray();

        var run = GeneratorHarness.Run(specs);

        Assert.Null(run.Result.Exception);
        Assert.Empty(run.Result.GeneratedSources);
        Assert.Equal(specs.Length, run.GeneratorDiagnostics.Count(d => d.Id == "DNG001"));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "DNG999");
    }
}
