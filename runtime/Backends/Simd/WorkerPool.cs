namespace DenseNetGen.Backends.Simd;

/// <summary>
/// Fork/join over an op's tiles on dedicated threads that spin between ops, so one fork and join costs
/// microseconds (a thread-pool round trip costs tens). The calling thread runs tiles too: a pool of N threads
/// starts N − 1 workers. Workers that find no work for a while sleep on an event, so an idle model holds no core.
/// </summary>
/// <remarks>
/// One <see cref="Run"/> at a time (the executor serializes calls). Tiles are claimed by compare-and-swap on one
/// 64-bit word: the job's generation in the high half, the next tile in the low half. The caller marks the word
/// with an odd generation while it swaps the job in, so a worker late from an earlier job can never claim a tile
/// of the new one with the old op: its swap names the old generation and fails. The join waits until every
/// claimed tile has finished; the interlocked operations order the tiles' writes before the caller's next reads.
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinsBeforeSleep = 100_000;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim _wake = new(false);
    private ISimdLaunch? _op;
    private int _tileCount;
    private long _state;
    private int _doneTiles;
    private volatile bool _stopping;
    private Exception? _failure;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i + 1;
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"densenet-simd-{i + 1}" };
            _threads[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>The index of the pool thread running the current tile: 0 for the caller, 1.. for workers. Ops use it to pick their scratch.</summary>
    public static int CurrentWorker => t_worker;

    [ThreadStatic] private static int t_worker;

    /// <summary>Runs every tile of <paramref name="op"/> and returns when all have finished.</summary>
    public void Run(ISimdLaunch op)
    {
        int tiles = op.TileCount;
        t_worker = 0;
        if (tiles <= 1 || _threads.Length == 0)
        {
            for (int t = 0; t < tiles; t++) op.RunTile(t);
            return;
        }
        long generation = (Volatile.Read(ref _state) >>> 32) + 1; // odd: setting up
        Interlocked.Exchange(ref _state, generation << 32);
        _op = op;
        _tileCount = tiles;
        _doneTiles = 0;
        long open = (generation + 1) << 32;
        Interlocked.Exchange(ref _state, open);
        if (!_wake.IsSet) _wake.Set();

        RunTiles(op, tiles, open);
        var spinner = new SpinWait();
        while (Volatile.Read(ref _doneTiles) < tiles)
            spinner.SpinOnce(sleep1Threshold: -1);
        _op = null;
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private void RunTiles(ISimdLaunch op, int tiles, long open)
    {
        long generation = open >>> 32;
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >>> 32 != generation) return;
            int tile = (int)(state & 0xFFFF_FFFF);
            if (tile >= tiles) return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            try
            {
                op.RunTile(tile);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            Interlocked.Increment(ref _doneTiles);
        }
    }

    private void Work(int index)
    {
        t_worker = index;
        long seen = 0;
        int idle = 0;
        while (!_stopping)
        {
            long state = Volatile.Read(ref _state);
            long generation = state >>> 32;
            if (generation == seen || (generation & 1) == 1)
            {
                if (++idle < SpinsBeforeSleep)
                {
                    Thread.SpinWait(10);
                    continue;
                }
                // Reset, then re-check, so a fork between the two is not slept through.
                _wake.Reset();
                if (Volatile.Read(ref _state) >>> 32 == seen && !_stopping) _wake.Wait();
                idle = 0;
                continue;
            }
            var op = _op;
            int tiles = _tileCount;
            // The generation only moves forward: if a claim below succeeds with this generation, op and tiles
            // were read while it was current.
            if (op is not null) RunTiles(op, tiles, generation << 32);
            seen = generation;
            idle = 0;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        foreach (var thread in _threads) thread.Join();
        _wake.Dispose();
    }
}
