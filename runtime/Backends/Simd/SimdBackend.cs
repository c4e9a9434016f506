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
    private readonly string _width;

    private SimdBackend(SimdSettings settings, string width)
    {
        _pool = new WorkerPool(settings.Threads, settings.Spinning);
        _conv3x3 = settings.Conv3x3;
        _width = width;
    }

    /// <summary>
    /// Opens the backend with <see cref="ComputeOptions.Threads"/> threads (or DENSENET_THREADS's) and its
    /// <see cref="ComputeOptions.Spinning"/> (or DENSENET_SPIN's); the kernel set does not apply here.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">TF32 was asked for (it runs on CUDA tensor cores, or emulated on ILGPU's CPU accelerator).</exception>
    /// <exception cref="ArgumentException">DENSENET_CONV3X3 names no algorithm, or DENSENET_THREADS or DENSENET_SPIN is consulted and invalid.</exception>
    public static SimdBackend Open(ComputeOptions options) => new(SimdSettings.Resolve(options), VectorWidth.Name);

    /// <summary>
    /// Opens the backend with settings already resolved by the app that loaded this code as a level library;
    /// <paramref name="level"/> ("x86-64-v4") is named beside the vector width in the device line.
    /// </summary>
    internal static SimdBackend Open(SimdSettings settings, string level) => new(settings, LevelWidth(VectorWidth.Name, level));

    /// <summary>How the device line names a width a level library runs at: "Vector512 from the x86-64-v4 level library".</summary>
    internal static string LevelWidth(string width, string level) => $"{width} from the {level} level library";

    public DeviceKind Kind => DeviceKind.Cpu;

    public string DeviceName => Name;

    /// <summary>"Cpu device 'SIMD CPU backend' (Vector512, 2 threads)", ", no spinning" added when waits block at once.</summary>
    public string Description => $"Cpu device '{Name}' ({Capability(_width, _pool.Threads, _pool.Spinning)})";

    public int Threads => _pool.Threads;

    /// <summary>
    /// The device line of <c>densenet info --devices</c>: the threads and spinning a device opened now with the
    /// default options gets (DENSENET_THREADS and DENSENET_SPIN when set).
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_THREADS or DENSENET_SPIN is invalid.</exception>
    public static IEnumerable<DeviceInfo> ListDevices() => [Device(VectorWidth.Name)];

    /// <summary>The device line for the default options at <paramref name="width"/> (<see cref="VectorWidth.Name"/>, or <see cref="LevelWidth"/>).</summary>
    /// <exception cref="InvalidSettingException">DENSENET_THREADS or DENSENET_SPIN is invalid.</exception>
    internal static DeviceInfo Device(string width) =>
        new(Name, DeviceKind.Cpu, long.MaxValue, Capability(width, SimdThreads.Resolve(0), SimdSpinning.Resolve(null)), true);

    /// <summary>"; 3x3 convs: winograd" or "; 3x3 convs: direct" (DENSENET_CONV3X3).</summary>
    public string Settings => $"; 3x3 convs: {Conv3x3Setting.Name(_conv3x3)}";

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => new SimdNetwork(plan, weights, _pool, _conv3x3);

    public void Dispose() => _pool.Dispose();

    private static string Capability(string width, int threads, bool spinning) =>
        $"{width}, {threads} thread{(threads == 1 ? "" : "s")}{(spinning ? "" : ", no spinning")}";
}
