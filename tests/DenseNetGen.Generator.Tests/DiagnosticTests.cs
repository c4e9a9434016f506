using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator.Tests;

/// <summary>Each bad spec reports its own diagnostic at the offending token (marked § in the cases).</summary>
public class DiagnosticTests
{
    private const char Marker = '§';

    private static readonly (string Field, string Json)[] BaseFields =
    {
        ("name", "\"Net\""),
        ("growthRate", "4"),
        ("blockConfig", "[2, 2]"),
        ("initChannels", "8"),
        ("bnSize", "2"),
        ("compression", "0.5"),
        ("stem", "\"cifar\""),
        ("inChannels", "3"),
        ("numClasses", "10"),
        ("inputSize", "32"),
    };

    /// <summary>Members of the generated class's base, read off the runtime's type, so the reserved names cannot drift from it.</summary>
    public static TheoryData<string> BaseMemberNames() =>
    [
        .. typeof(DenseNetModel).GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => m is System.Reflection.PropertyInfo or System.Reflection.MethodInfo { IsSpecialName: false })
            .Select(m => m.Name).Distinct(),
    ];

    [Theory]
    [MemberData(nameof(BaseMemberNames))]
    public void A_base_member_name_is_not_a_usable_class_name(string name)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", Spec(("name", $"\"{name}\"")));

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "DNG008");
    }

    /// <summary>
    /// A user's severity settings (an .editorconfig's <c>dotnet_diagnostic.ID.severity</c>, NoWarn) reach the compiler
    /// as these options: they silence the warning, never an error.
    /// </summary>
    [Fact]
    public void Errors_cannot_be_silenced_but_warnings_can()
    {
        var silenced = new Dictionary<string, ReportDiagnostic> { ["DNG004"] = ReportDiagnostic.Suppress, ["DNG015"] = ReportDiagnostic.Suppress };
        var compilation = GeneratorHarness.CreateCompilation();
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(silenced));
        var spec = Spec(("growthRate", "0"), ("colour", "\"red\""));

        GeneratorHarness.CreateDriver([new InMemoryText("/specs/net.densenet.json", spec)])
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);

        Assert.Contains(diagnostics, d => d.Id == "DNG004" && d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(diagnostics, d => d.Id == "DNG015");
    }

    public static TheoryData<string, string> BadSpecs() => new()
    {
        { "{\"name\": \"Net\", \"growthRate\": 4 §\"blockConfig\": [2]}", "DNG001" },
        { "{\"name\": \"Net\",\n  \"growthRate\": 4,\n  \"blockConfig\": [2, 2§", "DNG001" },
        { "{\"name\": \"Net\", \"growthRate\": §01}", "DNG001" },
        { "{\"name\": \"N§\u0001et\"}", "DNG001" },
        { Spec(("growthRate", null)).Replace("{", "§{"), "DNG002" },
        { Spec(("preprocess", "§{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"resize\": 32}")), "DNG002" },
        { "§[1, 2]", "DNG003" },
        { Spec(("growthRate", "§\"4\"")), "DNG003" },
        { Spec(("growthRate", "§4.5")), "DNG003" },
        { Spec(("blockConfig", "§{}")), "DNG003" },
        { Spec(("name", "§42")), "DNG003" },
        { Spec(("growthRate", "§0")), "DNG004" },
        { Spec(("blockConfig", "[2, §-1]")), "DNG004" },
        { Spec(("initChannels", "§0")), "DNG004" },
        { Spec(("bnSize", "§-3")), "DNG004" },
        { Spec(("inChannels", "§0")), "DNG004" },
        { Spec(("numClasses", "§0")), "DNG004" },
        { Spec(("blockConfig", "§[]")), "DNG005" },
        { Spec(("compression", "§0")), "DNG006" },
        { Spec(("compression", "§1.5")), "DNG006" },
        { Spec(("compression", "§0.01")), "DNG006" },
        { Spec(("stem", "§\"resnet\"")), "DNG007" },
        { Spec(("name", "§\"3Net\"")), "DNG008" },
        { Spec(("name", "§\"class\"")), "DNG008" },
        { Spec(("name", "§\"record\"")), "DNG008" },
        { Spec(("name", "§\"Classifier\"")), "DNG008" },
        { Spec(("name", "§\"DenseBlock2\"")), "DNG008" },
        { Spec(("name", "§\"mynet\"")), "DNG008" },
        // Issue 19: C# ignores the soft hyphen, so this was the member Definition (CS0542); 2,001 characters passed
        // the metadata limit (CS7013); a zero-width space in a namespace. Each is now a located DNG error.
        { Spec(("name", "§\"Defini\\u00adtion\"")), "DNG008" },
        { Spec(("name", "§\"N" + new string('a', 2000) + "\"")), "DNG008" },
        { Spec(("namespace", "§\"My.Ne\\u200bts\"")), "DNG009" },
        { Spec(("namespace", "§\"" + string.Join(".", Enumerable.Repeat("Abcdefghij", 50)) + "\"")), "DNG009" },
        { Spec(("namespace", "§\"My..Nets\"")), "DNG009" },
        { Spec(("namespace", "§\"My.class\"")), "DNG009" },
        { Spec(("growthRate", "§5000")), "DNG011" },
        { Spec(("blockConfig", "[2, §600]")), "DNG011" },
        { Spec(("blockConfig", "§[" + string.Join(", ", Enumerable.Repeat(1, 17)) + "]")), "DNG011" },
        { Spec(("numClasses", "§2000000")), "DNG011" },
        { Spec(("inputSize", "§99999999999999999999")), "DNG011" },
        { Spec(("inputSize", "§2"), ("blockConfig", "[1, 1, 1]")), "DNG012" },
        { Spec(("inputSize", "§7"), ("stem", "\"imagenet\""), ("blockConfig", "[1, 1, 1]")), "DNG012" },
        { Spec(("name", "§\"Huge\""), ("growthRate", "4096"), ("bnSize", "4"), ("blockConfig", "[64]")), "DNG013" },
        { Spec(("preprocess", "{\"mean\": §[0, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32}")), "DNG014" },
        { Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, §0, 1], \"resize\": 32, \"crop\": 32}")), "DNG014" },
        { Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": §40}")), "DNG014" },
        { Spec(("labels", "§\"cifar100\"")), "DNG016" },
        { Spec(("labels", "§\"imagenet1k\"")), "DNG016" },
        { Spec(("inputSize", "32,\n  §\"inputSize\": 64")), "DNG017" },
        // The spec's own class names: inline, or a file beside it (these specs come alone, without the file).
        { Spec(("labels", "§42")), "DNG003" },
        { Spec(("numClasses", "3"), ("labels", "[\"cat\", §3, \"dog\"]")), "DNG003" },
        { Spec(("labels", "§[\"cat\", \"dog\"]")), "DNG016" },
        { Spec(("numClasses", "3"), ("labels", "[\"cat\", \"dog\", §\"cat\"]")), "DNG016" },
        { Spec(("numClasses", "2"), ("labels", "[\"cat\", §\" \"]")), "DNG016" },
        { Spec(("labels", "§{}")), "DNG002" },
        { Spec(("labels", "{\"file\": §[\"classes.txt\"]}")), "DNG003" },
        { Spec(("labels", "{\"file\": §\"/etc/passwd\"}")), "DNG016" },
        { Spec(("labels", "{\"file\": §\"\"}")), "DNG016" },
        { Spec(("labels", "{\"file\": §\"classes.txt\"}")), "DNG016" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Bad_spec_reports_one_error_at_the_offending_token(string markedSpec, string id)
    {
        var (json, line, column) = Unmark(markedSpec);

        var run = GeneratorHarness.Run("/specs/bad.densenet.json", json);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var position = diagnostic.Location.GetLineSpan();
        Assert.Equal("/specs/bad.densenet.json", position.Path);
        Assert.Equal((line, column), (position.StartLinePosition.Line, position.StartLinePosition.Character));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void Unknown_field_warns_and_still_generates()
    {
        var (json, line, column) = Unmark(Spec(("inputSize", "32,\n  §\"dropout\": 0.1")));

        var run = GeneratorHarness.Run("/specs/extra.densenet.json", json);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG015", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal((line, column), (diagnostic.Location.GetLineSpan().StartLinePosition.Line, diagnostic.Location.GetLineSpan().StartLinePosition.Character));
        Assert.Single(run.Result.GeneratedSources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void Duplicate_network_is_an_error_on_the_second_spec_only()
    {
        var (second, line, column) = Unmark(Spec(("name", "§\"Net\""), ("growthRate", "6")));
        var specs = new[]
        {
            new InMemoryText("/specs/a.densenet.json", Spec()),
            new InMemoryText("/specs/b.densenet.json", second),
            new InMemoryText("/specs/c.densenet.json", Spec(("name", "\"Other\""))),
        };

        var run = GeneratorHarness.Run(specs);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DNG010", diagnostic.Id);
        var position = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/specs/b.densenet.json", line, column), (position.Path, position.StartLinePosition.Line, position.StartLinePosition.Character));
        Assert.Equal(new[] { "Consumer.Root.Net.g.cs", "Consumer.Root.Other.g.cs" }, run.Result.GeneratedSources.Select(s => s.HintName));
        Assert.Contains("GrowthRate = 4;", run.Result.GeneratedSources[0].SourceText.ToString());
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void Same_name_in_different_namespaces_is_allowed()
    {
        var specs = new[]
        {
            new InMemoryText("/specs/a.densenet.json", Spec()),
            new InMemoryText("/specs/b.densenet.json", Spec(("namespace", "\"Elsewhere\""))),
        };

        var run = GeneratorHarness.Run(specs);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(2, run.Result.GeneratedSources.Length);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void Files_without_the_spec_suffix_are_ignored()
    {
        var run = GeneratorHarness.Run(new[] { new InMemoryText("/specs/notes.json", "not json at all") });

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Result.GeneratedSources);
    }

    /// <summary>A valid spec (one field per line) with fields replaced, removed (null) or added.</summary>
    internal static string Spec(params (string Field, string? Json)[] changes)
    {
        var fields = BaseFields.Select(f => (f.Field, (string?)f.Json)).ToList();
        foreach (var (field, json) in changes)
        {
            int index = fields.FindIndex(f => f.Field == field);
            if (index >= 0) fields[index] = (field, json);
            else fields.Add((field, json));
        }
        return "{\n" + string.Join(",\n", fields.Where(f => f.Item2 is not null).Select(f => $"  \"{f.Field}\": {f.Item2}")) + "\n}\n";
    }

    /// <summary>Removes the § marker and returns the 0-based line and column where it was.</summary>
    private static (string Json, int Line, int Column) Unmark(string marked)
    {
        int offset = marked.IndexOf(Marker);
        Assert.True(offset >= 0, "test case has no marker");
        string before = marked[..offset];
        int line = before.Count(c => c == '\n');
        int column = offset - (before.LastIndexOf('\n') + 1);
        return (marked.Remove(offset, 1), line, column);
    }
}
