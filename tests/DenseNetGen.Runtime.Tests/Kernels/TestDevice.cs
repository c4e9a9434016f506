using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The device the kernel tests run on: DENSENET_DEVICE when set (so the same tests run on OpenCL or CUDA),
/// otherwise the CPU accelerator. Shared by all tests, like a process's default device.
/// </summary>
internal static class TestDevice
{
    private static readonly Lazy<ComputeDevice> s_device = new(() =>
        ComputeDevice.Open(Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) is { } value
            ? DeviceKindParser.Parse(value, DeviceKindParser.EnvironmentVariable)
            : DeviceKind.Cpu));

    public static ComputeDevice Device => s_device.Value;
}
