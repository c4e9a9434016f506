namespace DenseNetGen.Serving;

/// <summary>
/// How a <see cref="DenseNetPool"/> groups concurrent calls into batches (dynamic batching, as Triton's and
/// TorchServe's): a replica that takes a call waits up to <see cref="MaxDelay"/> for more calls of the same image
/// size, until the batch holds <see cref="MaxBatchSize"/> images, then runs them as one pass.
/// </summary>
public sealed record BatchingOptions
{
    /// <summary>Images in one pass at most (1 turns batching off). A single call with more images runs alone.</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>
    /// How long the first call of a batch waits for others. Zero runs whatever is queued at once; a few
    /// milliseconds costs a lone caller that much and lets a busy server fill its batches.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Calls waiting for a replica at most; past it a call fails at once with <see cref="QueueFullException"/>
    /// instead of piling up (a server answers 503 and the client backs off).
    /// </summary>
    public int QueueCapacity { get; init; } = 64;

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
    }
}
