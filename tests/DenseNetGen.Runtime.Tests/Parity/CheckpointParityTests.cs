using System.Text.Json;
using DenseNetGen.Checkpoints;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Parity;

/// <summary>
/// Every reference checkpoint — each format and key convention PyTorch users have — bound into the generated
/// OddImageNet computes PyTorch's outputs (tests/references/checkpoints/outputs.json, made by
/// tools/make_checkpoint_outputs.py from the same weights).
/// </summary>
public sealed class CheckpointParityTests
{
    public static TheoryData<string, string, string, string> Checkpoints() => new()
    {
        { "torchvision.pth", "torch-zip", "torchvision", "float32" },
        { "weird_name.pth", "torch-zip", "torchvision", "float32" },
        { "dataparallel.pth", "torch-zip", "torchvision", "float32" },
        { "protocol4.pth", "torch-zip", "torchvision", "float32" },
        { "mmpretrain.pth", "torch-zip", "mmpretrain", "float32" },
        { "torchvision_legacy.pth", "torch-legacy", "torchvision", "float32" },
        { "mmpretrain_legacy.pth", "torch-legacy", "mmpretrain", "float32" },
        { "torchvision_2017.pth", "torch-legacy", "torchvision-legacy", "float32" },
        { "timm.safetensors", "safetensors", "timm", "float32" },
        { "torchvision_fp16.pth", "torch-zip", "torchvision", "float16" },
        { "timm_fp16.safetensors", "safetensors", "timm", "float16" },
        // What training scripts save (tools/make_checkpoint_corpus.py): the weights next to metadata and state.
        { "corpus/meta_one_element_list.pth", "torch-zip", "torchvision", "float32" },
        { "corpus/meta_one_element_list_legacy.pth", "torch-legacy", "torchvision", "float32" },
        { "corpus/meta_numpy.pth", "torch-zip", "torchvision", "float32" },
        { "corpus/mmengine.pth", "torch-zip", "mmpretrain", "float32" },
        { "corpus/timm_train.pth", "torch-zip", "torchvision", "float32" },
        { "corpus/torchvision_train.pth", "torch-zip", "torchvision", "float32" },
        { "corpus/payload_in_meta.pth", "torch-zip", "torchvision", "float32" },
    };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void LoadsAndComputesPyTorchsOutputs(string file, string format, string convention, string precision)
    {
        using var model = OddImageNet.Load(Path.Combine(RepositoryPaths.References("checkpoints"), file), TestDevice.Device);
        var (shape, logits, features) = Expected(precision);

        var output = model.Infer(DeterministicWeights.Input(shape[0], shape[1], shape[2], shape[3]), shape[0], shape[2], shape[3]);

        Assert.Equal(format, model.Weights.Format);
        Assert.Equal(convention, model.Weights.Convention);
        ParityAssert.Close(logits, output.Logits, $"{file} logits");
        ParityAssert.Close(features, output.Features, $"{file} features");
    }

    private static (int[] Shape, float[] Logits, float[] Features) Expected(string precision)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.References("checkpoints"), "outputs.json")));
        var outputs = doc.RootElement.GetProperty(precision);
        return ([.. doc.RootElement.GetProperty("inputShape").EnumerateArray().Select(v => v.GetInt32())],
            [.. outputs.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle())],
            [.. outputs.GetProperty("features").EnumerateArray().Select(v => v.GetSingle())]);
    }
}
