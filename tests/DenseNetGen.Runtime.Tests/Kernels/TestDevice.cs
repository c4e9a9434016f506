using DenseNetGen.Backends;
using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The device the kernel tests run on: DENSENET_DEVICE when set (so the same tests run on OpenCL, CUDA or ILGPU's CPU
/// accelerator), otherwise the SIMD CPU backend, with the kernel set DENSENET_KERNELS names (default: the device's
/// own). Shared by all tests, like a process's default device.
/// </summary>
internal static class TestDevice
{
    private static readonly Lazy<ComputeDevice> s_device = new(() => Open(null));

    private static readonly Lazy<ComputeDevice> s_gpuSet = new(() => Open(new ComputeOptions(KernelSetKind.Gpu), ilgpuOnly: true));

    public static ComputeDevice Device => s_device.Value;

    /// <summary>
    /// The same backend with the GPU kernel set forced (ILGPU's CPU accelerator when the tests run on the SIMD
    /// backend, which has no kernel sets); on the CPU accelerator a device with 256-thread groups whose barriers are
    /// OS thread barriers, so cases on it stay small.
    /// </summary>
    public static ComputeDevice GpuSet => s_gpuSet.Value;

    private static readonly Lazy<ComputeDevice> s_tf32 = new(() =>
        Open(new ComputeOptions(KernelSetKind.Gpu, Precision.Tf32), ilgpuOnly: true, tf32: true));

    /// <summary>
    /// The GPU set with TF32 convs: on CUDA when DENSENET_DEVICE names it (tensor cores), else emulated on a
    /// <see cref="GpuSet"/>-like CPU accelerator, whose warp shuffles are OS thread barriers too.
    /// </summary>
    public static ComputeDevice Tf32 => s_tf32.Value;

    private static ComputeDevice Open(ComputeOptions? options, bool ilgpuOnly = false, bool tf32 = false)
    {
        var kind = Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) is { } value
            ? DeviceKindParser.Parse(value, DeviceKindParser.EnvironmentVariable)
            : DeviceKind.Cpu;
        if (tf32 && kind != DeviceKind.Cuda) kind = DeviceKind.IlgpuCpu;
        return ComputeDevice.Open(ilgpuOnly && kind is DeviceKind.Cpu or DeviceKind.Auto ? DeviceKind.IlgpuCpu : kind, options);
    }
}
