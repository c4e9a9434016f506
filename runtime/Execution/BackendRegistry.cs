using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Execution;

/// <summary>
/// The selection layer's one list of backends: the SIMD CPU backend this assembly brings, after the families other
/// packages registered (<see cref="BackendFamilies"/>). Auto tries the registered families' candidates first (GPUs),
/// then the SIMD backend, which is always present. The only code that names a concrete backend.
/// </summary>
internal static class BackendRegistry
{
    /// <summary>What opens a kind that no referenced package brings, and why it is missing.</summary>
    internal const string GpuPackage = "DenseNetGen.Gpu";

    private static readonly IBackendFamily s_simd = new SimdFamily();

    /// <summary>Registered families first, the SIMD backend last: auto's order.</summary>
    private static IEnumerable<IBackendFamily> Families => [.. BackendFamilies.Registered, s_simd];

    /// <summary>
    /// Opens <paramref name="kind"/>, or for auto the first candidate in auto order that opens. Returns the backend
    /// and, for auto, the words saying why it was chosen (", chosen by auto (no CUDA device: ...)").
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The kind asked for is absent; the message says what was found.</exception>
    public static (IBackend Backend, string Choice) Open(DeviceKind kind, ComputeOptions options)
    {
        if (kind != DeviceKind.Auto)
            return (Find(kind).Open(options), "");

        var missing = new List<string>();
        if (BackendFamilies.Registered.Count == 0)
            missing.Add($"no GPU backend: {GpuPackage} is not referenced");
        foreach (var candidate in Families.SelectMany(f => f.AutoCandidates))
        {
            try
            {
                var backend = candidate(options);
                return (backend, missing.Count == 0 ? ", chosen by auto" : $", chosen by auto ({string.Join("; ", missing)})");
            }
            catch (DeviceUnavailableException absent)
            {
                missing.Add(absent.Message);
            }
        }
        throw new DeviceUnavailableException(DeviceKind.Auto, string.Join("; ", missing));
    }

    public static IReadOnlyList<DeviceInfo> ListDevices() => [.. Families.SelectMany(f => f.ListDevices())];

    private static BackendRegistration Find(DeviceKind kind) =>
        Families.SelectMany(f => f.Kinds).FirstOrDefault(b => b.Kind == kind)
        ?? throw new DeviceUnavailableException(kind,
            $"no {DeviceNames.Of(kind)} device: {GpuPackage} is not referenced (it brings cuda, opencl and ilgpu-cpu)");

    /// <summary>The core's own family: the SIMD CPU backend, auto's last resort.</summary>
    private sealed class SimdFamily : IBackendFamily
    {
        public IReadOnlyList<BackendRegistration> Kinds { get; } = [new(DeviceKind.Cpu, SimdBackend.Open)];

        public IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates { get; } = [SimdBackend.Open];

        public IEnumerable<DeviceInfo> ListDevices() => SimdBackend.ListDevices();
    }
}
