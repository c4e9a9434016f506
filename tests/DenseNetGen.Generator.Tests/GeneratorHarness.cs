extern alias generator;

using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using generator::DenseNetGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Tests;

/// <summary>Runs <see cref="DenseNetGenerator"/> through Roslyn's driver on in-memory specs.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The running framework's assemblies (which include the runtime library the tests reference).
        // Not the generator's own: a consumer runs it as an analyzer and never references it (it compiles the runtime's
        // plan types too, which would then exist twice).
        var generator = typeof(DenseNetGenerator).Assembly.Location;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !string.Equals(Path.GetFullPath(p), Path.GetFullPath(generator), StringComparison.Ordinal)).ToList();
        paths.Add(typeof(DenseNetModel).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static string RepoRoot => DenseNetGen.Tests.RepositoryPaths.Root;

    public static CSharpCompilation CreateCompilation(string assemblyName = "Consumer", params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <param name="parseOptions">How the generated sources are parsed; <see cref="ParseOptions"/> when null.</param>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> specs, string? rootNamespace = "Consumer.Root", CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new DenseNetGenerator().AsSourceGenerator() },
            specs,
            parseOptions ?? ParseOptions,
            new OptionsProvider(rootNamespace),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns its result and the compilation with the generated sources.</summary>
    public static GenerationRun Run(
        IEnumerable<AdditionalText> specs, string? rootNamespace = "Consumer.Root", string assemblyName = "Consumer", CSharpParseOptions? parseOptions = null)
    {
        var compilation = CreateCompilation(assemblyName);
        var driver = CreateDriver(specs, rootNamespace, parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        return new GenerationRun(result, output);
    }

    public static GenerationRun Run(string path, string json) => Run(new[] { new InMemoryText(path, json) });

    public static InMemoryText SpecFile(string relativePath) =>
        new(Path.Combine(RepoRoot, relativePath), File.ReadAllText(Path.Combine(RepoRoot, relativePath)));

    public static IEnumerable<string> AllSpecPaths() =>
        new[] { "specs", Path.Combine("tests", "specs") }
            .SelectMany(dir => Directory.GetFiles(Path.Combine(RepoRoot, dir), "*.densenet.json"))
            .Select(p => Path.GetRelativePath(RepoRoot, p))
            .Order(StringComparer.Ordinal);


    private sealed class OptionsProvider(string? rootNamespace) : AnalyzerConfigOptionsProvider
    {
        private static readonly AnalyzerConfigOptions Empty = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(
            rootNamespace is null
                ? ImmutableDictionary<string, string>.Empty
                : ImmutableDictionary<string, string>.Empty.Add("build_property.RootNamespace", rootNamespace));

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text, Encoding.UTF8);
}

/// <summary>One generator run: its result and the consumer compilation including the generated code.</summary>
internal sealed record GenerationRun(GeneratorRunResult Result, Compilation Output)
{
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    public string SingleSource => Result.GeneratedSources.Single().SourceText.ToString();

    /// <summary>Every compiler diagnostic of the consumer with the generated code (hidden ones excluded).</summary>
    public IReadOnlyList<Diagnostic> CompilationDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity != DiagnosticSeverity.Hidden).ToList();

    /// <summary>Emits and loads the consumer assembly so generated members can be inspected.</summary>
    public Assembly Load()
    {
        using var stream = new MemoryStream();
        var emit = Output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }
}
