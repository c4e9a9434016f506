using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// A project that generates XML documentation (every DenseNetGen package does, and many users' projects do) with
/// warnings as errors must build with a spec in it: the generated class documents every public member. Roslyn's
/// own documentation diagnostics are the reference, with the mode a GenerateDocumentationFile build compiles in.
/// </summary>
public class DocumentationTests
{
    public static TheoryData<string> SpecPaths() => new(GeneratorHarness.AllSpecPaths());

    [Theory]
    [MemberData(nameof(SpecPaths))]
    public void Generated_class_documents_every_public_member(string specPath)
    {
        var run = GeneratorHarness.Run(
            [GeneratorHarness.SpecFile(specPath)],
            parseOptions: GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose));
        Assert.NotEmpty(run.Result.GeneratedSources);

        // CS1591: undocumented public member; CS1572/CS1573: param tags that name no parameter or miss one;
        // CS1574/CS1734: a cref or paramref that resolves to nothing; CS1570: malformed XML.
        string[] documentation = ["CS1570", "CS1572", "CS1573", "CS1574", "CS1591", "CS1734"];
        var problems = run.CompilationDiagnostics.Where(d => documentation.Contains(d.Id)).Select(d => $"{d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");

        Assert.Empty(problems);
    }
}
