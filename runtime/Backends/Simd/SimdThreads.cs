namespace DenseNetGen.Backends.Simd;

/// <summary>The SIMD CPU backend's thread count (<see cref="Backends.ComputeOptions.Threads"/>, DENSENET_THREADS).</summary>
internal static class SimdThreads
{
    public const string EnvironmentVariable = "DENSENET_THREADS";

    /// <summary>The most threads a count may name (--threads, DENSENET_THREADS, <see cref="Backends.ComputeOptions.Threads"/>).</summary>
    public const int Max = 1024;

    /// <summary>
    /// One per physical core: the processor count, divided by the hardware threads per core /sys reports (SMT
    /// siblings share the FMA units, so a second thread per core only adds contention).
    /// </summary>
    public static int Default { get; } = PhysicalCores();

    /// <summary>The option's value; for 0 DENSENET_THREADS when set, else <see cref="Default"/>.</summary>
    /// <exception cref="InvalidSettingException">DENSENET_THREADS is not a count from 1 to <see cref="Max"/>.</exception>
    public static int Resolve(int threads) =>
        threads > 0 ? threads
        : SettingParser.Read(EnvironmentVariable) is { } text ? SettingParser.Count(EnvironmentVariable, text, "a thread count", Max)
        : Default;

    private static int PhysicalCores()
    {
        int logical = Environment.ProcessorCount;
        try
        {
            const string siblings = "/sys/devices/system/cpu/cpu0/topology/thread_siblings_list";
            if (File.Exists(siblings))
            {
                // "0-1" or "0,8": two hardware threads on core 0.
                var text = File.ReadAllText(siblings).Trim();
                int perCore = text.Split(',').Sum(part => part.Contains('-')
                    ? int.Parse(part[(part.IndexOf('-') + 1)..]) - int.Parse(part[..part.IndexOf('-')]) + 1
                    : 1);
                if (perCore > 1) return Math.Max(1, logical / perCore);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // No topology information: count every logical processor.
        }
        return logical;
    }
}
