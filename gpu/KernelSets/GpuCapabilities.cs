using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// What the GPU kernel set needs to know of a device before anything is launched on it: small enough that tests
/// describe a device no machine here has (an sm_75 card, an OpenCL GPU with 32 KB of local memory).
/// </summary>
/// <param name="Name">The device's name, for the refusal line.</param>
/// <param name="Kind">Cuda, OpenCL or IlgpuCpu.</param>
/// <param name="ComputeCapability">CUDA's major·10 + minor (80 for sm_80); null off CUDA or when the driver does not say.</param>
/// <param name="SharedMemoryPerGroup">Bytes of shared (OpenCL: local) memory one group may use.</param>
/// <param name="MaxThreadsPerGroup">The largest group the device launches.</param>
internal sealed record GpuCapabilities(string Name, DeviceKind Kind, int? ComputeCapability, long SharedMemoryPerGroup, int MaxThreadsPerGroup)
{
    /// <summary>The capabilities ILGPU reports for <paramref name="device"/>.</summary>
    public static GpuCapabilities Of(Device device) => new(
        device.Name,
        device switch
        {
            CudaDevice => DeviceKind.Cuda,
            ILGPU.Runtime.OpenCL.CLDevice => DeviceKind.OpenCL,
            _ => DeviceKind.IlgpuCpu,
        },
        device is CudaDevice { Architecture: { } a } ? a.Major * 10 + a.Minor : null,
        device.MaxSharedMemoryPerGroup,
        device.MaxNumThreadsPerGroup);
}

/// <summary>
/// Whether the GPU kernel set runs on a device, and how: the one check behind refusing a device before launch, the
/// device line's notes and <c>densenet info --devices</c>. A pure function of <see cref="GpuCapabilities"/>.
/// </summary>
/// <param name="Refusal">Null when the set runs; otherwise one line naming the device and what it lacks.</param>
/// <param name="Halo">Whether 3x3 convs run over haloed blocks (<see cref="HaloConvKernels"/>); otherwise as the tiled GEMM, whose tile needs less shared memory.</param>
/// <param name="Note">Null, or why 3x3 convs run as the tiled GEMM, for the device line.</param>
internal sealed record GpuSetFit(string? Refusal, bool Halo, string? Note)
{
    /// <summary>Bytes of shared memory a group of the haloed 3x3 kernel uses (FP32 and TF32 alike): double-buffered weights and inputs, and the arrival flag.</summary>
    public const long HaloBytes = (2L * HaloConvKernels.WeightFloats + 2L * HaloConvKernels.InputFloats + 1) * 4;

    /// <summary>Bytes of shared memory a group of the tiled GEMM uses (FP32 and TF32 alike).</summary>
    public const long TiledBytes = (4L * TiledConvKernels.SliceFloats + 1) * 4;

    /// <summary>The first CUDA compute capability with TF32 tensor cores (mma.sync .tf32): sm_80.</summary>
    public const int Tf32ComputeCapability = 80;

    public bool Fits => Refusal is null;

    /// <summary>The GPU set on <paramref name="device"/> at <paramref name="precision"/>.</summary>
    public static GpuSetFit Check(GpuCapabilities device, Precision precision)
    {
        string who = $"{DeviceNames.Of(device.Kind)} device '{device.Name}'";
        if (device.MaxThreadsPerGroup < TiledConvKernels.GroupSize)
            return Refuse($"{who} launches groups of at most {device.MaxThreadsPerGroup} threads; the GPU kernel set needs {TiledConvKernels.GroupSize}");
        if (device.SharedMemoryPerGroup < TiledBytes)
            return Refuse($"{who} has {Bytes(device.SharedMemoryPerGroup)} of shared memory per group; the GPU kernel set's tiled conv needs {Bytes(TiledBytes)}");
        if (precision == Precision.Tf32 && device.Kind == DeviceKind.Cuda && device.ComputeCapability is { } cc && cc < Tf32ComputeCapability)
            return Refuse($"{who} is sm_{cc}; tf32 needs tensor cores of sm_{Tf32ComputeCapability} or newer (mma.sync .tf32)");
        if (device.SharedMemoryPerGroup < HaloBytes)
            return new(null, false,
                $"3x3 convs: tiled GEMM (the haloed kernel needs {Bytes(HaloBytes)} of shared memory per group; '{device.Name}' has {Bytes(device.SharedMemoryPerGroup)})");
        return new(null, true, null);
    }

    /// <summary>"fits", "fits, 3x3 convs as the tiled GEMM (...)" or "does not fit: ...", for device listings.</summary>
    public string Summary => Refusal is { } r ? $"does not fit: {r}" : Note is { } n ? $"fits, {n}" : "fits";

    private static GpuSetFit Refuse(string why) => new(why, false, null);

    private static string Bytes(long bytes) => bytes % 1024 == 0 ? $"{bytes / 1024} KB" : $"{bytes:N0} bytes";
}
