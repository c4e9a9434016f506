using DenseNetGen.Checkpoints;
using DenseNetGen.Serving;

namespace DenseNetGen.AspNetCore;

/// <summary>What <see cref="DenseNetServiceCollectionExtensions.AddDenseNet{TModel}"/> loads and how it serves it.</summary>
public sealed class DenseNetOptions
{
    /// <summary>The checkpoint file (.pth, .safetensors); read once, whatever the number of replicas.</summary>
    public string? Checkpoint { get; set; }

    /// <summary>How the checkpoint is read (EMA weights, non-finite values).</summary>
    public CheckpointOptions? CheckpointOptions { get; set; }

    /// <summary>Replicas, their device and threads, and the dynamic batching in front of them.</summary>
    public PoolOptions Pool { get; set; } = new();
}
