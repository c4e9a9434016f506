using System.Buffers;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Backends;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Serving;

/// <summary>
/// One handle, safe to call from every request of a server, in front of one or more replicas of a model: concurrent
/// calls wait in a bounded queue (<see cref="BatchingOptions.QueueCapacity"/>), and each replica's worker runs them
/// in batches formed on the fly (<see cref="BatchingOptions"/>), so eight callers of one image each cost about one
/// pass of eight. Past the queue's capacity a call fails at once with <see cref="QueueFullException"/>.
/// </summary>
/// <remarks>
/// Every batch is gathered into a buffer rented from <see cref="ArrayPool{T}.Shared"/> and returned after its pass,
/// so a steady load allocates only each caller's outputs. Disposing closes the queue, lets the workers finish every
/// call already queued (a graceful shutdown drains), and then disposes what the pool opened.
/// </remarks>
public sealed class DenseNetPool : IAsyncDisposable, IDisposable
{
    private readonly CallQueue _queue;
    private readonly Task[] _workers;
    private readonly IReadOnlyList<IDisposable> _owned;
    private int _disposed;

    /// <summary>
    /// A pool over models the caller made and keeps owning (they may share a device, though a device runs one
    /// pass at a time, so replicas only add throughput on devices of their own).
    /// </summary>
    /// <exception cref="ArgumentException">No replicas, or replicas of different networks.</exception>
    public DenseNetPool(IReadOnlyList<DenseNetModel> replicas, BatchingOptions? batching = null)
        : this(replicas, batching ?? new BatchingOptions(), owned: [])
    {
    }

