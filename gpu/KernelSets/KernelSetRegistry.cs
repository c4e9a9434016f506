using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The one place that knows the ILGPU backend's kernel sets: their names for DENSENET_KERNELS, which set an
/// accelerator gets by default, and every kernel they load (for the PTX compilation check). A new set adds its
/// class and a line here.
/// </summary>
internal static class KernelSetRegistry
{
    public const string EnvironmentVariable = "DENSENET_KERNELS";

    private static readonly KernelSetRegistration[] s_sets =
    [
        new("cpu", KernelSetKind.Cpu, (accelerator, _) => new CpuKernelSet(accelerator), CpuKernelSet.Kernels, RecordsGraphs: false),
        new("gpu", KernelSetKind.Gpu, (accelerator, precision) => new GpuKernelSet(accelerator, precision), GpuKernelSet.Kernels, RecordsGraphs: true),
    ];

    private static readonly (string Name, KernelSetRegistration Value)[] s_choices = [.. s_sets.Select(s => (s.Name, s))];

    /// <summary>Every kernel any set loads (explicitly grouped ones included: their first parameter is no index).</summary>
    public static IReadOnlyList<Delegate> AllKernels { get; } = [.. s_sets.SelectMany(s => s.Kernels).Distinct()];

    /// <summary>The CPU set, which runs where the GPU set does not fit.</summary>
    public static KernelSetRegistration Cpu => s_sets.Single(s => s.Kind == KernelSetKind.Cpu);

    /// <summary>Whether neither <paramref name="requested"/> nor DENSENET_KERNELS names a set, so the device's default applies.</summary>
    public static bool IsDefault(KernelSetKind requested) =>
        requested == KernelSetKind.Auto && SettingParser.Read(EnvironmentVariable) is null;

    /// <summary>
    /// The set <paramref name="requested"/> names; for Auto the one DENSENET_KERNELS names, else the device's
    /// default: the GPU set on CUDA and OpenCL GPU devices, the CPU set on CPU cores (the CPU accelerator, PoCL).
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_KERNELS names no set.</exception>
    public static KernelSetRegistration Choose(KernelSetKind requested, Device device)
    {
        if (requested != KernelSetKind.Auto)
            return s_sets.Single(s => s.Kind == requested);
        if (SettingParser.Read(EnvironmentVariable) is { } value)
            return SettingParser.OneOf(EnvironmentVariable, value, "kernel set", s_choices);
        bool gpu = device is CudaDevice or CLDevice { DeviceType: CLDeviceType.CL_DEVICE_TYPE_GPU };
        return s_sets.Single(s => s.Kind == (gpu ? KernelSetKind.Gpu : KernelSetKind.Cpu));
    }
}

/// <summary>A kernel set: its DENSENET_KERNELS name, how to compile it for an accelerator, and the kernels it loads.</summary>
/// <param name="Name">The set's DENSENET_KERNELS value.</param>
/// <param name="Kind">The set as ComputeOptions names it.</param>
/// <param name="Load">Compiles and loads the set's kernels for an accelerator at a precision.</param>
/// <param name="Kernels">Every kernel the set loads, for the PTX compilation check.</param>
/// <param name="RecordsGraphs">Whether the set's runner records a forward pass as a CUDA graph on CUDA devices.</param>
internal sealed record KernelSetRegistration(string Name, KernelSetKind Kind, Func<Accelerator, Precision, IKernelSet> Load, IReadOnlyList<Delegate> Kernels,
    bool RecordsGraphs);
