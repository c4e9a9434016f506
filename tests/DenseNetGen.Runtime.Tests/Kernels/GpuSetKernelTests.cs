using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>The kernel cases again with the GPU kernel set (see <see cref="TestDevice.GpuSet"/>).</summary>
public static class GpuSetKernelTests
{
    public sealed class Conv : ConvKernelTests
    {
        private protected override ComputeDevice Device => TestDevice.GpuSet;
    }

    public sealed class Norm : NormKernelTests
    {
        private protected override ComputeDevice Device => TestDevice.GpuSet;
    }

    public sealed class Fused : FusedLayerTests
    {
        private protected override ComputeDevice Device => TestDevice.GpuSet;
    }
}
