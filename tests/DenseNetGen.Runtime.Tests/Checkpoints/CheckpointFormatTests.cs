using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

public class CheckpointFormatTests
{
    [Theory]
    [InlineData("torchvision.pth", "torch-zip", "torchvision")]
    [InlineData("weird_name.pth", "torch-zip", "torchvision")]
    [InlineData("protocol4.pth", "torch-zip", "torchvision")]
    [InlineData("dataparallel.pth", "torch-zip", "torchvision")]
    [InlineData("views.pth", "torch-zip", "torchvision")]
    [InlineData("mmpretrain.pth", "torch-zip", "mmpretrain")]
    [InlineData("torchvision_legacy.pth", "torch-legacy", "torchvision")]
    [InlineData("mmpretrain_legacy.pth", "torch-legacy", "mmpretrain")]
    [InlineData("torchvision_2017.pth", "torch-legacy", "torchvision-legacy")]
    [InlineData("timm.safetensors", "safetensors", "timm")]
    public void Float32CheckpointMatchesPyTorch(string file, string format, string convention)
    {
        var bound = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf(file), ReferenceCheckpoints.Plan);

        Assert.Equal(format, bound.Format);
        Assert.Equal(convention, bound.Convention);
        Assert.Equal(file, bound.Source);
        Assert.Equal(ReferenceCheckpoints.Plan.Parameters.Select(p => p.Name), bound.Tensors.Keys);
        var reference = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), ReferenceCheckpoints.Plan);
        foreach (var parameter in ReferenceCheckpoints.Plan.Parameters)
        {
            var tensor = bound.Tensors[parameter.Name];
            Assert.Equal(parameter.Name, tensor.Name);
            Assert.Equal(parameter.Shape, tensor.Shape);
            ReferenceCheckpoints.Float32Checksums[parameter.Name].AssertMatches(tensor);
            Assert.Equal(reference.Tensors[parameter.Name].Data, tensor.Data);
        }
    }

    [Theory]
    [InlineData("torchvision_fp16.pth", "torch-zip", "torchvision")]
    [InlineData("timm_fp16.safetensors", "safetensors", "timm")]
    public void Float16CheckpointIsUpcastExactly(string file, string format, string convention)
    {
        var bound = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf(file), ReferenceCheckpoints.Plan);

        Assert.Equal(format, bound.Format);
        Assert.Equal(convention, bound.Convention);
        var reference = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), ReferenceCheckpoints.Plan);
        foreach (var parameter in ReferenceCheckpoints.Plan.Parameters)
        {
            var tensor = bound.Tensors[parameter.Name];
            ReferenceCheckpoints.Float16Checksums[parameter.Name].AssertMatches(tensor);
            var exact = reference.Tensors[parameter.Name].Data;
            for (var i = 0; i < exact.Length; i++)
                Assert.Equal((float)(Half)exact[i], tensor.Data[i]);
        }
    }

    [Fact]
    public void ReadAllListsRawKeysDataTypesAndBuffers()
    {
        var contents = CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("mmpretrain_legacy.pth"));

        Assert.Equal("torch-legacy", contents.Format);
        Assert.Equal("backbone.stem.0.weight", contents.Tensors.Keys.First());
        Assert.Equal("head.fc.bias", contents.Tensors.Keys.Last());
        var tracked = contents.Tensors["backbone.transitions.2.0.num_batches_tracked"];
        Assert.Empty(tracked.Shape);
        Assert.True(tracked.Data[0] >= 1);
        Assert.Equal("int64", contents.DataTypes["backbone.transitions.2.0.num_batches_tracked"]);
        Assert.Equal("float32", contents.DataTypes["head.fc.bias"]);
        var batchNorms = ReferenceCheckpoints.Plan.Parameters.Count(p => p.Name.EndsWith(".running_var", StringComparison.Ordinal));
        Assert.Equal(ReferenceCheckpoints.Plan.Parameters.Count + batchNorms, contents.Tensors.Count);
    }

    [Fact]
    public void FormatIsChosenByContentNotExtension()
    {
        using var stream = new MemoryStream(ReferenceCheckpoints.Bytes("timm.safetensors"));

        var bound = CheckpointBinder.Bind(stream, "weights.pth", ReferenceCheckpoints.Plan);

        Assert.Equal("safetensors", bound.Format);
        Assert.Equal("weights.pth", bound.Source);
    }

    [Fact]
    public void CanonicalTensorsBindDirectly()
    {
        var tensors = CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("torchvision.pth")).Tensors;

        var bound = CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan);

        Assert.Equal("torchvision", bound.Convention);
        Assert.Equal(ReferenceCheckpoints.Plan.Parameters.Count, bound.Tensors.Count);
    }

    [Fact]
    public void GeneratedManifestEqualsPyTorchs()
    {
        Assert.Equal(
            ReferenceCheckpoints.PyTorchManifest.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"),
            ReferenceCheckpoints.Plan.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"));
    }
}