    private DenseNetPool(IReadOnlyList<DenseNetModel> replicas, BatchingOptions batching, IReadOnlyList<IDisposable> owned)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count == 0) throw new ArgumentException("A pool needs at least one replica.", nameof(replicas));
        if (replicas.Any(r => !r.Plan.Equals(replicas[0].Plan)))
            throw new ArgumentException("A pool's replicas must all run the same network.", nameof(replicas));
        batching.Validate();
        Replicas = replicas;
        Batching = batching;
        _owned = owned;
        _queue = new CallQueue(Plan.Name, batching);
        _workers = [.. replicas.Select(r => Task.Factory.StartNew(() => Work(r), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
    }

    /// <summary>
    /// Opens <see cref="PoolOptions.Replicas"/> devices and one model on each from the same bound weights: the
    /// checkpoint is read and checked once, and each backend prepares its own copy (packed, BatchNorm folded) from
    /// it. The pool owns and disposes the devices and models.
    /// </summary>
    /// <param name="weights">The bound checkpoint every replica is made from.</param>
    /// <param name="create">The generated class's <c>Create</c> (e.g. <c>DenseNet121.Create</c>).</param>
    /// <param name="options">Replicas, device, threads and batching; the defaults when null.</param>
    /// <exception cref="DeviceUnavailableException">The device kind is not there.</exception>
    public static DenseNetPool Create(BoundCheckpoint weights, Func<BoundCheckpoint, ComputeDevice, DenseNetModel> create, PoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(create);
        options ??= new PoolOptions();
        options.Validate();
        int threads = options.ThreadsPerReplica > 0 ? options.ThreadsPerReplica : Math.Max(1, SimdThreads.Default / options.Replicas);
        var owned = new List<IDisposable>();
        var replicas = new List<DenseNetModel>();
        try
        {
            for (int i = 0; i < options.Replicas; i++)
            {
                var device = ComputeDevice.Open(options.Device, options.Compute with { Threads = threads });
                owned.Add(device);
                var model = create(weights, device);
                // Models first: a device is disposed after the models on it.
                owned.Insert(0, model);
                replicas.Add(model);
            }
            return new DenseNetPool(replicas, options.Batching, owned);
        }
        catch
        {
            foreach (var item in owned) item.Dispose();
            throw;
        }
    }

    /// <summary>The models the pool runs, one worker each.</summary>
    public IReadOnlyList<DenseNetModel> Replicas { get; }

    /// <summary>How calls are batched.</summary>
    public BatchingOptions Batching { get; }

    /// <summary>The network every replica runs.</summary>
    public NetworkPlan Plan => Replicas[0].Plan;

    /// <summary>What the network is: preprocessing, labels.</summary>
    public ModelCard ModelCard => Replicas[0].ModelCard;

    /// <summary>Calls waiting for a replica now.</summary>
    public int QueueDepth => _queue.Count;

    /// <summary>
    /// Called on a worker after each pass (for metrics); keep it quick. An exception it throws is ignored.
    /// </summary>
    public Action<BatchRun>? BatchCompleted { get; set; }

    /// <summary>
    /// Logits [images × NumClasses] for normalized NCHW input, run in a batch with other callers' images of the
    /// same size. <paramref name="cancellationToken"/> takes a waiting call out of the queue; a call whose pass has
    /// started is released at once and its outputs dropped.
    /// </summary>
    /// <remarks><paramref name="input"/> must stay unchanged until the task completes (it is copied into the batch).</remarks>
    /// <exception cref="ArgumentException">The input's length is not images × channels × height × width.</exception>
    /// <exception cref="QueueFullException">The queue is full (thrown by the task, at once).</exception>
    /// <exception cref="ObjectDisposedException">The pool is shutting down.</exception>
    public async Task<float[]> ForwardAsync(ReadOnlyMemory<float> input, int images, int height, int width, CancellationToken cancellationToken = default) =>
        (await InferAsync(input, images, height, width, cancellationToken).ConfigureAwait(false)).Logits;

    /// <summary>Logits and pooled features, batched as <see cref="ForwardAsync"/> runs them.</summary>
    public Task<ModelOutput> InferAsync(ReadOnlyMemory<float> input, int images, int height, int width, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)images * Plan.InChannels * height * width;
        if (input.Length != expected)
            throw new ArgumentException($"{Plan.Name} expects {expected} input values ({images}×{Plan.InChannels}×{height}×{width}), got {input.Length}.", nameof(input));
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<ModelOutput>(cancellationToken);
        var call = new PendingCall(input, images, height, width);
        try
        {
            _queue.Add(call, cancellationToken);
        }
        catch (Exception e) when (e is QueueFullException or ObjectDisposedException)
        {
            return Task.FromException<ModelOutput>(e);
        }
        return call.Task;
    }

    private void Work(DenseNetModel replica)
    {
        while (_queue.TakeBatch() is { } batch)
            Run(replica, batch);
    }

    private void Run(DenseNetModel replica, List<PendingCall> batch)
    {
        var first = batch[0];
        int images = batch.Sum(c => c.Images);
        int perImage = Plan.InChannels * first.Height * first.Width;
        var input = ArrayPool<float>.Shared.Rent(images * perImage);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            int offset = 0;
            foreach (var call in batch)
            {
                call.Input.Span.CopyTo(input.AsSpan(offset));
                offset += call.Input.Length;
            }
            var output = replica.Infer(input.AsSpan(0, offset), images, first.Height, first.Width);
            // Recorded before the callers resume, so a caller that reads the metrics after its answer sees its pass.
            Report(new BatchRun(batch.Count, images, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
            Deliver(batch, output);
        }
        catch (Exception e)
        {
            foreach (var call in batch) call.TrySetException(e);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
            foreach (var call in batch) call.Cancellation.Dispose();
        }
    }

    private void Report(BatchRun run)
    {
        try
        {
            BatchCompleted?.Invoke(run);
        }
        catch (Exception)
        {
            // Metrics must never stop a worker, nor fail the batch.
        }
    }

    /// <summary>Gives each call its rows of the batch's logits and features.</summary>
    private void Deliver(List<PendingCall> batch, ModelOutput output)
    {
        if (batch.Count == 1)
        {
            batch[0].TrySetResult(output);
            return;
        }
        int classes = Plan.NumClasses, features = output.Features.Length / batch.Sum(c => c.Images);
        int row = 0;
        foreach (var call in batch)
        {
            call.TrySetResult(new ModelOutput(
                output.Logits.AsSpan(row * classes, call.Images * classes).ToArray(),
                output.Features.AsSpan(row * features, call.Images * features).ToArray()));
            row += call.Images;
        }
    }

    /// <summary>Refuses new calls, runs every queued call to its end, then disposes what the pool opened.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Close();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        foreach (var item in _owned) item.Dispose();
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking until the queue is drained.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
