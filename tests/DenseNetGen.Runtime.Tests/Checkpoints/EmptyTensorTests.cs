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

    /// <summary>A shape with a zero still has to match its bytes (none), and a negative size is no size.</summary>
    [Theory]
    [InlineData("""{"a": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 12]}}""", 12, "a: shape [0, 3] needs 0 bytes but data_offsets give 12")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [0, -1], "data_offsets": [0, 0]}}""", 0, "a: shape [0, -1] does not fit its data")]
    public void AnEmptyShapeWithBytesOrANegativeSizeIsRefused(string header, int dataBytes, string message)
    {
        var json = System.Text.Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsReader.Read(file, "empty.safetensors"));

        Assert.EndsWith(message, error.Message);
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
