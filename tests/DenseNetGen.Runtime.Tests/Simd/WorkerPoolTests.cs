using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

public sealed class WorkerPoolTests
{
    private sealed class CountingOp(int tiles) : ISimdOp
    {
        public int[] Runs { get; } = new int[tiles];
        public int TileCount => tiles;
        public void RunTile(int tile) => Interlocked.Increment(ref Runs[tile]);
    }

    private sealed class FailingOp : ISimdOp
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

    private sealed class SlowOp(int tiles, TimeSpan perTile) : ISimdOp
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
