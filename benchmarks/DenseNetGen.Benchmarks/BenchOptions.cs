using DenseNetGen.Backends;
using System.CommandLine;
using DenseNetGen.Execution;

namespace DenseNetGen.Benchmarks;

/// <summary>Options shared by the commands.</summary>
internal static class BenchOptions
{
    public static Option<string> Device() => new("--device", "-d")
    {
        Description = "auto | cpu | opencl | cuda | ilgpu-cpu (default: DENSENET_DEVICE, else auto)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) ?? "auto",
    };

    public static Option<string[]> Models(string fallback) => new("--models", "-m")
    {
        Description = $"Models, comma-separated or repeated, by any zoo name or spec name (default: {fallback})",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>--batch: images per forward pass.</summary>
    public static Option<int> Batch(int fallback) => new("--batch", "-b")
    {
        Description = "Images per forward pass",
        DefaultValueFactory = _ => fallback,
    };

    public static Option<string> Precision() => new("--precision")
    {
        Description = "fp32 | tf32 (tf32: CUDA tensor cores, GPU kernel set)",
        DefaultValueFactory = _ => "fp32",
    };

    /// <summary>--threads: the SIMD backend's worker count (and ONNX Runtime's intra-op threads where it runs).</summary>
    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "Threads of the SIMD CPU backend and of ONNX Runtime (default 0: one per physical core)",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The device --device names, with the kernel set DENSENET_KERNELS names, the given precision and SIMD threads.</summary>
    public static ComputeDevice Open(string device, string precision = "fp32", int threads = 0) =>
        ComputeDevice.Open(DeviceKindParser.Parse(device, "--device"),
            new ComputeOptions(Precision: ComputeOptions.ParsePrecision(precision, "--precision"), Threads: threads));

    /// <summary>The 1-minute load average, for reading timings taken on a shared machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
