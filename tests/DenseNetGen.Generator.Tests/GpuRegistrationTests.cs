extern alias generator;

using generator::DenseNetGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// Referencing DenseNetGen.Gpu is what registers its devices: the generator emits a module initializer calling
/// <c>IlgpuDevices.Register</c> into a compilation that references an assembly of that name, and nothing otherwise.
/// (tools/package-test.sh checks the real package end to end: a GPU app opens ilgpu-cpu by reference alone.)
/// </summary>
public sealed class GpuRegistrationTests
{
    private const string HintName = "DenseNetGen.GpuRegistration.g.cs";

    [Fact]
    public void Without_the_gpu_assembly_nothing_is_registered()
    {
        var run = GeneratorHarness.Run([GeneratorHarness.SpecFile("tests/specs/tiny-cifar.densenet.json")]);

        Assert.DoesNotContain(run.Result.GeneratedSources, s => s.HintName == HintName);
    }

    [Fact]
    public void With_the_gpu_assembly_a_module_initializer_calls_its_Register()
    {
        // A stand-in for DenseNetGen.Gpu with the one public entry the generated code calls.
        var gpu = CSharpCompilation.Create("DenseNetGen.Gpu",
            [CSharpSyntaxTree.ParseText("namespace DenseNetGen.Backends.Ilgpu { public static class IlgpuDevices { public static void Register() { } } }")],
            GeneratorHarness.CreateCompilation().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var consumer = GeneratorHarness.CreateCompilation().AddReferences(gpu.ToMetadataReference());

        GeneratorHarness.CreateDriver([]).RunGeneratorsAndUpdateCompilation(consumer, out var output, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = output.SyntaxTrees.Single(t => t.FilePath.EndsWith(HintName, StringComparison.Ordinal));
        var model = output.GetSemanticModel(tree);
        var initializer = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        var attribute = Assert.Single(model.GetDeclaredSymbol(initializer)!.GetAttributes());
        Assert.Equal("System.Runtime.CompilerServices.ModuleInitializerAttribute", attribute.AttributeClass!.ToDisplayString());
        var call = initializer.DescendantNodes().OfType<InvocationExpressionSyntax>().Single();
        var target = (IMethodSymbol)model.GetSymbolInfo(call).Symbol!;
        Assert.Equal("DenseNetGen.Backends.Ilgpu.IlgpuDevices.Register()", target.ToDisplayString());
        Assert.Equal("DenseNetGen.Gpu", target.ContainingAssembly.Name);
    }
}
