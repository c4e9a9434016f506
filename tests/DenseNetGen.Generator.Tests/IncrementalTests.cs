extern alias generator;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static generator::DenseNetGen.Generator.DenseNetGenerator;

namespace DenseNetGen.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits regenerate nothing, a spec edit regenerates that spec only.</summary>
public class IncrementalTests
{
    private static readonly string[] PerSpecSteps = { StepNames.Specs, StepNames.Plans, StepNames.Output };

    [Fact]
    public void Unrelated_code_edit_reuses_every_cached_step()
    {
        var specs = ThreeSpecs();
        var compilation = GeneratorHarness.CreateCompilation("Consumer", "class A { }");
        var driver = GeneratorHarness.CreateDriver(specs).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class B { void M() { } }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in PerSpecSteps.Append(StepNames.DefaultNamespace).Append(StepNames.Duplicates))
        {
            var reasons = Reasons(result, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal(3, result.GeneratedSources.Length);
    }

    [Fact]
    public void Editing_one_spec_reruns_only_that_spec()
    {
        var specs = ThreeSpecs();
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(specs).RunGenerators(compilation);

        var changed = new InMemoryText(specs[1].Path, DiagnosticTests.Spec(("name", "\"Second\""), ("growthRate", "12")));
        var result = driver.ReplaceAdditionalText(specs[1], changed).RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (var step in PerSpecSteps)
        {
            Assert.Equal(
                new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached },
                Reasons(result, step));
        }
        // The set of names did not change, so the duplicate check is reused.
        Assert.All(Reasons(result, StepNames.Duplicates), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Contains("GrowthRate = 12;", result.GeneratedSources.Single(s => s.HintName == "Consumer.Root.Second.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Changing_root_namespace_regenerates_specs_without_their_own_namespace()
    {
        var specs = ThreeSpecs();
        var compilation = GeneratorHarness.CreateCompilation();
        GeneratorHarness.CreateDriver(specs).RunGenerators(compilation);

        var result = GeneratorHarness.CreateDriver(specs, "Other.Root").RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.Equal(
            new[] { "Consumer.Root.Third.g.cs", "Other.Root.First.g.cs", "Other.Root.Second.g.cs" },
            result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    private static InMemoryText[] ThreeSpecs() => new[]
    {
        new InMemoryText("/specs/first.densenet.json", DiagnosticTests.Spec(("name", "\"First\""))),
        new InMemoryText("/specs/second.densenet.json", DiagnosticTests.Spec(("name", "\"Second\""))),
        new InMemoryText("/specs/third.densenet.json", DiagnosticTests.Spec(("name", "\"Third\""), ("namespace", "\"Consumer.Root\""))),
    };

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
}
