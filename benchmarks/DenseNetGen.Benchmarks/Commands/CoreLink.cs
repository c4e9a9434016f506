using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// What handing data from one core to another costs on this machine, measured in the same run as the profile it
/// explains: the round trip of one cache line between two threads, and how long a thread takes to read 1 MiB the
/// other thread has just written against 1 MiB it wrote itself.
/// </summary>
/// <remarks>
/// A thread pool pays the round trip at every fork and join, and an op pays the read whenever a thread reads rows
/// another thread wrote one op earlier (the halo rows of a 3x3 conv; every row of a launch whose tiles do not line
/// up with the one before). On the 2-core Zen 5 VM the round trip was about 500 ns and the other core's MiB read
/// at a third to half the speed of the thread's own (benchmarks/README.md, "Batch 1 on two threads: what crosses
/// between the cores"), which is why batch 1 gains less from the second thread than batch 8 does. The threads
/// are not pinned: two spinning threads on a 2-core machine get a core each, as the pool's threads do.
/// </remarks>
internal static unsafe class CoreLink
{
    private const int RoundTrips = 200_000;
    private static readonly TimeSpan RoundTripBudget = TimeSpan.FromSeconds(1);
    private const int ReadBytes = 1 << 20;
    private const int LineBytes = 64;

    /// <summary>Median round trip in nanoseconds and median microseconds to read 1 MiB written by the other thread and by this one, over <paramref name="rounds"/> rounds.</summary>
    public static (double RoundTripNs, double OtherCoreUs, double OwnCoreUs) Measure(int rounds = 5)
    {
        var trips = new double[rounds];
        var other = new double[rounds];
        var own = new double[rounds];
        long* flag = (long*)NativeMemory.AlignedAlloc(LineBytes, LineBytes);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(ReadBytes, LineBytes);
        try
        {
            for (int r = 0; r < rounds; r++)
            {
                trips[r] = RoundTrip(flag);
                RunOnOtherThread(() => Fill(buffer, r));
                other[r] = ReadMicroseconds(buffer);
                Fill(buffer, r + 1);
                own[r] = ReadMicroseconds(buffer);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(flag);
            NativeMemory.AlignedFree(buffer);
        }
        return (QuickCommand.Median(trips), QuickCommand.Median(other), QuickCommand.Median(own));
    }

    /// <summary>
    /// Nanoseconds per round trip: each thread waits for the other's last count and answers with the next. At most
    /// <see cref="RoundTripBudget"/> of it: where the two threads share one core, each trip waits for a time slice.
    /// </summary>
    private static double RoundTrip(long* flag)
    {
        const long Stop = -1;
        *flag = 0;
        var partner = new Thread(() =>
        {
            for (long i = 1; ; i += 2)
            {
                long seen;
                while ((seen = Volatile.Read(ref *flag)) != i && seen != Stop) { }
                if (seen == Stop) return;
                Volatile.Write(ref *flag, i + 1);
            }
        });
        partner.Start();
        var clock = Stopwatch.StartNew();
        long trips = 0;
        for (long i = 0; ; i += 2, trips++)
        {
            while (Volatile.Read(ref *flag) != i) { }
            if (trips == RoundTrips || trips % 16 == 0 && clock.Elapsed > RoundTripBudget) break;
            Volatile.Write(ref *flag, i + 1);
        }
        double ns = clock.Elapsed.TotalNanoseconds / Math.Max(1, trips);
        Volatile.Write(ref *flag, Stop);
        partner.Join();
        return ns;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread while this one spins until it is done: a thread that blocked
    /// here instead could leave its core to the new one, and the "other" core would be this one.
    /// </summary>
    private static void RunOnOtherThread(Action action)
    {
        int done = 0;
        var thread = new Thread(() =>
        {
            action();
            Volatile.Write(ref done, 1);
        });
        thread.Start();
        while (Volatile.Read(ref done) == 0) { }
        thread.Join();
    }

    private static void Fill(byte* buffer, int seed)
    {
        for (int i = 0; i < ReadBytes / sizeof(long); i++) ((long*)buffer)[i] = i + seed;
    }

    /// <summary>Reads one long per cache line, so the time is the lines' trip, not the adds.</summary>
    private static double ReadMicroseconds(byte* buffer)
    {
        var clock = Stopwatch.StartNew();
        long sum = 0;
        for (int offset = 0; offset < ReadBytes; offset += LineBytes) sum += *(long*)(buffer + offset);
        double us = clock.Elapsed.TotalMicroseconds;
        GC.KeepAlive(sum);
        return us;
    }
}
