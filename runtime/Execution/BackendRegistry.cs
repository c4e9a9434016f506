using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Execution;

/// <summary>
/// The one place that knows the backends: the device names users type, the backend each kind opens, the order
/// auto tries them in, and who lists devices. A new backend adds its folder under runtime/Backends/ and a
/// line here.
/// </summary>
internal static class BackendRegistry
{
    /// <summary>Every kind a user can name, in the order usage messages list them.</summary>
    private static readonly BackendRegistration[] s_backends =
    [
        new("cpu", DeviceKind.Cpu, SimdBackend.Open),
        new("opencl", DeviceKind.OpenCL, _ => IlgpuBackend.Open(DeviceKind.OpenCL)),
        new("cuda", DeviceKind.Cuda, _ => IlgpuBackend.Open(DeviceKind.Cuda)),
        new("ilgpu-cpu", DeviceKind.IlgpuCpu, _ => IlgpuBackend.Open(DeviceKind.IlgpuCpu)),
    ];

    /// <summary>
    /// What auto tries, first to last; the first that opens wins. OpenCL only as a GPU: on a CPU device (PoCL) the
    /// SIMD backend is faster, so an OpenCL CPU device runs only when asked for by name.
    /// </summary>
    private static readonly Func<SimdOptions?, IBackend>[] s_autoOrder =
    [
        _ => IlgpuBackend.Open(DeviceKind.Cuda),
        _ => IlgpuBackend.Open(DeviceKind.OpenCL, gpuOnly: true),
        SimdBackend.Open,
    ];

    /// <summary>Each backend family's device listing, for <c>densenet info --devices</c>.</summary>
    private static readonly Func<IEnumerable<DeviceInfo>>[] s_deviceLists = [SimdBackend.ListDevices, IlgpuBackend.ListDevices];

    public static IEnumerable<BackendRegistration> Backends => s_backends;

    /// <summary>
    /// Opens <paramref name="kind"/>, or for auto the first kind in auto order that opens. Returns the backend
    /// and, for auto, the words saying why it was chosen (", chosen by auto (no CUDA device: ...)").
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The kind asked for is absent; the message says what was found.</exception>
    /// <param name="cpu">How the SIMD CPU backend runs, when it is the one opened.</param>
    public static (IBackend Backend, string Choice) Open(DeviceKind kind, SimdOptions? cpu = null)
    {
        if (kind != DeviceKind.Auto)
            return (Find(kind).Open(cpu), "");

        var missing = new List<string>();
        foreach (var candidate in s_autoOrder)
        {
            try
            {
                var backend = candidate(cpu);
                return (backend, missing.Count == 0 ? ", chosen by auto" : $", chosen by auto ({string.Join("; ", missing)})");
            }
            catch (DeviceUnavailableException absent)
            {
                missing.Add(absent.Message);
            }
        }
        throw new DeviceUnavailableException(DeviceKind.Auto, string.Join("; ", missing));
    }

    public static IReadOnlyList<DeviceInfo> ListDevices() => [.. s_deviceLists.SelectMany(list => list())];

    private static BackendRegistration Find(DeviceKind kind) =>
        s_backends.FirstOrDefault(b => b.Kind == kind)
        ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind.");
}

/// <summary>A device kind users can name, and how to open it.</summary>
/// <param name="Name">What DENSENET_DEVICE and --device accept (any case).</param>
/// <param name="Open">Opens the first device of this kind; throws <see cref="DeviceUnavailableException"/> when there is none.</param>
internal sealed record BackendRegistration(string Name, DeviceKind Kind, Func<SimdOptions?, IBackend> Open);
