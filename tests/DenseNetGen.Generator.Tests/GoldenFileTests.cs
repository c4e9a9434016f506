namespace DenseNetGen.Generator.Tests;

/// <summary>
/// The full generated source for one small spec, compared with a committed golden file.
/// Regenerate after an intended change with: UPDATE_GOLDEN=1 dotnet test tests/DenseNetGen.Generator.Tests
/// </summary>
public class GoldenFileTests
{
    [Fact]
    public void TinyCifarNet_source_matches_golden_file()
    {
        var golden = Path.Combine(GeneratorHarness.RepoRoot, "tests", "DenseNetGen.Generator.Tests", "Golden", "TinyCifarNet.g.cs");
        var run = GeneratorHarness.Run(new[] { GeneratorHarness.SpecFile(Path.Combine("tests", "specs", "tiny-cifar.densenet.json")) });
        var source = Assert.Single(run.Result.GeneratedSources);
        Assert.Equal("DenseNetGen.Tests.Nets.TinyCifarNet.g.cs", source.HintName);

        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") File.WriteAllText(golden, source.SourceText.ToString());

        Assert.Equal(File.ReadAllText(golden), source.SourceText.ToString());
    }
}
