namespace DenseNetGen.Generator.Tests;

/// <summary>Where the generated class lands when the spec names no namespace.</summary>
public class NamespaceTests
{
    [Theory]
    [InlineData("My.Root", "Some.Assembly", "My.Root")]
    [InlineData(null, "Some.Assembly", "Some.Assembly")]
    [InlineData("not valid!", "Some.Assembly", "Some.Assembly")]
    [InlineData(null, "my-lib", "")]
    public void Default_namespace_is_root_namespace_then_assembly_name_then_global(string? rootNamespace, string assemblyName, string expected)
    {
        var run = GeneratorHarness.Run(new[] { new InMemoryText("/specs/net.densenet.json", DiagnosticTests.Spec()) }, rootNamespace, assemblyName);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        var type = run.Load().GetExportedTypes().Single();
        Assert.Equal(expected, type.Namespace ?? "");
        Assert.Equal("Net", type.Name);
    }

    [Fact]
    public void Spec_namespace_wins()
    {
        var run = GeneratorHarness.Run(new[] { new InMemoryText("/specs/net.densenet.json", DiagnosticTests.Spec(("namespace", "\"A.B\""))) });

        Assert.Equal("A.B", run.Load().GetExportedTypes().Single().Namespace);
    }
}
