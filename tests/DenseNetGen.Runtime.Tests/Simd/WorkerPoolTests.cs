using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

public sealed class WorkerPoolTests
{
    /// <summary>Counts each tile's runs; with <paramref name="firstTileSpins"/>, tile 0 takes that much longer than the others.</summary>
    private sealed class CountingOp(int tiles, int firstTileSpins = 0) : ISimdLaunch
    {
        public int[] Runs { get; } = new int[tiles];
        public int TileCount => tiles;
        public void RunTile(int tile)
        {
            if (tile == 0) Thread.SpinWait(firstTileSpins);
            Interlocked.Increment(ref Runs[tile]);
        }
    }

    private sealed class FailingOp : ISimdLaunch
    {
        public int TileCount => 8;
        public void RunTile(int tile)
        {
            if (tile == 5) throw new InvalidOperationException("tile 5 failed");
        }
    }

    /// <summary>
    /// Many short forks in a row, as a forward pass makes: every tile of every op runs exactly once, whether the
    /// waits spin first or block at once (then every fork wakes blocked workers and every join may block).
    /// </summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(5, true)]
    [InlineData(2, false)]
    [InlineData(5, false)]
    public void EveryTileRunsExactlyOncePerFork(int threads, bool spin)
    {
        using var pool = new WorkerPool(threads, spin);
        for (int fork = 0; fork < 3000; fork++)
        {
            var op = new CountingOp(1 + fork % 17);
            pool.Run(op);
            Assert.All(op.Runs, runs => Assert.Equal(1, runs));
        }
    }

    /// <summary>
    /// With the next launch's weights to prefetch, threads that finish early prefetch them while they wait: the caller
    /// until the join, a worker until the next fork. Forks still run every tile once and end: an 8 MB range is more
    /// than a wait lasts, so each wait stops on its condition, not at the range's end. The tiles of unequal length
    /// leave one thread waiting while another runs.
    /// </summary>
    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public unsafe void ForksWithWeightsToPrefetchStillRunEveryTileOnce(int threads, bool spin)
    {
        using var weights = new NativeBuffer(2 << 20);
        WeightRange[] next = [new((nint)weights.Pointer, weights.Bytes), new((nint)weights.Pointer, 100)];
        using var pool = new WorkerPool(threads, spin);
        for (int fork = 0; fork < 500; fork++)
        {
            var op = new CountingOp(1 + fork % 9, firstTileSpins: 20_000);
            pool.Run(op, fork % 3 == 0 ? null : next);
            Assert.All(op.Runs, runs => Assert.Equal(1, runs));
        }
    }

    /// <summary>
    /// More tiles than a range word can count: they are cut into units of several tiles, and still every tile runs
    /// once, the last unit short.
    /// </summary>
    [Fact]
    public void AJobWithMoreTilesThanUnitsRunsEveryTileOnce()
    {
        using var pool = new WorkerPool(3, spin: true);
        var op = new CountingOp(3 * WorkerPool.MaxUnits + 7);
        pool.Run(op);
        Assert.All(op.Runs, runs => Assert.Equal(1, runs));
    }

    /// <summary>
    /// Each thread takes its own contiguous share from the front, and a thread that steals takes from the back: so
    /// within each share, the tiles its owner ran come first and the stolen ones last. A shared counter handing out
    /// tiles in turn (neighbouring tiles on different cores) fails this.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EachThreadRunsItsOwnShareFromTheFrontAndStealsFromTheBack(int threads)
    {
        using var pool = new WorkerPool(threads, spin: true);
        for (int fork = 0; fork < 200; fork++)
        {
            var op = new RecordingOp(60, TimeSpan.FromMicroseconds(20));
            pool.Run(op);
            for (int w = 0; w < threads; w++)
            {
                int first = 60 * w / threads, end = 60 * (w + 1) / threads;
                var owners = op.Worker[first..end];
                int own = Array.FindIndex(owners, o => o != w) is var k and >= 0 ? k : owners.Length;
                Assert.True(own > 0 || owners.All(o => o != w), $"fork {fork}: share {w} started with another thread's tile");
                Assert.All(owners[own..], o => Assert.NotEqual(w, o));
            }
        }
    }

