namespace DenseNetGen.GpuKernels;

/// <summary>Which kernels an ILGPU accelerator runs. Parsed from DENSENET_KERNELS.</summary>
public enum KernelSetKind
{
    /// <summary>The GPU set on CUDA and OpenCL GPU devices, the CPU set on the CPU accelerator and OpenCL CPU devices.</summary>
    Auto,

    /// <summary>Register-tiled kernels without shared memory or barriers, one launch per plan op.</summary>
    Cpu,

    /// <summary>Shared-memory tiled convs with the BatchNorm + ReLU (+ pool) fused into their staging; 256-thread groups.</summary>
    Gpu,
}

/// <summary>How a device runs models: kernel set and precision. Parsed from DENSENET_KERNELS, --kernels and --precision.</summary>
/// <param name="KernelSet">Auto picks by device type (see <see cref="KernelSetKind.Auto"/>).</param>
/// <param name="Precision">Tf32 needs CUDA and the GPU kernel set.</param>
public sealed record ComputeOptions(KernelSetKind KernelSet = KernelSetKind.Auto, Precision Precision = Precision.Fp32)
{
    public const string KernelsVariable = "DENSENET_KERNELS";

    public static ComputeOptions Default { get; } = new();

    /// <summary>DENSENET_KERNELS (auto, cpu or gpu), or Auto when it is unset; FP32.</summary>
    public static ComputeOptions FromEnvironment() =>
        Environment.GetEnvironmentVariable(KernelsVariable) is { } value
            ? new(ParseKernelSet(value, KernelsVariable))
            : Default;

    /// <param name="origin">Where the text came from, for the error message.</param>
    public static KernelSetKind ParseKernelSet(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => KernelSetKind.Auto,
        "cpu" => KernelSetKind.Cpu,
        "gpu" => KernelSetKind.Gpu,
        _ => throw new ArgumentException($"{origin}: unknown kernel set '{text}'; expected auto, cpu or gpu."),
    };

    /// <param name="origin">Where the text came from, for the error message.</param>
    public static Precision ParsePrecision(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "" => Precision.Fp32,
        "tf32" => Precision.Tf32,
        _ => throw new ArgumentException($"{origin}: unknown precision '{text}'; expected fp32 or tf32."),
    };
}
