using System.Diagnostics;
using System.Runtime.Intrinsics.X86;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// Fork/join over an op's tiles on dedicated threads. The calling thread runs tiles too: a pool of N threads
/// starts N − 1 workers. Every wait (a worker's for the next fork, the caller's for the other threads' last
/// tiles) spins for at most <see cref="SpinWindow"/> and then blocks, like ONNX Runtime's
/// <c>session.intra_op.allow_spinning</c>: the forks of one forward pass come microseconds apart, so spinning keeps
/// each one cheap (waking a blocked thread costs tens of microseconds), while a thread that waits longer, because the
/// model is idle or because the thread it waits for lost its core to another process, gives its core away.
/// Without spinning every wait blocks at once.
/// </summary>
/// <remarks>
/// One <see cref="Run"/> at a time (the executor serializes calls). Each thread owns a contiguous range of the
/// tiles, the same share of every op (thread w of N: tiles [w·T/N, (w+1)·T/N)), and takes them from the front; a
/// thread whose range is empty steals from the back of another's. Every op numbers its tiles image by image (within
/// an image the 1x1 and Winograd convs go row by row), so at batch 8 on two threads one thread keeps images 0–3 and
/// the other 4–7 through the whole pass: a thread mostly reads what it wrote one op earlier, in its own caches. With
/// one shared counter, as before, neighbouring tiles alternated between cores and every op read half its input from
/// the other core (DenseNet-121 b8, two threads: the Winograd input transform took twice as long per tile as on one
/// thread; benchmarks/README.md, "Each thread its own share"). Stealing keeps a preempted thread's share from
/// stalling the join. ONNX Runtime's MLAS splits work by thread index the same way.
///
/// A range is one 64-bit word per thread, alone in its cache line: the job's generation in the high half, the
/// range's front and back in the low half, in units of <see cref="MaxUnits"/>-th of the job (a unit is one tile
/// unless a job has more tiles than that). Claims are compare-and-swaps on that word. The caller marks the job word
/// with an odd generation while it swaps the job in and writes every range with the new generation before it opens
/// the job, so a worker late from an earlier job can never claim a tile of the new one with the old op: its swap
/// names the old generation and fails. The join waits until every claimed tile has finished; the interlocked
/// operations order the tiles' writes before the caller's next reads.
///
/// A thread that has run its share before the others prefetches the next launch's weights (<c>next</c>) into its L2
/// cache while it waits, a chunk at a time, checking between chunks whether the join is done (the caller) or the next
/// fork has come (a worker). At batch 1 each thread reads every layer's whole weights (DenseNet121: 43 MB a pass, from
/// memory), which a second thread cannot share; this spends waits at joins on that rather than on spinning. DenseNet121
/// and 161 at batch 1 on two threads: 2–4% a pass (benchmarks/README.md, "The next step's weights prefetched at
/// joins"). A worker may read <c>next</c> of a newer job than its <c>op</c>; a prefetch never faults, so the worst a
/// stale range costs is lines fetched for nothing.
///
/// A worker that blocks waits on a monitor for its condition (a new job, or the stop), never for a signal: it counts
/// itself a sleeper, then checks, under the monitor's lock; the caller writes the job word, then pulses the monitor
/// if anyone sleeps. Both first steps are interlocked, so either the worker sees the job or the caller sees the
/// worker, and a pulse cannot come between a worker's check and its wait. (An event set by the caller and reset by
/// each worker before it blocked lost wake-ups with two workers or more: one worker's reset cleared a set that another,
/// already woken, had not yet seen, so that one slept through a fork and Dispose waited for it forever; seen as a CI
/// hang with a 3-thread pool.) The join has one waiter, the caller, which resets its event itself and checks again
/// before blocking, so a signal between the reset and the check is never slept through, and a late signal from an
/// earlier job only costs one extra check.
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>
    /// How long a wait spins before it blocks: longer than the gap between two forks of a forward pass and than a
    /// tile (so an idle machine keeps today's speed), far shorter than a scheduler time slice (so a thread whose
    /// partner was preempted yields its core within one). Measured in benchmarks/README.md ("Thread policy").
    /// </summary>
    public static readonly TimeSpan SpinWindow = TimeSpan.FromMicroseconds(200);

    private static readonly long s_spinTicks = (long)(SpinWindow.TotalSeconds * Stopwatch.Frequency);

    /// <summary>How often a spinning wait yields its core: see <see cref="SpinUntil"/>.</summary>
    public static readonly TimeSpan YieldInterval = TimeSpan.FromMicroseconds(20);

    private static readonly long s_yieldTicks = (long)(YieldInterval.TotalSeconds * Stopwatch.Frequency);

    private readonly Thread[] _threads;
    private readonly long _spinTicks;
    /// <summary>The monitor blocked workers wait on for a fork or the stop (see the remarks).</summary>
    private readonly object _forkGate = new();
    /// <summary>Workers blocked, or about to block, on <see cref="_forkGate"/>.</summary>
    private int _sleepers;
    private readonly ManualResetEventSlim _joined = new(false, spinCount: 1);
    /// <summary>Units a job's tiles are cut into at most: a range's front and back take 16 bits each.</summary>
    internal const int MaxUnits = ushort.MaxValue;

    /// <summary>longs per cache line: each thread's range word sits alone in its line.</summary>
    private const int LineLongs = 8;

    private ISimdLaunch? _op;
    /// <summary>The weights of the launch after <see cref="_op"/>, for threads that finish early to prefetch.</summary>
    private WeightRange[]? _next;
    private int _tileCount;
    /// <summary>Tiles per unit of the current job.</summary>
    private int _unitTiles;
    /// <summary>The job word: generation in the high half (odd while a job is swapped in).</summary>
    private long _state;
    /// <summary>Thread w's range at [w · LineLongs]: generation, front, back (see the remarks).</summary>
    private readonly long[] _ranges;
    private int _doneTiles;
    private volatile bool _stopping;
    private Exception? _failure;

    /// <param name="threads">Threads running tiles, the caller included.</param>
    /// <param name="spin">Spin up to <see cref="SpinWindow"/> before blocking; false blocks at once.</param>
    public WorkerPool(int threads, bool spin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        Spinning = spin;
        _spinTicks = spin ? s_spinTicks : 0;
        _ranges = new long[threads * LineLongs];
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i + 1;
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"densenet-simd-{i + 1}" };
            _threads[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Whether waits spin before blocking.</summary>
    public bool Spinning { get; }

    /// <summary>The index of the pool thread running the current tile: 0 for the caller, 1.. for workers. Ops use it to pick their scratch.</summary>
    public static int CurrentWorker => t_worker;

    [ThreadStatic] private static int t_worker;

    /// <summary>Runs every tile of <paramref name="op"/> and returns when all have finished.</summary>
    /// <param name="op">The launch.</param>
    /// <param name="next">The packed weights of the launch that comes next, prefetched by threads that wait for this one's join; null for none.</param>
    public void Run(ISimdLaunch op, WeightRange[]? next = null)
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
        _next = next;
        _tileCount = tiles;
        _doneTiles = 0;
        int unitTiles = (tiles + MaxUnits - 1) / MaxUnits, units = (tiles + unitTiles - 1) / unitTiles;
        _unitTiles = unitTiles;
        long open = generation + 1;
        for (int w = 0; w < Threads; w++)
            Volatile.Write(ref _ranges[w * LineLongs], open << 32 | (long)units * w / Threads << 16 | (long)units * (w + 1) / Threads);
        Interlocked.Exchange(ref _state, open << 32);
        if (Volatile.Read(ref _sleepers) > 0) WakeSleepers();

        RunTiles(op, tiles, open, 0);
        Prefetch(next, s_joined, tiles);
        if (!SpinUntil(s_joined, tiles))
        {
            while (Volatile.Read(ref _doneTiles) < tiles)
            {
                _joined.Reset();
                if (Volatile.Read(ref _doneTiles) < tiles) _joined.Wait();
            }
        }
        _op = null;
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Every tile of the current job (<c>argument</c> tiles) has finished.</summary>
    private static readonly Func<WorkerPool, long, bool> s_joined = static (pool, tiles) => Volatile.Read(ref pool._doneTiles) >= tiles;

    /// <summary>
    /// Prefetches <paramref name="ranges"/> into this core's L2 cache, a <see cref="PrefetchCursor.ChunkBytes"/> chunk at a
    /// time, until <paramref name="stop"/> holds or every line has been asked for. Only where x86's prefetch is
    /// available (not on ARM64, where .NET exposes none).
    /// </summary>
    private unsafe void Prefetch(WeightRange[]? ranges, Func<WorkerPool, long, bool> stop, long argument)
    {
        if (ranges is null || !Sse.IsSupported) return;
        var cursor = new PrefetchCursor(ranges);
        while (!stop(this, argument) && cursor.Next(out nint start, out long bytes))
            for (long line = 0; line < bytes; line += 64) Sse.Prefetch1((byte*)start + line);
    }

    /// <summary>
    /// Spins until <paramref name="done"/> holds or the spin window has passed; false when it never held. The
    /// condition is static and takes its argument, so a fork allocates nothing.
    /// </summary>
    /// <remarks>
    /// The spin yields its core every <see cref="YieldInterval"/>: when the scheduler wakes a blocked worker on the
    /// core of the thread that woke it (Linux does, to share its cache), the two would otherwise take turns by time
    /// slice, each spinning out its window while the other waits for the core, and the pool stayed in that state for
    /// hundreds of forks. Seen as Fashion-MNIST b1 on two threads taking 3–12 ms a pass instead of 0.4 in a third of
    /// fresh processes (2026-12-04, 4 of 12 and 0 of 16 with the yield); a yield on a core with nothing else to run
    /// returns at once.
    /// </remarks>
    private bool SpinUntil(Func<WorkerPool, long, bool> done, long argument)
    {
        if (done(this, argument)) return true;
        if (_spinTicks == 0) return false;
        long start = Stopwatch.GetTimestamp(), now = start, yieldAt = start + s_yieldTicks;
        do
        {
            Thread.SpinWait(8);
            if (done(this, argument)) return true;
            now = Stopwatch.GetTimestamp();
            if (now >= yieldAt)
            {
                Thread.Yield();
                yieldAt = now + s_yieldTicks;
            }
        }
        while (now - start < _spinTicks);
        return false;
    }

    /// <summary>
    /// Runs the tiles of job <paramref name="generation"/> that thread <paramref name="self"/> can claim: its own
    /// range from the front, then the others' from the back.
    /// </summary>
    private void RunTiles(ISimdLaunch op, int tiles, long generation, int self)
    {
        int unitTiles = _unitTiles;
        while (true)
        {
            int unit = -1;
            for (int i = 0; i < Threads && unit < 0; i++)
                unit = Claim((self + i) % Threads, generation, fromFront: i == 0);
            if (unit < 0) return;
            int first = unit * unitTiles, end = Math.Min(tiles, first + unitTiles);
            try
            {
                for (int tile = first; tile < end; tile++) op.RunTile(tile);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            // Only claims of the current generation count, so reaching the tile count means this job has finished.
            if (Interlocked.Add(ref _doneTiles, end - first) == tiles) _joined.Set();
        }
    }

    /// <summary>A unit of thread <paramref name="owner"/>'s range in job <paramref name="generation"/>, or −1 when it is empty or the job is over.</summary>
    private int Claim(int owner, long generation, bool fromFront)
    {
        ref long range = ref _ranges[owner * LineLongs];
        while (true)
        {
            long state = Volatile.Read(ref range);
            if (state >>> 32 != generation) return -1;
            int front = (int)(state >> 16) & 0xFFFF, back = (int)state & 0xFFFF;
            if (front >= back) return -1;
            long next = fromFront ? state + (1L << 16) : state - 1;
            if (Interlocked.CompareExchange(ref range, next, state) == state) return fromFront ? front : back - 1;
        }
    }

    private void Work(int index)
    {
        t_worker = index;
        long seen = 0;
        while (!_stopping)
        {
            if (!SpinUntil(Forked, seen))
            {
                lock (_forkGate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (!Forked(this, seen)) Monitor.Wait(_forkGate);
                    Interlocked.Decrement(ref _sleepers);
                }
                continue;
            }
            if (_stopping) return;
            long generation = Volatile.Read(ref _state) >>> 32;
            if ((generation & 1) == 1) continue;
            var op = _op;
            var next = _next;
            int tiles = _tileCount;
            // The generation only moves forward: if a claim below succeeds with this generation, op and tiles
            // were read while it was current.
            if (op is not null) RunTiles(op, tiles, generation, index);
            seen = generation;
            if (op is not null) Prefetch(next, Forked, seen);
        }
    }

    /// <summary>A job newer than <paramref name="seen"/> is open (an odd generation is still being swapped in), or the pool is stopping.</summary>
    private static bool Forked(WorkerPool pool, long seen)
    {
        long generation = Volatile.Read(ref pool._state) >>> 32;
        return (generation != seen && (generation & 1) == 0) || pool._stopping;
    }

    /// <summary>Wakes every blocked worker to check its condition again.</summary>
    private void WakeSleepers()
    {
        lock (_forkGate) Monitor.PulseAll(_forkGate);
    }

    public void Dispose()
    {
        _stopping = true;
        WakeSleepers();
        foreach (var thread in _threads) thread.Join();
        _joined.Dispose();
    }
}
