namespace DenseNetGen.Backends;

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

/// <summary>How a device runs models: its kernel set, the convolutions' precision, the SIMD CPU backend's threads.</summary>
/// <param name="KernelSet">Auto defers to DENSENET_KERNELS, then to the device type (see <see cref="KernelSetKind.Auto"/>).</param>
/// <param name="Precision">
/// Tf32 needs CUDA and the GPU kernel set (or ILGPU's CPU accelerator, which emulates it as a check, and takes the
/// GPU set for it when <paramref name="KernelSet"/> is Auto); opening anything else with it throws.
/// </param>
/// <param name="Threads">
/// Threads of the SIMD CPU backend, the caller included, like ONNX Runtime's intra-op threads; 0 = DENSENET_THREADS
/// (1 to 1024), else one per physical core. Other backends ignore it.
/// </param>
/// <param name="Spinning">
/// Whether the SIMD CPU backend's threads spin briefly (up to 200 µs) before they block while waiting for each
/// other or for the next op, like ONNX Runtime's <c>session.intra_op.allow_spinning</c>; null = DENSENET_SPIN
/// (on or off), else on. Off blocks at once: a little slower on an idle machine, kinder to a busy one. Other backends ignore it.
/// </param>
/// <param name="SelfTest">
/// Whether an ILGPU device runs its known-answer self-test when it opens (once per device, kernel set and precision in
/// a process; see README, Devices); null = DENSENET_SELF_TEST (on or off), else on for CUDA and OpenCL and off for
/// ILGPU's CPU accelerator, where it is slow. Off skips it: a device whose kernels compute wrongly is then used anyway.
/// </param>
/// <remarks>
/// Opening the SIMD backend with an invalid DENSENET_THREADS or DENSENET_SPIN throws <see cref="ArgumentException"/>
/// (the CLI reports it as a usage error), as an ILGPU device does for DENSENET_KERNELS.
/// </remarks>
public sealed record ComputeOptions(
    KernelSetKind KernelSet = KernelSetKind.Auto, Precision Precision = Precision.Fp32, int Threads = 0, bool? Spinning = null, bool? SelfTest = null)
{
    /// <summary>Auto kernel set, FP32, one SIMD thread per physical core.</summary>
    public static ComputeOptions Default { get; } = new();

    /// <summary>Where <see cref="Precision.Tf32"/> runs, the start of every backend's refusal.</summary>
    internal const string Tf32Where =
        "tf32 precision runs on CUDA tensor cores with the GPU kernel set (emulated, as a check, on ilgpu-cpu with that set)";

    /// <summary>fp32 or tf32, any case (--precision).</summary>
    /// <param name="text">The name typed; empty means fp32.</param>
    /// <param name="origin">Where the text came from, for the error message.</param>
    /// <exception cref="ArgumentException">Neither fp32 nor tf32.</exception>
    public static Precision ParsePrecision(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "" => Precision.Fp32,
        "tf32" => Precision.Tf32,
        _ => throw new ArgumentException($"{origin}: unknown precision '{text}'; expected fp32 or tf32."),
    };
}
