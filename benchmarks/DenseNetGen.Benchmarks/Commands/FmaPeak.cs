using System.Runtime.CompilerServices;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// The FMA peak this process reaches at the SIMD backend's vector width and multiply-add, measured rather than taken
/// from a data sheet: each of N threads runs chains of independent multiply-adds (enough chains to cover the FMA
/// latency on two pipes) for a fixed CPU time, fused or, where the kernels run over <see cref="Unfused{TVec}"/>, a
/// multiply then an add (there .NET's fused op is software, a few hundred times slower than what the kernels run,
/// and profiles without FMA read 10,000% of that "peak"), and the peak is the floating-point operations per second
/// of CPU time, summed over the threads. Timed by each thread's own CPU clock, so on a shared machine the other
/// tenants' share of the cores does not count against it (an SMT sibling's, or a lower clock under load, still does:
/// it is measured in the same run as the profile it divides, which is the point).
/// </summary>
internal static class FmaPeak
{
    /// <summary>Independent accumulators per thread: FMA latency (4–5 cycles) × 2 pipes, rounded up.</summary>
    private const int ChainCount = 12;

    /// <summary>
    /// FMA rounds between two reads of the thread's CPU clock, about 0.5 ms of them: that clock is a system call, not
    /// the vDSO's, and on the 2-core Zen 5 VM one read cost a fifth of a 4,096-round burst (7 µs), so the peak came out
    /// at 163–184 GFLOP/s a thread where the same chains run at 212 between wall-clock reads.
    /// </summary>
    private const int InnerIterations = 1 << 18;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads at once, each running FMAs for <paramref name="milliseconds"/> of its CPU time.</summary>
    public static double Measure(int threads, int milliseconds = 300)
    {
        var run = VectorWidth.Dispatch(new Chainer());
        run(20); // warm the loop and the clock
        var results = new (long Flops, double Seconds)[threads];
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() => results[i] = run(milliseconds))).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return results.Sum(r => r.Flops / r.Seconds) / 1e9;
    }

    /// <summary>The chains at the process's width and multiply-add.</summary>
    private sealed class Chainer : IWidthUser<Func<int, (long Flops, double Seconds)>>
    {
        public Func<int, (long Flops, double Seconds)> Use<TVec>() where TVec : struct, IVec<TVec> => Run<TVec>;
    }

    private static (long Flops, double Seconds) Run<TVec>(int milliseconds) where TVec : struct, IVec<TVec>
    {
        var chains = new Chains<TVec>();
        chains.Start();
        long iterations = 0;
        double start = ThreadClock.Milliseconds();
        while (ThreadClock.Milliseconds() - start < milliseconds)
        {
            Burst(ref chains);
            iterations += InnerIterations;
        }
        double seconds = (ThreadClock.Milliseconds() - start) / 1000;
        Sink<TVec>.Value = chains.Sum(); // kept, so the JIT cannot drop the chains
        return (iterations * ChainCount * TVec.Count * 2, seconds);
    }

    /// <summary>
    /// <see cref="InnerIterations"/> rounds of the chains, with no call inside: the accumulators stay in registers
    /// (around a call they live in the stack frame, and the loop then waits on memory instead of the FMA pipes).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Burst<TVec>(ref Chains<TVec> c) where TVec : struct, IVec<TVec>
    {
        // Multiplier just below 1 and a tiny addend keep the values finite and normal however long it runs.
        TVec a = TVec.Broadcast(0.999999f), b = TVec.Broadcast(1e-7f);
        TVec x0 = c.X0, x1 = c.X1, x2 = c.X2, x3 = c.X3, x4 = c.X4, x5 = c.X5;
        TVec x6 = c.X6, x7 = c.X7, x8 = c.X8, x9 = c.X9, x10 = c.X10, x11 = c.X11;
        for (int i = 0; i < InnerIterations; i++)
        {
            x0 = TVec.Fma(x0, a, b); x1 = TVec.Fma(x1, a, b); x2 = TVec.Fma(x2, a, b); x3 = TVec.Fma(x3, a, b);
            x4 = TVec.Fma(x4, a, b); x5 = TVec.Fma(x5, a, b); x6 = TVec.Fma(x6, a, b); x7 = TVec.Fma(x7, a, b);
            x8 = TVec.Fma(x8, a, b); x9 = TVec.Fma(x9, a, b); x10 = TVec.Fma(x10, a, b); x11 = TVec.Fma(x11, a, b);
        }
        (c.X0, c.X1, c.X2, c.X3, c.X4, c.X5, c.X6, c.X7, c.X8, c.X9, c.X10, c.X11) = (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11);
    }

    /// <summary>The <see cref="ChainCount"/> accumulators between bursts.</summary>
    private struct Chains<TVec> where TVec : struct, IVec<TVec>
    {
        public TVec X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11;

        public void Start() =>
            (X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11) = (TVec.Broadcast(1), TVec.Broadcast(2), TVec.Broadcast(3), TVec.Broadcast(4),
                TVec.Broadcast(5), TVec.Broadcast(6), TVec.Broadcast(7), TVec.Broadcast(8), TVec.Broadcast(9), TVec.Broadcast(10), TVec.Broadcast(11), TVec.Broadcast(12));

        public readonly TVec Sum() => TVec.Add(TVec.Add(TVec.Add(TVec.Add(X0, X1), TVec.Add(X2, X3)), TVec.Add(TVec.Add(X4, X5), TVec.Add(X6, X7))),
            TVec.Add(TVec.Add(X8, X9), TVec.Add(X10, X11)));
    }

    private static class Sink<T>
    {
        public static T? Value;
    }
}
