using DenseNetGen.Checkpoints;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The SIMD CPU backend: vectorised C# kernels on blocked NCHW16c activations, run by worker threads that belong
/// to the device and are shared by every network prepared on it (calls are serialized by the device's gate).
/// Always present, so it is auto's last resort.
/// </summary>
internal sealed class SimdBackend : IBackend
{
    public const string Name = "SIMD CPU backend";

    private readonly WorkerPool _pool;
    private readonly Conv3x3Algorithm _conv3x3;

    private SimdBackend(int threads, bool spin, Conv3x3Algorithm conv3x3)
    {
        _pool = new WorkerPool(threads, spin);
        _conv3x3 = conv3x3;
    }

    /// <summary>
    /// Opens the backend with <see cref="ComputeOptions.Threads"/> threads (or DENSENET_THREADS's) and its
    /// <see cref="ComputeOptions.Spinning"/> (or DENSENET_SPIN's); the kernel set does not apply here.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">TF32 was asked for (it runs on CUDA tensor cores, or emulated on ILGPU's CPU accelerator).</exception>
    /// <exception cref="ArgumentException">DENSENET_CONV3X3 names no algorithm, or DENSENET_THREADS or DENSENET_SPIN is consulted and invalid.</exception>
    public static SimdBackend Open(ComputeOptions options)
    {
        if (options.Precision == Precision.Tf32)
            throw new DeviceUnavailableException(DeviceKind.Cpu, $"{ComputeOptions.Tf32Where}; the {Name} computes in fp32.");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads);
        // Every setting is read before the threads start: a bad value leaves nothing to dispose.
        var conv3x3 = Conv3x3Setting.FromEnvironment();
        return new(SimdThreads.Resolve(options.Threads), SimdSpinning.Resolve(options.Spinning), conv3x3);
    }

    public DeviceKind Kind => DeviceKind.Cpu;

    public string DeviceName => Name;

    /// <summary>"Cpu device 'SIMD CPU backend' (Vector512, 2 threads)", ", no spinning" added when waits block at once.</summary>
    public string Description => $"Cpu device '{Name}' ({Capability(_pool.Threads, _pool.Spinning)})";

    public int Threads => _pool.Threads;

    /// <summary>
    /// The device line of <c>densenet info --devices</c>: the threads and spinning a device opened now with the
    /// default options gets (DENSENET_THREADS and DENSENET_SPIN when set).
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_THREADS or DENSENET_SPIN is invalid.</exception>
    public static IEnumerable<DeviceInfo> ListDevices() =>
        [new DeviceInfo(Name, DeviceKind.Cpu, long.MaxValue, Capability(SimdThreads.Resolve(0), SimdSpinning.Resolve(null)), true)];

    /// <summary>"; 3x3 convs: winograd" or "; 3x3 convs: direct" (DENSENET_CONV3X3).</summary>
    public string Settings => $"; 3x3 convs: {Conv3x3Setting.Name(_conv3x3)}";

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => new SimdNetwork(plan, weights, _pool, _conv3x3);

    public void Dispose() => _pool.Dispose();

    private static string Capability(int threads, bool spinning) =>
        $"{VectorWidth.Name}, {threads} thread{(threads == 1 ? "" : "s")}{(spinning ? "" : ", no spinning")}";
}
