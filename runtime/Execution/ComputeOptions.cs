namespace DenseNetGen.Execution;

/// <summary>Which kernels an ILGPU device runs (DENSENET_KERNELS names one for every device a process opens).</summary>
public enum KernelSetKind
{
    /// <summary>DENSENET_KERNELS when set; otherwise the GPU set on CUDA and OpenCL GPUs, the CPU set on CPU cores.</summary>
    Auto,

    /// <summary>Register-tiled kernels without shared memory or barriers, one launch per plan op.</summary>
    Cpu,

    /// <summary>Shared-memory tiled convs with the BatchNorm + ReLU (+ pool) fused into their staging; 256-thread groups.</summary>
    Gpu,
}

/// <summary>How a device runs models: its kernel set and the convolutions' precision.</summary>
/// <param name="KernelSet">Auto defers to DENSENET_KERNELS, then to the device type (see <see cref="KernelSetKind.Auto"/>).</param>
/// <param name="Precision">Tf32 needs CUDA and the GPU kernel set; opening anything else with it throws.</param>
public sealed record ComputeOptions(KernelSetKind KernelSet = KernelSetKind.Auto, Precision Precision = Precision.Fp32)
{
    public static ComputeOptions Default { get; } = new();

    /// <summary>fp32 or tf32, any case (--precision).</summary>
    /// <param name="origin">Where the text came from, for the error message.</param>
    public static Precision ParsePrecision(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "" => Precision.Fp32,
        "tf32" => Precision.Tf32,
        _ => throw new ArgumentException($"{origin}: unknown precision '{text}'; expected fp32 or tf32."),
    };
}
