extern alias generator;

using DenseNetGen.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using static generator::DenseNetGen.Generator.DenseNetGenerator;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// A spec's own class names, inline or in a labels file beside it: they reach the generated card, a file is read
/// only when a spec names it and it is an AdditionalFile, and problems are reported where they are.
/// </summary>
public class LabelsTests
{
    private static readonly string[] Three = ["cat", "dog", "bird"];

    [Fact]
    public void Inline_names_reach_the_generated_card()
    {
        var run = GeneratorHarness.Run("/specs/pets.densenet.json",
            DiagnosticTests.Spec(("numClasses", "3"), ("labels", "[\"cat\", \"dog\", \"bird \\\"the \\u00e9meu\\\"\"]")));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        var card = Card(run);
        Assert.Equal(["cat", "dog", "bird \"the \u00e9meu\""], card.ClassNames);
        Assert.Null(card.Labels);
    }

    [Theory]
    [InlineData("classes.txt", "/specs/classes.txt", "cat\ndog\nbird\n")]
    [InlineData("./classes.txt", "/specs/classes.txt", "cat\r\ndog\r\nbird")]
    [InlineData("labels/pets.txt", "/specs/labels/pets.txt", "  cat\ndog  \nbird\n\n\n")]
    [InlineData("../shared/pets.txt", "/shared/pets.txt", "cat\rdog\rbird\r")]
    [InlineData("labels\\\\pets.txt", "/specs/labels/pets.txt", "cat\ndog\nbird")] // a Windows separator
    [InlineData("labels//pets.txt", "/specs/labels/pets.txt", "cat\ndog\nbird \n \t\n")]
    [InlineData("classes.txt", "/specs/sub/../classes.txt", "cat\ndog\nbird\n")] // the project's path, spelled another way
    public void A_labels_file_beside_the_spec_gives_one_name_per_line(string reference, string path, string contents)
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec(reference)),
            new InMemoryText(path, contents),
        ]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Equal(Three, Card(run).ClassNames);
    }

    [Theory]
    [InlineData("null", null)]
    [InlineData("\"fashion-mnist\"", "fashion-mnist")]
    public void A_label_set_or_null_reaches_the_card_by_name(string labels, string? set)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", DiagnosticTests.Spec(("labels", labels)));

        Assert.Empty(run.GeneratorDiagnostics);
        var card = Card(run);
        Assert.Equal(set, card.Labels);
        Assert.Null(card.ClassNames);
    }

    /// <summary>The file is matched by its path with "." and ".." resolved; a ".." that climbs above a relative path is kept, one at a root stays there.</summary>
    [Theory]
    [InlineData("specs/pets.densenet.json", "../../x/pets.txt", "../x/pets.txt", true)]
    [InlineData("specs/pets.densenet.json", "../../../x/pets.txt", "../../x/pets.txt", true)]
    [InlineData("specs/pets.densenet.json", "../../../x/pets.txt", "x/pets.txt", false)]
    [InlineData("/specs/pets.densenet.json", "../../x/pets.txt", "/x/pets.txt", true)] // ".." at the root stays at the root
    [InlineData("/specs/pets.densenet.json", "../../x/pets.txt", "x/pets.txt", false)]
    [InlineData("C:/specs/pets.densenet.json", "../../x/pets.txt", "C:/x/pets.txt", true)]
    [InlineData("C:/specs/pets.densenet.json", "../../x/pets.txt", "x/pets.txt", false)]
    [InlineData("/specs/pets.densenet.json", "classes.txt", "specs/classes.txt", false)] // a relative path is not a rooted one
    [InlineData("/specs/pets.densenet.json", "classes.txt", "/specs/sub/classes.txt", false)]
    [InlineData("/specs/pets.densenet.json", "classes.txt", "/other/classes.txt", false)]
    public void Only_a_file_at_the_named_path_is_found(string specPath, string reference, string filePath, bool found)
    {
        var run = GeneratorHarness.Run([new InMemoryText(specPath, PetsSpec(reference)), new InMemoryText(filePath, "cat\ndog\nbird\n")]);

        if (found)
        {
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Equal(Three, Card(run).ClassNames);
        }
        else
        {
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal($"Labels: '{reference}' is not one of the project's AdditionalFiles (add <AdditionalFiles Include=\"{reference}\" />)",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_labels_object_s_unknown_field_is_a_warning()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", DiagnosticTests.Spec(("name", "\"Pets\""), ("numClasses", "3"), ("labels", "{ \"file\": \"classes.txt\", \"encoding\": \"utf-8\" }"))),
            new InMemoryText("/specs/classes.txt", "cat\ndog\nbird\n"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG015", "Unknown field 'encoding' is ignored"), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Three, Card(run).ClassNames);
    }

    [Fact]
    public void Only_the_named_labels_file_is_read()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "cat\ndog\nbird\n"),
            new UnreadableText("/specs/other.txt"),
            new UnreadableText("/specs/notes.json"),
        ]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(Three, Card(run).ClassNames);
    }

    [Fact]
    public void A_bad_name_in_the_file_is_reported_at_its_line()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "cat\n\ndog\n"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DNG016", diagnostic.Id);
        Assert.Equal("Labels: class 1 has a blank name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var position = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/specs/classes.txt", 1), (position.Path, position.StartLinePosition.Line));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void A_repeated_name_in_the_file_is_reported_at_the_repeat()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "cat\ndog\ncat\n"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("Labels: class 2 repeats the name 'cat' of class 0", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("/specs/classes.txt", 2, 0), Start(diagnostic));
    }

    [Fact]
    public void A_repeat_after_crlf_line_ends_is_located_by_its_offset()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "cat\r\ndog\r\n cat \r\n"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("Labels: class 2 repeats the name 'cat' of class 0", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new TextSpan(10, 5), diagnostic.Location.SourceSpan); // the whole line, untrimmed: " cat "
        Assert.Equal(("/specs/classes.txt", 2, 0), Start(diagnostic));
    }

    [Fact]
    public void A_blank_line_after_a_lone_cr_is_located_on_its_own_line()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "cat\r\rdog\r"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("Labels: class 1 has a blank name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new TextSpan(4, 0), diagnostic.Location.SourceSpan);
        Assert.Equal(("/specs/classes.txt", 1, 0), Start(diagnostic));
    }

    [Fact]
    public void A_blank_first_line_is_class_0()
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", "\ncat\ndog"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("Labels: class 0 has a blank name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new TextSpan(0, 0), diagnostic.Location.SourceSpan);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("\n\n", 0)]
    [InlineData("cat\ndog\nbird\nemu", 4)]
    public void A_file_with_the_wrong_count_is_named_with_its_count(string contents, int count)
    {
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/classes.txt", contents),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal($"Labels: 'classes.txt' has {count} class names but numClasses is 3", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_labels_file_without_text_is_reported_at_the_spec_s_path()
    {
        var spec = PetsSpec("classes.txt");
        var run = GeneratorHarness.Run([new InMemoryText("/specs/pets.densenet.json", spec), new TextlessFile("/specs/classes.txt")]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG016", "Labels: 'classes.txt' could not be read"), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(spec.IndexOf("\"classes.txt\"", StringComparison.Ordinal), diagnostic.Location.SourceSpan.Start);
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void A_file_with_the_wrong_count_is_reported_at_the_spec_s_path()
    {
        var spec = PetsSpec("classes.txt");
        var run = GeneratorHarness.Run([
            new InMemoryText("/specs/pets.densenet.json", spec),
            new InMemoryText("/specs/classes.txt", "cat\ndog\n"),
        ]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("Labels: 'classes.txt' has 2 class names but numClasses is 3", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var token = spec.IndexOf("\"classes.txt\"", StringComparison.Ordinal);
        Assert.Equal(new TextSpan(token, "\"classes.txt\"".Length), diagnostic.Location.SourceSpan);
        Assert.Equal("/specs/pets.densenet.json", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void Editing_a_labels_file_reruns_only_the_spec_that_names_it()
    {
        var specs = new AdditionalText[]
        {
            new InMemoryText("/specs/pets.densenet.json", PetsSpec("classes.txt")),
            new InMemoryText("/specs/plain.densenet.json", DiagnosticTests.Spec(("name", "\"Plain\""))),
            new InMemoryText("/specs/classes.txt", "cat\ndog\nbird\n"),
            new InMemoryText("/specs/readme.txt", "notes"),
        };
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(specs).RunGenerators(compilation);

        var unrelated = driver.ReplaceAdditionalText(specs[3], new InMemoryText("/specs/readme.txt", "more notes")).RunGenerators(compilation);
        Assert.All(Reasons(unrelated.GetRunResult().Results.Single(), StepNames.Plans),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        var result = unrelated.ReplaceAdditionalText(specs[2], new InMemoryText("/specs/classes.txt", "cat\ndog\nemu\n"))
            .RunGenerators(compilation).GetRunResult().Results.Single();
        var plans = Reasons(result, StepNames.Plans);
        Assert.Equal(IncrementalStepRunReason.Modified, plans[0]);
        Assert.True(plans[1] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, plans[1].ToString());
        Assert.Contains("ClassNames: new string[] { \"cat\", \"dog\", \"emu\" },",
            result.GeneratedSources.Single(s => s.HintName == "Consumer.Root.Pets.g.cs").SourceText.ToString());
    }

    private static string PetsSpec(string labelsFile) =>
        DiagnosticTests.Spec(("name", "\"Pets\""), ("numClasses", "3"), ("labels", $"{{ \"file\": \"{labelsFile}\" }}"));

    internal static ModelCard Card(GenerationRun run)
    {
        var type = run.Load().GetTypes().Single(t => t.BaseType == typeof(DenseNetModel));
        return (ModelCard)type.GetProperty("Card")!.GetValue(null)!;
    }

    private static (string Path, int Line, int Column) Start(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan();
        return (position.Path, position.StartLinePosition.Line, position.StartLinePosition.Character);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    /// <summary>An AdditionalFile whose text cannot be had (Roslyn's GetText returns null when a file cannot be read).</summary>
    private sealed class TextlessFile(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => null;
    }

    /// <summary>An AdditionalFile the generator must not read: reading it fails the test.</summary>
    private sealed class UnreadableText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"the generator read {Path}, which no spec names");
    }
}
