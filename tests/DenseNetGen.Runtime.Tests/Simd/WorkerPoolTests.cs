using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

public sealed class WorkerPoolTests
{
    private sealed class CountingOp(int tiles) : ISimdLaunch
    {
        public int[] Runs { get; } = new int[tiles];
        public int TileCount => tiles;
        public void RunTile(int tile) => Interlocked.Increment(ref Runs[tile]);
    }

    private sealed class FailingOp : ISimdLaunch
    {
        public int TileCount => 8;
        public void RunTile(int tile)
        {
            if (tile == 5) throw new InvalidOperationException("tile 5 failed");
        }
    }

    /// <summary>Many short forks in a row, as a forward pass makes: every tile of every op runs exactly once.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void EveryTileRunsExactlyOncePerFork(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int fork = 0; fork < 3000; fork++)
        {
            var op = new CountingOp(1 + fork % 17);
            pool.Run(op);
            Assert.All(op.Runs, runs => Assert.Equal(1, runs));
        }
    }

    [Fact]
    public void ATileExceptionReachesTheCallerAndThePoolKeepsWorking()
    {
        using var pool = new WorkerPool(2);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingOp()));
        Assert.Equal("tile 5 failed", error.Message);

        var op = new CountingOp(64);
        pool.Run(op);
        Assert.All(op.Runs, runs => Assert.Equal(1, runs));
    }
}
