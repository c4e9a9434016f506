using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads a checkpoint (PyTorch zip or legacy .pth, .safetensors), detects its key convention,
/// renames its tensors to canonical names and checks them strictly against a plan's manifest.
/// </summary>
public static class CheckpointBinder
{
    public static BoundCheckpoint Bind(string path, NetworkPlan plan) => throw new NotImplementedException();

    public static BoundCheckpoint Bind(Stream stream, string displayName, NetworkPlan plan) => throw new NotImplementedException();

    /// <summary>Checks tensors that are already in canonical naming.</summary>
    public static BoundCheckpoint Bind(IReadOnlyDictionary<string, Tensor> canonical, NetworkPlan plan) => throw new NotImplementedException();
}

/// <summary>Canonically named tensors that match a plan's manifest, and where they came from.</summary>
public sealed record BoundCheckpoint(IReadOnlyDictionary<string, Tensor> Tensors, string Source, string Format, string Convention);
