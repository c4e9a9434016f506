using DenseNetGen.Backends;
using DenseNetGen.Execution;
using DenseNetGen.Zoo;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// The pool's batching, queue bound, cancellation and draining, against the model's own Forward. A "long" call is
/// 32 images of 1×160×160 through the Fashion-MNIST net (the net is fully convolutional up to its global pool), which
/// keeps the one replica busy for a good fraction of a second while the test queues behind it.
/// </summary>
public sealed class DenseNetPoolTests : IDisposable
{
    private readonly DenseNetModel _model = DenseNets.Load(DenseNets.DefaultName);
    private readonly List<BatchRun> _runs = [];

    private static readonly float[] s_long = Values(32 * 160 * 160, seed: 99);

    private DenseNetPool Pool(int maxBatch, TimeSpan delay, int capacity = 64)
    {
        var pool = new DenseNetPool([_model], new BatchingOptions { MaxBatchSize = maxBatch, MaxDelay = delay, QueueCapacity = capacity });
        pool.BatchCompleted = run =>
        {
            lock (_runs) _runs.Add(run);
        };
        return pool;
    }

    /// <summary>Distinct, repeatable inputs in [-1, 1].</summary>
    private static float[] Values(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => MathF.Sin(0.37f * i + seed))];

    private static float[] Image(int seed) => Values(784, seed);

    /// <summary>Starts the long call and waits until the replica has taken it, so what follows queues behind it.</summary>
    private static async Task<Task<float[]>> Occupy(DenseNetPool pool)
    {
        var running = pool.ForwardAsync(s_long, 32, 160, 160);
        for (int i = 0; i < 1000 && pool.QueueDepth > 0; i++) await Task.Delay(5);
        Assert.Equal(0, pool.QueueDepth);
        Assert.False(running.IsCompleted);
        return running;
    }

    [Fact]
    public async Task Concurrent_calls_run_as_one_batch_and_each_gets_its_own_rows()
    {
        await using var pool = Pool(maxBatch: 8, delay: TimeSpan.FromSeconds(5));
        var inputs = Enumerable.Range(0, 8).Select(Image).ToArray();

        var results = await Task.WhenAll(inputs.Select(input => pool.ForwardAsync(input, 1, 28, 28)));

        // One pass of all eight (the batch filled long before the delay), each caller's rows in call order.
        Assert.Equal([new BatchRun(8, 8, _runs[0].Duration)], _runs);
        var expected = _model.Forward(inputs.SelectMany(i => i).ToArray(), 8, 28, 28);
        for (int i = 0; i < 8; i++) Assert.Equal(expected[(i * 10)..((i + 1) * 10)], results[i]);
    }

    [Fact]
    public async Task A_call_past_the_queues_capacity_fails_at_once_with_QueueFullException()
    {
        await using var pool = Pool(maxBatch: 1, delay: TimeSpan.Zero, capacity: 1);
        var running = await Occupy(pool);
        var queued = pool.ForwardAsync(Image(0), 1, 28, 28);

        var refused = pool.ForwardAsync(Image(1), 1, 28, 28);

        Assert.True(refused.IsFaulted);
        var error = await Assert.ThrowsAsync<QueueFullException>(() => refused);
        Assert.Equal(1, error.Capacity);
        Assert.Contains("fashion", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsAssignableFrom<DenseNetException>(error);
        await Task.WhenAll(running, queued);
    }

    [Fact]
    public async Task A_cancelled_call_leaves_the_queue_and_never_runs()
    {
        var pool = Pool(maxBatch: 8, delay: TimeSpan.Zero);
        var running = await Occupy(pool);
        using var cancel = new CancellationTokenSource();
        var queued = pool.ForwardAsync(Image(0), 1, 28, 28, cancel.Token);
        Assert.Equal(1, pool.QueueDepth);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Equal(0, pool.QueueDepth);
        await running;
        await pool.DisposeAsync();
        Assert.Equal([32], _runs.Select(r => r.Images));
    }

    [Fact]
    public async Task Disposing_runs_every_queued_call_then_refuses_new_ones()
    {
        var pool = Pool(maxBatch: 1, delay: TimeSpan.Zero);
        var running = await Occupy(pool);
        var queued = Enumerable.Range(0, 3).Select(i => pool.ForwardAsync(Image(i), 1, 28, 28)).ToArray();

        await pool.DisposeAsync();

        // Every pass has run when disposal returns; the callers' awaits resume on the thread pool just after.
        Assert.Equal(4, _runs.Count);
        Assert.Equal(32 * 10, (await running).Length);
        for (int i = 0; i < 3; i++) Assert.Equal(_model.Forward(Image(i), 1, 28, 28), await queued[i]);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.ForwardAsync(Image(0), 1, 28, 28));
    }

    [Fact]
    public async Task Replicas_made_by_Create_share_one_bound_checkpoint_on_devices_of_their_own()
    {
        var zoo = DenseNets.Find(DenseNets.DefaultName);
        var weights = zoo.BindWeights(null);
        await using var pool = DenseNetPool.Create(weights, zoo.Create, new PoolOptions { Replicas = 2, Device = DeviceKind.Cpu, Batching = new() { MaxBatchSize = 1, MaxDelay = TimeSpan.Zero } });

        Assert.Same(pool.Replicas[0].Weights, pool.Replicas[1].Weights);
        Assert.NotSame(pool.Replicas[0].Device, pool.Replicas[1].Device);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => pool.ForwardAsync(Image(i), 1, 28, 28)));
        for (int i = 0; i < 4; i++) Assert.Equal(_model.Forward(Image(i), 1, 28, 28), results[i]);
    }

    [Fact]
    public async Task Input_of_the_wrong_length_is_refused_before_it_queues()
    {
        await using var pool = Pool(maxBatch: 8, delay: TimeSpan.Zero);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.ForwardAsync(new float[100], 1, 28, 28));
        Assert.Contains("784", error.Message);
    }

    [Fact]
    public async Task ForwardAsync_on_a_model_matches_Forward_and_honours_a_cancelled_token()
    {
        Assert.Equal(_model.Forward(Image(3), 1, 28, 28), await _model.ForwardAsync(Image(3), 1, 28, 28));
        var output = await _model.InferAsync(Image(3), 1, 28, 28);
        Assert.Equal(_model.Infer(Image(3), 1, 28, 28).Features, output.Features);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _model.ForwardAsync(Image(3), 1, 28, 28, new CancellationToken(canceled: true)));
    }

    public void Dispose() => _model.Dispose();
}
