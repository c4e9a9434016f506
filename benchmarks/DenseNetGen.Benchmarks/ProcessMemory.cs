using System.Runtime.InteropServices;

namespace DenseNetGen.Benchmarks;

/// <summary>
/// Peak resident memory of this process above a baseline, from Linux's /proc/self/status: <see cref="Reset"/> takes
/// the baseline (VmRSS after a full, compacting GC and returning free malloc pages to the system) and resets the peak
/// (VmHWM) through /proc/self/clear_refs; <see cref="PeakAboveBaseline"/> is VmHWM minus the baseline. Null where
/// /proc is missing or the peak cannot be reset.
/// </summary>
internal static partial class ProcessMemory
{
    private static long _baseline;
    private static bool _known;

    public static void Reset()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux()) TrimMalloc();
        _known = false;
        try
        {
            _baseline = StatusBytes("VmRSS");
            File.WriteAllText("/proc/self/clear_refs", "5");
            _known = _baseline > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static long? PeakAboveBaseline() => _known ? Math.Max(0, StatusBytes("VmHWM") - _baseline) : null;

    private static long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim()) * 1024;
        return 0;
    }

    // glibc keeps freed native memory (ONNX Runtime's, ILGPU's) mapped; without a trim the next runner would reuse
    // those pages and look smaller than it is.
    private static void TrimMalloc()
    {
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