    /// <summary>
    /// A thread stuck in the first tile of the second share (as when it loses its core) does not stall the job: the
    /// other thread runs the rest of that share, from the back, and the stuck tile is released only once every other
    /// tile has run. Without stealing this never finishes.
    /// </summary>
    [Fact]
    public async Task AStuckThreadsShareIsStolen()
    {
        using var pool = new WorkerPool(2, spin: true);
        var op = new StuckOp(40, stuckTile: 20);
        var run = Task.Run(() => pool.Run(op));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, "the job did not finish: nobody stole the stuck thread's share");
        Assert.All(op.Runs, runs => Assert.Equal(1, runs));
    }

    private sealed class RecordingOp(int tiles, TimeSpan perTile) : ISimdLaunch
    {
        public int[] Worker { get; } = Enumerable.Repeat(-1, tiles).ToArray();
        public int TileCount => tiles;
        public void RunTile(int tile)
        {
            Worker[tile] = WorkerPool.CurrentWorker;
            SpinFor(perTile);
        }
    }

    /// <summary>Busy for <paramref name="span"/> without giving up the core, as a tile's work is.</summary>
    private static void SpinFor(TimeSpan span)
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(1);
    }

    /// <summary>Tile <paramref name="stuckTile"/> waits until every other tile has run.</summary>
    private sealed class StuckOp(int tiles, int stuckTile) : ISimdLaunch
    {
        private int _done;
        public int[] Runs { get; } = new int[tiles];
        public int TileCount => tiles;
        public void RunTile(int tile)
        {
            if (tile == stuckTile)
                SpinWait.SpinUntil(() => Volatile.Read(ref _done) == tiles - 1, TimeSpan.FromSeconds(60));
            else
                Interlocked.Increment(ref _done);
            Interlocked.Increment(ref Runs[tile]);
        }
    }

    /// <summary>
    /// Forks spaced wider than the spin window: the workers have blocked by each fork, and the tiles are slow
    /// enough that the caller's join outlasts its spin and blocks too; the wake-ups must still find every tile.
    /// </summary>
    [Fact]
    public void ForksAfterTheWorkersBlockedStillRunEveryTile()
    {
        using var pool = new WorkerPool(3, spin: true);
        for (int fork = 0; fork < 20; fork++)
        {
            Thread.Sleep(WorkerPool.SpinWindow * 3);
            var op = new SlowOp(6, WorkerPool.SpinWindow * 2);
            pool.Run(op);
            Assert.All(op.Runs, runs => Assert.Equal(1, runs));
        }
    }

    /// <summary>
    /// Pools of several workers disposed while their workers stop spinning and block, one after another: every
    /// worker wakes to the stop and Dispose returns. With a wake-up event that each worker reset before it blocked,
    /// one worker's reset could clear the stop's signal before another, already woken, saw it: that one slept on and
    /// Dispose waited for it forever (a CI hang, with a 3-thread pool in a Winograd test).
    /// </summary>
    [Fact]
    public async Task DisposeReturnsWhileTheWorkersBlockOneAfterAnother()
    {
        var disposals = Task.Run(() =>
        {
            for (int i = 0; i < 3000; i++)
            {
                var pool = new WorkerPool(4, spin: true);
                pool.Run(new CountingOp(12));
                // Dispose anywhere from before the first worker blocks to after the last has.
                SpinFor(WorkerPool.SpinWindow * (i % 7) / 4);
                pool.Dispose();
            }
        });
        Assert.True(await Task.WhenAny(disposals, Task.Delay(TimeSpan.FromSeconds(60))) == disposals,
            "a Dispose never returned: a worker slept through the stop");
        await disposals;
    }

    private sealed class SlowOp(int tiles, TimeSpan perTile) : ISimdLaunch
    {
        public int[] Runs { get; } = new int[tiles];
        public int TileCount => tiles;
        public void RunTile(int tile)
        {
            Thread.Sleep(perTile);
            Interlocked.Increment(ref Runs[tile]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATileExceptionReachesTheCallerAndThePoolKeepsWorking(bool spin)
    {
        using var pool = new WorkerPool(2, spin);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingOp()));
        Assert.Equal("tile 5 failed", error.Message);

        var op = new CountingOp(64);
        pool.Run(op);
        Assert.All(op.Runs, runs => Assert.Equal(1, runs));
    }
}
