using System.Reflection;
using System.Text.Json;
using DenseNetGen.Planning;

namespace DenseNetGen.Generator.Tests;

/// <summary>The committed specs generate code that compiles and matches torchvision.</summary>
public class SpecGenerationTests
{
    public static TheoryData<string> SpecPaths() => new(GeneratorHarness.AllSpecPaths());

    [Theory]
    [MemberData(nameof(SpecPaths))]
    public void Spec_generates_code_that_compiles_without_diagnostics(string specPath)
    {
        var run = GeneratorHarness.Run(new[] { GeneratorHarness.SpecFile(specPath) });

        Assert.Null(run.Result.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Result.GeneratedSources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Theory]
    [MemberData(nameof(SpecPaths))]
    public void Emitted_manifest_and_sizes_match_torchvision(string specPath)
    {
        var type = GeneratedType(specPath);
        var reference = Reference(type.Name);
        var plan = (NetworkPlan)type.GetProperty("Definition")!.GetValue(null)!;
        var card = (ModelCard)type.GetProperty("Card")!.GetValue(null)!;

        var expected = reference.GetProperty("parameters").EnumerateArray()
            .Select(p => $"{p[0].GetString()} [{string.Join(", ", p[1].EnumerateArray().Select(d => d.GetInt32()))}]")
            .ToList();
        Assert.Equal(expected, plan.Parameters.Select(p => p.ToString()).ToList());
        Assert.Equal(reference.GetProperty("parameterCount").GetInt64(), Constant<long>(type, "ParameterCount"));
        Assert.Equal(reference.GetProperty("macCount").GetInt64(), Constant<long>(type, "FlopCount"));
        Assert.Equal(card.ParameterCount, Constant<long>(type, "ParameterCount"));
        Assert.Equal(card.FlopCount, Constant<long>(type, "FlopCount"));
    }

    // Parameters and FLOPs exactly as mmpretrain's metafile (configs/densenet/metafile.yml) gives them; its
    // FLOPs are mmcv's count: conv MACs, BN 2 and ReLU 1 per element, pooling 1 per input, no classifier.
    [Theory]
    [InlineData("specs/densenet121.densenet.json", 7978856L, 2881695488L, 2.88)]
    [InlineData("specs/densenet169.densenet.json", 14149480L, 3416860160L, 3.42)]
    [InlineData("specs/densenet201.densenet.json", 20013928L, 4365236736L, 4.37)]
    [InlineData("specs/densenet161.densenet.json", 28681000L, 7816363968L, 7.82)]
    public void Zoo_sizes_match_published_tables(string specPath, long parameters, long flops, double gflops)
    {
        var type = GeneratedType(specPath);

        Assert.Equal(parameters, Constant<long>(type, "ParameterCount"));
        Assert.Equal(flops, Constant<long>(type, "FlopCount"));
        Assert.Equal(gflops, Math.Round(Constant<long>(type, "FlopCount") / 1e9, 2));
    }

    [Fact]
    public void DenseNet121_plan_follows_the_buffer_and_op_contract()
    {
        var type = GeneratedType("specs/densenet121.densenet.json");
        var plan = (NetworkPlan)type.GetProperty("Definition")!.GetValue(null)!;
        var card = (ModelCard)type.GetProperty("Card")!.GetValue(null)!;

        Assert.Equal(
            new[] { "input 3", "block1 256", "block2 512", "block3 1024", "block4 1024", "norm 1024", "bottleneck 128", "stem 64", "features 1024", "logits 1000" },
            plan.Buffers.Select(b => $"{b.Name} {b.Channels}"));
        Assert.Equal(new ConvOp(0, 0, 3, 7, 0, 64, 7, 2, 3, "features.conv0.weight", null, "features.norm0", true), plan.Ops[0]);
        Assert.Equal(new MaxPoolOp(7, 64, 1, 3, 2, 1), plan.Ops[1]);
        Assert.Equal(new BatchNormReluOp(1, 0, 64, 5, "features.denseblock1.denselayer1.norm1", PoolKind.None), plan.Ops[2]);
        Assert.Equal(new ConvOp(5, 0, 64, 6, 0, 128, 1, 1, 0, "features.denseblock1.denselayer1.conv1.weight", null, "features.denseblock1.denselayer1.norm2", true), plan.Ops[3]);
        Assert.Equal(new ConvOp(6, 0, 128, 1, 64, 32, 3, 1, 1, "features.denseblock1.denselayer1.conv2.weight", null, null, false), plan.Ops[4]);
        // After 6 layers of block 1: transition 1 pools inside the BN op, then its 1x1 conv writes block 2.
        Assert.Equal(new BatchNormReluOp(1, 0, 256, 5, "features.transition1.norm", PoolKind.Average2x2), plan.Ops[2 + 3 * 6]);
        Assert.Equal(new ConvOp(5, 0, 256, 2, 0, 128, 1, 1, 0, "features.transition1.conv.weight", null, null, false), plan.Ops[3 + 3 * 6]);
        Assert.Equal(new BatchNormReluOp(4, 0, 1024, 8, "features.norm5", PoolKind.Global), plan.Ops[plan.FeatureOpCount - 1]);
        Assert.Equal(new ConvOp(8, 0, 1024, 9, 0, 1000, 1, 1, 0, "classifier.weight", "classifier.bias", null, false), plan.Ops[^1]);
        Assert.Equal(plan.Ops.Count - 1, plan.FeatureOpCount);
        Assert.Equal((8, 9, 1024, "imagenet1k"), (plan.FeatureBuffer, plan.OutputBuffer, plan.FeatureChannels, card.Labels));
        Assert.Equal(new PreprocessInfo(card.Preprocess.Mean, card.Preprocess.Std, 256, 224), card.Preprocess);
        Assert.Equal(new[] { 123.675f, 116.28f, 103.53f }, card.Preprocess.Mean);
        Assert.Equal(new[] { 58.395f, 57.12f, 57.375f }, card.Preprocess.Std);
        Assert.Equal(new[] { 6, 12, 24, 16 }, (IReadOnlyList<int>)type.GetProperty("BlockConfig")!.GetValue(null)!);
    }

    [Fact]
    public void Typed_layers_mirror_torchvision_modules()
    {
        var type = GeneratedType("tests/specs/odd-imagenet.densenet.json");

        Assert.Equal(
            new[] { "Conv0", "Norm0", "DenseBlock1", "Transition1", "DenseBlock2", "Transition2", "DenseBlock3", "Norm5", "Classifier" },
            type.GetProperties().Where(p => p.PropertyType.Namespace == "DenseNetGen.Layers").Select(p => p.Name));
        Assert.Equal("DenseNetGen.Tests.Nets", type.Namespace);
    }

    private static Type GeneratedType(string specPath)
    {
        var run = GeneratorHarness.Run(new[] { GeneratorHarness.SpecFile(specPath) });
        return run.Load().GetExportedTypes().Single();
    }

    private static T Constant<T>(Type type, string name) =>
        (T)type.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    private static JsonElement Reference(string name)
    {
        var path = Path.Combine(GeneratorHarness.RepoRoot, "tests", "references", "manifests", name + ".json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }
}
