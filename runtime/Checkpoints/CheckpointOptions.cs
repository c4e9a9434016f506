namespace DenseNetGen.Checkpoints;

/// <summary>How a checkpoint is read and bound. The defaults take the trained weights and refuse NaN and ±Inf.</summary>
public sealed record CheckpointOptions
{
    /// <summary>Trained weights, finite values only.</summary>
    public static CheckpointOptions Default { get; } = new();

    /// <summary>
    /// Take the exponential-moving-average weights (timm's <c>state_dict_ema</c>, torchvision's <c>model_ema</c>)
    /// instead of the trained ones. A file without them is refused.
    /// </summary>
    public bool UseEma { get; init; }

    /// <summary>Accept NaN and ±Inf in the bound weights; refused by default because every output would be NaN.</summary>
    public bool AllowNonFinite { get; init; }
}
