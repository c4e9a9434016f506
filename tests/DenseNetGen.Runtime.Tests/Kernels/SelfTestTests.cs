using DenseNetGen.Backends;
using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The self-test on the device the kernel tests run on with the GPU kernel set (ILGPU's CPU accelerator, or PoCL in
/// CI's OpenCL step): it passes, its plan reaches every launch kind of the set, a kernel made wrong through the
/// test-only fault seam is caught and named, and a split launch aborted midway does not spoil the next call.
/// </summary>
public sealed class SelfTestTests
{
    /// <summary>The self-test plan's transition conv (1x1 over 128 channels with the norm + pool prologue, split K) and a 3x3 conv of block 1.</summary>
    private const int TransitionConv = 9, HaloConv = 4;

    [Fact]
    public void PassesOnTheGpuSetAndSaysSoInTheDeviceLine()
    {
        using var device = ComputeDevice.Open(TestDevice.GpuSet.Kind, new ComputeOptions(KernelSetKind.Gpu, SelfTest: true));

        Assert.Matches(@"; self-test: ok \(\d+ ms\);.*kernel set: gpu$", device.Description);
    }

    [Fact]
    public void ItsPlanReachesEveryLaunchKindOfTheGpuSet()
    {
        var (plan, weights, _) = SelfTestPlan.Create();
        using var device = Open();
        using var executor = new PlanExecutor(plan, weights, device);
        using var shape = executor.Prepared.ForShape(PlanGeometry.Compute(plan, SelfTestPlan.Batch, SelfTestPlan.Size, SelfTestPlan.Size));

        var kernels = Enumerable.Range(0, plan.Ops.Count).Select(shape.Kernel).ToArray();

        Assert.Contains("tiled GEMM 1x1 conv with norm+ReLU prologue, no split", kernels);
        Assert.Contains("tiled GEMM 1x1 conv with norm+ReLU+2x2 pool prologue, split-K 2", kernels[TransitionConv]);
        Assert.StartsWith("haloed 3x3 conv, split-K ", kernels[HaloConv]);
        Assert.StartsWith("tiled GEMM 7x7 conv", kernels[0]);
        Assert.Equal("maxpool k3 s2 (element-wise kernel)", kernels[1]);
        Assert.Equal("batchnorm features.norm5, pool Global (element-wise kernel)", kernels[13]);
        Assert.Equal("tiled GEMM 1x1 conv, no split", kernels[14]);
    }

    [Theory]
    [InlineData(TransitionConv, "op 9 (conv features.transition1.conv.weight) on tiled GEMM 1x1 conv with norm+ReLU+2x2 pool prologue, split-K 2 is off by ")]
    [InlineData(HaloConv, "op 4 (conv features.denseblock1.denselayer1.conv2.weight) on haloed 3x3 conv, split-K ")]
    public void AWrongKernelResultIsCaughtAndNamed(int op, string failure)
    {
        using var device = Open();
        var backend = (IlgpuBackend)device.Backend;

        backend.Device.Fault = new LaunchFault(op, LaunchFaultKind.WrongResult);
        var result = SelfTest.Run(backend);

        Assert.False(result.Passed);
        Assert.StartsWith(failure, result.Failure);
    }

    [Fact]
    public void ASplitLaunchAbortedMidwayDoesNotSpoilTheNextCall()
    {
        var (plan, weights, input) = SelfTestPlan.Create();
        var other = input.Select(v => -0.5f * v).ToArray();
        using var reference = ComputeDevice.Open(DeviceKind.Cpu);
        using var expected = new PlanExecutor(plan, weights, reference);
        using var device = Open();
        using var executor = new PlanExecutor(plan, weights, device);
        Close(Run(expected, input), Run(executor, input));

        ((IlgpuBackend)device.Backend).Device.Fault = new LaunchFault(TransitionConv, LaunchFaultKind.AbortSplit);
        var aborted = Assert.Throws<InjectedFaultException>(() => Run(executor, other));
        Assert.Contains("aborted after its first K slice", aborted.Message);

        // The aborted launch left its tile counted once; counted again from there, the next call's last slice
        // would never see itself last and the transition's output would be the first call's.
        Close(Run(expected, other), Run(executor, other));
    }

    private static ComputeDevice Open() =>
        ComputeDevice.Open(TestDevice.GpuSet.Kind, new ComputeOptions(KernelSetKind.Gpu, SelfTest: false));

    private static float[] Run(PlanExecutor executor, float[] input) =>
        executor.Run(input, SelfTestPlan.Batch, SelfTestPlan.Size, SelfTestPlan.Size, featuresOnly: false);

    private static void Close(float[] expected, float[] actual)
    {
        double bar = SelfTest.Fp32Bar * Math.Max(1, expected.Max(Math.Abs));
        Assert.All(expected.Zip(actual), p => Assert.InRange(p.Second, p.First - bar, p.First + bar));
    }
}
