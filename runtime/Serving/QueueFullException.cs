namespace DenseNetGen.Serving;

/// <summary>
/// A call reached a <see cref="DenseNetPool"/> whose queue already holds <see cref="Capacity"/> calls: the caller
/// should back off and retry (HTTP 503 with Retry-After), not wait behind a queue that only grows.
/// </summary>
public sealed class QueueFullException(string model, int capacity)
    : DenseNetException($"{model} is busy: {capacity} calls are already waiting (the queue's capacity); retry later.")
{
    /// <summary>The model whose queue is full.</summary>
    public string Model { get; } = model;

    /// <summary>The queue's capacity (<see cref="BatchingOptions.QueueCapacity"/>).</summary>
    public int Capacity { get; } = capacity;
}
