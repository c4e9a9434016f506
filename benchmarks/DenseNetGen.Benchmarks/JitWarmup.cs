using System.Diagnostics;
using System.Runtime;

namespace DenseNetGen.Benchmarks;

/// <summary>
/// Warm-up that lasts until tiered compilation has finished with the code being timed: at least the runs asked for,
/// then more until no method has been compiled for <see cref="QuietMs"/>, on any thread (at most
/// <see cref="LimitMs"/> in all).
/// </summary>
/// <remarks>
/// Why: the JIT recompiles hot methods at tier 1 on a background thread in the first second or so after they start
/// running, and on two cores that thread takes the core the backend's second worker needs: each fork then waits out
/// the spin window for a worker that cannot run. Fashion-MNIST at batch 1 on two threads took 4–12 ms a pass (median
/// of 41) in about half of the processes that warmed up with one or two passes, 0.4 ms in the others, in every
/// process with DOTNET_TieredCompilation=0 and in every one warmed up with 2,000 passes (2026-12-04); `compare`
/// reported it at 17x ONNX Runtime. A fixed count of runs cannot fit a 0.4 ms net and a 300 ms one alike.
/// </remarks>
internal static class JitWarmup
{
    /// <summary>How long no method may be compiled before the code counts as warm: longer than tiering's 100 ms call-counting delay.</summary>
    public const int QuietMs = 300;

    /// <summary>The longest a warm-up runs past its minimum count.</summary>
    public const int LimitMs = 10_000;

    /// <summary>Runs <paramref name="run"/> <paramref name="minimumRuns"/> times, then until the JIT has been quiet for <see cref="QuietMs"/>; returns the runs made.</summary>
    public static int Run(int minimumRuns, Action run)
    {
        int runs = 0;
        for (; runs < minimumRuns; runs++) run();
        var total = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        while (quiet.ElapsedMilliseconds < QuietMs && total.ElapsedMilliseconds < LimitMs)
        {
            run();
            runs++;
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled) (compiled, quiet) = (now, Stopwatch.StartNew());
        }
        return runs;
    }
}
