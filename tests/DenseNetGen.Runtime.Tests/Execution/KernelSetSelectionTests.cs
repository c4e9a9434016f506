using DenseNetGen.Backends;
using DenseNetGen.Checkpoints;
using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Backends.Ilgpu.Steps;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;
using DenseNetGen.Runtime.Tests.Kernels;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Execution;

public class KernelSetSelectionTests
{
    [Theory]
    [InlineData("fp32", Precision.Fp32)]
    [InlineData(" TF32 ", Precision.Tf32)]
    public void PrecisionNamesParse(string text, Precision precision) =>
        Assert.Equal(precision, ComputeOptions.ParsePrecision(text, "--precision"));

    [Fact]
    public void UnknownPrecisionIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeOptions.ParsePrecision("fp16", "--precision"));
        Assert.Equal("--precision: unknown precision 'fp16'; expected fp32 or tf32.", error.Message);
    }

    [Fact]
    public void CpuAcceleratorDefaultsToTheCpuSet()
    {
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Cpu));
        Assert.EndsWith("; kernel set: cpu", device.Description);
    }

    [Fact]
    public void TheGpuSetCanBeForcedOnTheCpuAccelerator()
    {
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Gpu));
        Assert.EndsWith("; kernel set: gpu", device.Description);
        Assert.DoesNotContain("CUDA graphs", device.Description);
    }

    [Theory]
    [InlineData(KernelSetKind.Gpu)]
    [InlineData(KernelSetKind.Auto)]
    public void Tf32IsEmulatedOnTheCpuAcceleratorWithTheGpuSet(KernelSetKind kernelSet)
    {
        // Auto means the GPU set for TF32 unless DENSENET_KERNELS names a set (as the CI's kernel-set runs do).
        if (kernelSet == KernelSetKind.Auto && Environment.GetEnvironmentVariable("DENSENET_KERNELS") is not (null or ""))
            return;
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(kernelSet, Precision.Tf32));
        Assert.EndsWith("; precision: tf32 (emulated); kernel set: gpu", device.Description);
    }

    [Fact]
    public void Tf32IsRefusedOnTheCpuSet()
    {
        var error = Assert.Throws<DeviceUnavailableException>(() =>
            ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Cpu, Precision.Tf32)));
        Assert.Contains("tf32 precision runs on CUDA tensor cores with the GPU kernel set (emulated, as a check, on ilgpu-cpu with that set); " +
            "this is a IlgpuCpu device", error.Message);
        Assert.EndsWith("with the cpu set.", error.Message);
    }

    [Fact]
    public void Tf32IsRefusedOnTheSimdBackend()
    {
        var error = Assert.Throws<DeviceUnavailableException>(() => ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(Precision: Precision.Tf32)));
        Assert.Contains("tf32 precision runs on CUDA tensor cores with the GPU kernel set (emulated, as a check, on ilgpu-cpu with that set); " +
            "the SIMD CPU backend computes in fp32.", error.Message);
    }

    [Fact]
    public void DenseLayerIsTwoLaunchesAndSmallMapsSplitK()
    {
        var reference = KernelReference.Load("dense_layer");
        var plan = DenseLayer();
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Cpu));
        var accelerator = ((IlgpuBackend)device.Backend).Accelerator;
        var steps = GpuSetSteps(plan, Weights(reference), accelerator);
        try
        {
            var geometry = PlanGeometry.Compute(plan, 2, 5, 6);

            var launches = GpuLaunchPlan.Build(steps, geometry, multiprocessors: 1).Launches;

            Assert.Collection(launches,
                l => Assert.Equal((1, 0, TiledPrologue.NormRelu, 1), Describe(l)),
                l => Assert.Equal((2, -1, TiledPrologue.None, 2), Describe(l)));
            // 132 SMs (an H100): the 1x1 conv (16 K rows, one step) cannot split. The 3x3 conv runs over haloed
            // blocks: the batch's two 5x6 maps fit one block of 2 images of 8x8, and its 32 input channels are 4
            // steps of 8, which split one step per slice.
            var wide = GpuLaunchPlan.Build(steps, geometry, multiprocessors: 132).Launches.Cast<TiledConvLaunch>().ToArray();
            Assert.Equal((false, 1), (wide[0].Geometry.IsHalo, wide[0].Geometry.Splits));
            Assert.Equal(new HaloTile(2, 8, 8), wide[1].Geometry.Halo);
            Assert.Equal((1, 4, 72), (wide[1].Geometry.PixelTiles, wide[1].Geometry.Splits, wide[1].Geometry.KPerSplit));
            // As a tiled GEMM the same conv's 18 steps of 16 rows would split into slices of no fewer than 4 steps:
            // 5, 5, 5, 3.
            var gemm = GpuLaunchPlan.Split(wide[1].Geometry with { Halo = default, Splits = 1, KPerSplit = 32 * 9 }, multiprocessors: 132);
            Assert.Equal((4, 5 * 16), (gemm.Splits, gemm.KPerSplit));
        }
        finally
        {
            foreach (var step in steps) step.Dispose();
        }
    }

    /// <summary>
    /// DenseNet-121 at batch 1 on 132 SMs (an H100/H200), as the GPU set launches it (FP32 or TF32): each of the 58 dense
    /// layers is two tiled launches (the 1x1 conv with norm1 in its staging, the 3x3 conv over haloed blocks), each
    /// transition one (norm, ReLU and pool in the conv's staging), the stem a conv and a max pool, the head a
    /// norm-pool and the classifier. Split-K convs (most of them at batch 1) add no launch: their slices add up
    /// inside the launch.
    /// </summary>
    [Fact]
    public void DenseNet121IsTwoConvLaunchesPerDenseLayer()
    {
        var plan = DenseNet121.Definition;
        var weights = new BoundCheckpoint(DeterministicWeights.ForManifest(plan.Parameters), "deterministic", "none", "canonical");
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Cpu));
        var accelerator = ((IlgpuBackend)device.Backend).Accelerator;
        var steps = GpuSetSteps(plan, weights, accelerator);
        try
        {
            var launches = GpuLaunchPlan.Build(steps, PlanGeometry.Compute(plan, 1, 224, 224), multiprocessors: 132).Launches;

            var convs = launches.OfType<TiledConvLaunch>().ToArray();
            Assert.Equal(1 + 2 * 58 + 3 + 1, convs.Length); // stem, dense layers, transitions, classifier
            Assert.Equal(58, convs.Count(c => c.Geometry.IsHalo));
            Assert.Equal(58 + 3, convs.Count(c => c.Outline.Prologue is not null));
            Assert.Equal(2, launches.OfType<OpLaunch>().Count()); // the stem's max pool, the head's norm + global pool
            Assert.Equal(123, launches.Count);
            Assert.Contains(convs, c => c.Geometry.Splits > 1 && c.Geometry.IsHalo);
            Assert.Contains(convs, c => c.Geometry.Splits > 1 && !c.Geometry.IsHalo);
        }
        finally
        {
            foreach (var step in steps) step.Dispose();
        }
    }

    /// <summary>Every block covers 128 pixels and its haloed input fits the kernel's shared memory; maps are
    /// covered with the least waste: a 56x56 map by 8x16 blocks, 7x7 maps two to a block.</summary>
    [Theory]
    [InlineData(56, 56, 1, 8, 16)]
    [InlineData(28, 28, 1, 8, 16)]
    [InlineData(14, 14, 1, 8, 16)]
    [InlineData(7, 7, 2, 8, 8)]
    [InlineData(5, 6, 2, 8, 8)]
    [InlineData(4, 4, 8, 4, 4)]
    [InlineData(1, 1, 8, 4, 4)]
    [InlineData(300, 3, 1, 32, 4)]
    [InlineData(3, 300, 2, 4, 16)]
    public void HaloTilesCoverTheMap(int height, int width, int images, int rows, int columns)
    {
        var tile = HaloTile.For(height, width);
        Assert.Equal(new HaloTile(images, rows, columns), tile);
        Assert.Equal(HaloConvKernels.TilePixels, tile.Images * tile.Rows * tile.Columns);
        Assert.InRange(tile.HaloPixels, 1, HaloConvKernels.MaxHaloPixels);
    }

    [Fact]
    public void ANormIsFusedOnlyWhereItsConvIsItsOnlyReader()
    {
        Assert.NotNull(PlanFusion.ConvTakingNorm(DenseLayer(), 0));
        var readTwice = Plan([new("input", 4), new("norm", 4), new("a", 2), new("b", 2)],
            [
                new BatchNormReluOp(0, 0, 4, 1, "norm", PoolKind.None),
                new ConvOp(1, 0, 4, 2, 0, 2, 1, 1, 0, "a.weight", null, null, false),
                new ConvOp(1, 0, 4, 3, 0, 2, 1, 1, 0, "b.weight", null, null, false),
            ],
            outputBuffer: 3);
        Assert.Null(PlanFusion.ConvTakingNorm(readTwice, 0));
        var pooledInto3x3 = Plan([new("input", 4), new("norm", 4), new("a", 2)],
            [
                new BatchNormReluOp(0, 0, 4, 1, "norm", PoolKind.Average2x2),
                new ConvOp(1, 0, 4, 2, 0, 2, 3, 1, 1, "a.weight", null, null, false),
            ],
            outputBuffer: 2);
        Assert.Null(PlanFusion.ConvTakingNorm(pooledInto3x3, 0));
    }

    private static (int LastOp, int NormOp, TiledPrologue Prologue, int Splits) Describe(GpuLaunch launch)
    {
        var conv = Assert.IsType<TiledConvLaunch>(launch);
        return (conv.LastOp, conv.Outline.Prologue is null ? -1 : conv.Outline.FirstOp, conv.Geometry.Prologue, conv.Geometry.Splits);
    }

    /// <summary>The plan's steps as the GPU set prepares them, on any accelerator (no GPU kernel is compiled).</summary>
    private static GpuSetStep[] GpuSetSteps(NetworkPlan plan, BoundCheckpoint weights, ILGPU.Runtime.Accelerator accelerator) =>
        [.. PlanFusion.Steps(plan, GpuSetNetwork.TakesNorm).Select(s => GpuSetStep.Prepare(plan, s, weights, accelerator))];
}
