using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// Tensors with no elements, which safetensors allows (a zero in the shape, an empty data range), in files that
/// tools/make_empty_tensors.py wrote from PyTorch's own tensors: the reader takes them, and the binder refuses one
/// where the network needs weights, saying it has no elements.
/// </summary>
public sealed class EmptyTensorTests
{
    [Fact]
    public void ASafetensorsFileWithEmptyTensorsIsRead()
    {
        var contents = CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("empty_tensors.safetensors"));

        Assert.Equal(["empty.rows", "pair", "empty.columns", "empty.vector"], contents.Tensors.Keys);
        Assert.Equal([0, 3], contents.Tensors["empty.rows"].Shape);
        Assert.Equal([3, 0], contents.Tensors["empty.columns"].Shape);
        Assert.Equal([0], contents.Tensors["empty.vector"].Shape);
        Assert.All(contents.Tensors.Where(t => t.Key.StartsWith("empty.", StringComparison.Ordinal)), t => Assert.Empty(t.Value.Data));
        Assert.Equal([1.5f, -2.0f], contents.Tensors["pair"].Data);
    }

    [Fact]
    public void AnEmptyTensorWhereTheNetworkNeedsWeightsIsRefusedByName()
    {
        var bias = Assert.Single(ReferenceCheckpoints.Plan.Parameters, p => p.Name == "classifier.bias");

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("empty_weight.safetensors"), ReferenceCheckpoints.Plan));

        Assert.Contains($"classifier.bias: checkpoint [0] (no elements) vs model [{bias.Shape[0]}]", error.Message);
        Assert.DoesNotContain("missing", error.Message);
    }
}
