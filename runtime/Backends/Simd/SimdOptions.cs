namespace DenseNetGen.Backends.Simd;

/// <summary>How the SIMD CPU backend runs.</summary>
public sealed record SimdOptions
{
    /// <summary>Worker threads, the caller included; 0 means one per physical core (see <see cref="DefaultThreads"/>).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// One per physical core: the processor count, halved when /sys reports two hardware threads per core (SMT
    /// siblings share the FMA units, so a second thread per core only adds contention).
    /// </summary>
    public static int DefaultThreads { get; } = PhysicalCores();

    internal int ResolvedThreads => Threads > 0 ? Threads : DefaultThreads;

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
