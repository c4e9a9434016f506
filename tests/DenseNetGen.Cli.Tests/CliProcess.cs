using System.Diagnostics;
using System.Globalization;

namespace DenseNetGen.Cli.Tests;

/// <summary>What one `densenet` child process did: its exit, its output, and what the operating system measured.</summary>
/// <param name="PeakRss">The child's peak resident set size (wait4's ru_maxrss), so native and other-thread memory count.</param>
/// <param name="Cpu">User plus system time of the child, all threads.</param>
/// <param name="TimedOut">Killed at the time limit (its exit code is then meaningless).</param>
internal sealed record ProcessResult(int ExitCode, string Out, string Error, long PeakRss, TimeSpan Cpu, TimeSpan Wall, bool TimedOut)
{
    /// <summary>The figures a failed bound reports.</summary>
    public override string ToString() =>
        $"exit {ExitCode}{(TimedOut ? " (killed at the time limit)" : "")}, peak RSS {PeakRss / 1e6:N1} MB, CPU {Cpu.TotalSeconds:N1} s, wall {Wall.TotalSeconds:N1} s, stderr: {Error.Trim()}";
}

/// <summary>
/// Runs the `densenet` command (the densenet.dll built beside the tests) as a child process under GNU time, the
/// way a user runs it: the hostile-input promises are about the whole process, so the bound is checked against the
/// peak RSS the kernel reports, not against one thread's managed allocations.
/// </summary>
/// <remarks>
/// The managed heap is capped at 6 GiB (DOTNET_GCHeapHardLimit) so that a regression fails as "out of memory" in the
/// child instead of exhausting the machine; the run is killed at its time limit for the same reason.
/// </remarks>
internal static class CliProcess
{
    /// <summary>The bound every hostile input is held to: 64 bytes per byte of input plus 150 MB (the runtime itself and the model).</summary>
    public static long MemoryBound(long inputBytes) => 64 * inputBytes + 150_000_000;

    /// <summary>
    /// The CPU-time bound every hostile input is held to. CPU time, not wall time: on a loaded machine (2 cores shared
    /// by many builds) a clean 3 s run takes 11 s of wall time. A hang that burns no CPU is caught by
    /// <see cref="KillAfter"/> instead.
    /// </summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(10);

    /// <summary>The wall time after which a child is killed and counted as hanging.</summary>
    public static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(60);

    private const string GnuTime = "/usr/bin/time";

    // What GNU time exits with when timeout(1) killed the child with SIGKILL (128 + 9).
    private const int KilledAtLimit = 137;

    /// <summary>
    /// Set to another build's densenet.dll to measure it instead (how the "before" figures in README's Safety section
    /// were taken: the same tests against the build from before issue 19).
    /// </summary>
    private const string OtherBuildVariable = "DENSENET_TEST_CLI";

    private static string Cli => Environment.GetEnvironmentVariable(OtherBuildVariable) is { Length: > 0 } other
        ? other
        : Path.Combine(AppContext.BaseDirectory, "densenet.dll");

    public static ProcessResult Run(params string[] args) => Run(null, args);

    /// <param name="environment">Variables set for the child (null: the test process's own).</param>
    public static ProcessResult Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(GnuTime), $"{GnuTime} (Debian package 'time') measures the child's peak RSS; install it");
        var report = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(GnuTime)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepositoryPaths.Root,
            };
            foreach (var arg in new[] { "-f", "%M %U %S", "-o", report, "timeout", "--signal=KILL", KillAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture), "dotnet", Cli }.Concat(args))
                start.ArgumentList.Add(arg);
            start.Environment["DOTNET_GCHeapHardLimit"] = "0x180000000";
            foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // timeout(1) kills the child at the limit, so GNU time still reports what it used; this is the backstop.
            if (!process.WaitForExit(KillAfter * 2)) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            clock.Stop();
            var (rss, cpu) = Usage(report);
            var killed = process.ExitCode == KilledAtLimit;
            return new ProcessResult(killed ? -1 : process.ExitCode, stdout.Result, stderr.Result, rss, cpu, clock.Elapsed, killed);
        }
        finally
        {
            File.Delete(report);
        }
    }

    // GNU time writes "%M %U %S" (kilobytes, seconds, seconds) as the report's last line; a line before it says when
    // the child was signalled. The figures include timeout(1)'s child, which it waited for.
    private static (long PeakRss, TimeSpan Cpu) Usage(string report)
    {
        var fields = File.ReadAllLines(report).LastOrDefault(l => l.Length > 0)?.Split(' ') ?? [];
        if (fields.Length != 3) return (0, TimeSpan.Zero);
        var c = CultureInfo.InvariantCulture;
        return (long.Parse(fields[0], c) * 1024, TimeSpan.FromSeconds(double.Parse(fields[1], c) + double.Parse(fields[2], c)));
    }

    /// <summary>Asserts the run ended by itself within <see cref="MemoryBound"/> of <paramref name="inputBytes"/> and <see cref="TimeBound"/>.</summary>
    public static void AssertBounded(ProcessResult result, long inputBytes)
    {
        Assert.False(result.TimedOut, result.ToString());
        Assert.True(result.PeakRss <= MemoryBound(inputBytes), $"peak RSS over {MemoryBound(inputBytes) / 1e6:N1} MB: {result}");
        Assert.True(result.Cpu <= TimeBound, $"more than {TimeBound.TotalSeconds} s of CPU: {result}");
    }

    /// <summary>Asserts a clean refusal: exit 1 or 2, one line on stderr naming <paramref name="reason"/>, within the bounds.</summary>
    public static void AssertRefused(ProcessResult result, long inputBytes, string reason)
    {
        AssertBounded(result, inputBytes);
        Assert.True(result.ExitCode is CliApp.Failure or CliApp.Usage, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr: {result}");
        Assert.Contains(reason, lines[0]);
    }
}
