using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Benchmarks;

/// <summary>
/// Runs an op's tiles on the calling thread and threads − 1 workers that spin between calls, so a fork and join
/// costs well under a microsecond and kernel timings of small shapes measure the kernel. Bench-only: the workers burn
/// their cores until disposed, so dispose before timing another runner.
/// </summary>
internal sealed class SpinTiles : IDisposable
{
    private readonly Thread[] _workers;
    private ISimdOp? _op;
    private int _next, _pending, _generation;
    private volatile bool _stopped;

    public SpinTiles(int threads)
    {
        if (threads < 1) throw new ArgumentException("--threads must be at least 1.");
        _workers = [.. Enumerable.Range(1, threads - 1).Select(i => new Thread(Work) { IsBackground = true, Name = $"spin tile worker {i}" })];
        foreach (var worker in _workers) worker.Start();
    }

    public int Threads => _workers.Length + 1;

    public void Run(ISimdOp op)
    {
        _op = op;
        _next = 0;
        Volatile.Write(ref _pending, _workers.Length);
        Interlocked.Increment(ref _generation);
        RunTiles(op);
        while (Volatile.Read(ref _pending) != 0) Thread.SpinWait(1);
    }

    public void Dispose()
    {
        _stopped = true;
        foreach (var worker in _workers) worker.Join();
    }

    private void Work()
    {
        int seen = 0;
        while (true)
        {
            int generation;
            while ((generation = Volatile.Read(ref _generation)) == seen)
            {
                if (_stopped) return;
                Thread.SpinWait(1);
            }
            seen = generation;
            RunTiles(_op!);
            Interlocked.Decrement(ref _pending);
        }
    }

    private void RunTiles(ISimdOp op)
    {
        for (int tile; (tile = Interlocked.Increment(ref _next) - 1) < op.TileCount;) op.RunTile(tile);
    }
}
