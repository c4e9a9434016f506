using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
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

    private SimdBackend(SimdOptions options) => _pool = new WorkerPool(options.ResolvedThreads);

    public static SimdBackend Open(SimdOptions? options) => new(options ?? new SimdOptions());

    public DeviceKind Kind => DeviceKind.Cpu;

    public string DeviceName => Name;

    /// <summary>"Cpu device 'SIMD CPU backend' (Vector512, 2 threads)".</summary>
    public string Description => $"Cpu device '{Name}' ({Capability(_pool.Threads)})";

    public int Threads => _pool.Threads;

    /// <summary>The device line of <c>densenet info --devices</c>: the default thread count.</summary>
    public static IEnumerable<DeviceInfo> ListDevices() =>
        [new DeviceInfo(Name, DeviceKind.Cpu, long.MaxValue, Capability(SimdOptions.DefaultThreads), true)];

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => new SimdNetwork(plan, weights, _pool);

    public void Dispose() => _pool.Dispose();

    private static string Capability(int threads) => $"{VectorWidth.Name}, {threads} thread{(threads == 1 ? "" : "s")}";
}
