using DenseNetGen.Inference;
using DenseNetGen.Serving;

namespace DenseNetGen.AspNetCore;

/// <summary>
/// The singleton <see cref="DenseNetServiceCollectionExtensions.AddDenseNet{TModel}"/> registers: a pool of
/// <typeparamref name="TModel"/> replicas with dynamic batching, and an image classifier over it. Safe to call from
/// every request; the host disposes it at shutdown, after the server has stopped taking requests, which runs
/// every queued call to its end.
/// </summary>
/// <typeparam name="TModel">The generated network class, so several models can be registered side by side.</typeparam>
public sealed class DenseNetService<TModel> : IAsyncDisposable where TModel : DenseNetModel
{
    internal DenseNetService(DenseNetPool pool)
    {
        Pool = pool;
        Classifier = new ImageClassifier(pool);
    }

    /// <summary>Tensor calls (<see cref="DenseNetPool.ForwardAsync"/>), batched with every other caller's.</summary>
    public DenseNetPool Pool { get; }

    /// <summary>Images in, top-k out (<see cref="ImageClassifier.PredictAsync(Stream, int, string, CancellationToken)"/> takes a request body).</summary>
    public ImageClassifier Classifier { get; }

    /// <summary>Drains the pool's queue and releases what it opened.</summary>
    public ValueTask DisposeAsync() => Pool.DisposeAsync();
}
