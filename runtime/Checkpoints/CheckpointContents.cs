namespace DenseNetGen.Checkpoints;

/// <summary>
/// Every tensor a checkpoint holds, under its own (raw) key, converted to float32, in file order.
/// </summary>
/// <param name="Source">The file or stream name it was read from.</param>
/// <param name="Format">"torch-zip", "torch-legacy" or "safetensors".</param>
/// <param name="Tensors">Raw key → tensor, in the order the file lists them.</param>
/// <param name="DataTypes">Raw key → the element type stored in the file ("float32", "float16", "int64"…).</param>
public sealed record CheckpointContents(
    string Source,
    string Format,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> DataTypes);
