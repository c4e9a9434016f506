using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The device the kernel tests run on: DENSENET_DEVICE when set (so the same tests run on OpenCL or CUDA),
/// otherwise the CPU accelerator, with the kernel set DENSENET_KERNELS names (default: the device's own). Shared by
/// all tests, like a process's default device.
/// </summary>
internal static class TestDevice
{
    private static readonly Lazy<ComputeDevice> s_device = new(() => Open(null));

    private static readonly Lazy<ComputeDevice> s_gpuSet = new(() => Open(new ComputeOptions(KernelSetKind.Gpu)));

    public static ComputeDevice Device => s_device.Value;

    /// <summary>
    /// The same backend with the GPU kernel set forced; on the CPU accelerator a device with 256-thread groups whose
    /// barriers are OS thread barriers, so cases on it stay small.
    /// </summary>
    public static ComputeDevice GpuSet => s_gpuSet.Value;

    private static ComputeDevice Open(ComputeOptions? options) =>
        ComputeDevice.Open(Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) is { } value
            ? DeviceKindParser.Parse(value, DeviceKindParser.EnvironmentVariable)
            : DeviceKind.Cpu, options);
}
