using System.Runtime.InteropServices;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)). On a shared machine a
/// single-threaded run's CPU time stays close to its time on an idle core while its wall time grows with the load,
/// so `profile --threads 1` reads per-step GFLOP/s from it. Elsewhere it falls back to the process's CPU time.
/// </summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Milliseconds of CPU this thread has used.</summary>
    public static double Milliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTimeId, out var t) == 0)
            return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }
}
