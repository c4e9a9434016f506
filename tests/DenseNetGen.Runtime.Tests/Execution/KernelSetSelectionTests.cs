using DenseNetGen.Execution;
using DenseNetGen.GpuKernels;
using DenseNetGen.Planning;
using DenseNetGen.Runtime.Tests.Kernels;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Execution;

public class KernelSetSelectionTests
{
    [Theory]
    [InlineData("auto", KernelSetKind.Auto)]
    [InlineData(" GPU ", KernelSetKind.Gpu)]
    [InlineData("cpu", KernelSetKind.Cpu)]
    public void KernelSetNamesParse(string text, KernelSetKind kind) =>
        Assert.Equal(kind, ComputeOptions.ParseKernelSet(text, ComputeOptions.KernelsVariable));

    [Fact]
    public void UnknownNamesAreClearErrors()
    {
        var kernels = Assert.Throws<ArgumentException>(() => ComputeOptions.ParseKernelSet("tpu", ComputeOptions.KernelsVariable));
        Assert.Equal("DENSENET_KERNELS: unknown kernel set 'tpu'; expected auto, cpu or gpu.", kernels.Message);
        var precision = Assert.Throws<ArgumentException>(() => ComputeOptions.ParsePrecision("fp16", "--precision"));
        Assert.Equal("--precision: unknown precision 'fp16'; expected fp32 or tf32.", precision.Message);
    }

    [Fact]
    public void CpuAcceleratorDefaultsToTheCpuSet()
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu);
        Assert.Equal(KernelSetKind.Cpu, device.KernelSet);
        Assert.EndsWith("; kernel set: cpu", device.Description);
    }

    [Fact]
    public void TheGpuSetCanBeForcedOnTheCpuAccelerator()
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(KernelSetKind.Gpu));
        Assert.Equal(KernelSetKind.Gpu, device.KernelSet);
        Assert.EndsWith("; kernel set: gpu", device.Description);
        Assert.DoesNotContain("CUDA graphs", device.Description);
    }

    [Fact]
    public void Tf32NeedsCuda()
    {
        var error = Assert.Throws<DeviceUnavailableException>(() =>
            ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(KernelSetKind.Gpu, Precision.Tf32)));
        Assert.Contains("tf32 precision runs on CUDA tensor cores", error.Message);
    }

    [Fact]
    public void DenseLayerIsTwoLaunchesAndSmallMapsSplitK()
    {
        var plan = Plan([new("block", 24), new("norm", 16), new("bottleneck", 32)],
            [
                new BatchNormReluOp(0, 0, 16, 1, "norm1", PoolKind.None),
                new ConvOp(1, 0, 16, 2, 0, 32, 1, 1, 0, "conv1.weight", null, "norm2", true),
                new ConvOp(2, 0, 32, 0, 16, 8, 3, 1, 1, "conv2.weight", null, null, false),
            ],
            outputBuffer: 0);
        var layout = PlanLayout.Compute(plan, 2, 5, 6);

        var launches = GpuLaunchPlan.Build(plan, layout, multiprocessors: 1).Launches;

        Assert.Collection(launches,
            l => Assert.Equal((1, 0, TiledPrologue.NormRelu, 1), Describe(l)),
            l => Assert.Equal((2, -1, TiledPrologue.None, 2), Describe(l)));
        // 132 SMs (an H100): the 1x1 conv (16 K rows, one step) cannot split; the 3x3 conv's 18 steps split into
        // slices of no fewer than 4 steps: 5, 5, 5, 3.
        var wide = GpuLaunchPlan.Build(plan, layout, multiprocessors: 132).Launches;
        Assert.Equal([1, 4], wide.Cast<TiledConvLaunch>().Select(l => l.Geometry.Splits));
    }

    [Fact]
    public void ANormReadTwiceIsNotFused()
    {
        var plan = Plan([new("input", 4), new("norm", 4), new("a", 2), new("b", 2)],
            [
                new BatchNormReluOp(0, 0, 4, 1, "norm", PoolKind.None),
                new ConvOp(1, 0, 4, 2, 0, 2, 1, 1, 0, "a.weight", null, null, false),
                new ConvOp(1, 0, 4, 3, 0, 2, 1, 1, 0, "b.weight", null, null, false),
            ],
            outputBuffer: 3);

        var launches = GpuLaunchPlan.Build(plan, PlanLayout.Compute(plan, 1, 3, 3), multiprocessors: 1).Launches;

        Assert.Equal([typeof(NormLaunch), typeof(TiledConvLaunch), typeof(TiledConvLaunch)], launches.Select(l => l.GetType()));
    }

    private static (int LastOp, int NormOp, TiledPrologue Prologue, int Splits) Describe(GpuLaunch launch)
    {
        var conv = Assert.IsType<TiledConvLaunch>(launch);
        return (conv.LastOp, conv.NormOp, conv.Geometry.Prologue, conv.Geometry.Splits);
    }
}
