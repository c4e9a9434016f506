using DenseNetGen.Backends;
using DenseNetGen.Backends.Ilgpu.KernelSets;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// The GPU kernel set's capability check, fed devices no machine here has: each refusal is one line naming the
/// device and what it lacks, and a device short of the haloed kernel's shared memory runs 3x3 convs as the tiled GEMM.
/// </summary>
public sealed class GpuSetFitTests
{
    private static readonly GpuCapabilities A100 = new("NVIDIA A100", DeviceKind.Cuda, 80, 48 * 1024, 1024);

    [Fact]
    public void Tf32IsRefusedBelowSm80()
    {
        var t4 = A100 with { Name = "Tesla T4", ComputeCapability = 75 };

        var fit = GpuSetFit.Check(t4, Precision.Tf32);

        Assert.Equal("cuda device 'Tesla T4' is sm_75; tf32 needs tensor cores of sm_80 or newer (mma.sync .tf32)", fit.Refusal);
        Assert.True(GpuSetFit.Check(t4, Precision.Fp32).Fits);
        Assert.True(GpuSetFit.Check(A100, Precision.Tf32).Fits);
    }

    [Fact]
    public void ADeviceWith32KbRunsThe3x3ConvsAsTheTiledGemmAndSaysSo()
    {
        var small = new GpuCapabilities("Small GPU", DeviceKind.OpenCL, null, 32 * 1024, 256);

        var fit = GpuSetFit.Check(small, Precision.Fp32);

        Assert.Equal((true, false), (fit.Fits, fit.Halo));
        Assert.Equal("3x3 convs: tiled GEMM (the haloed kernel needs 36,868 bytes of shared memory per group; 'Small GPU' has 32 KB)", fit.Note);
        Assert.Equal((true, true, null), (GpuSetFit.Check(A100, Precision.Fp32) is var a ? (a.Fits, a.Halo, a.Note) : default));
    }

    [Fact]
    public void TheSharedMemoryFiguresAreTheKernelsAllocations()
    {
        // Two double-buffered slices of 16 K rows × 64 channels; haloed: 72 K rows × 32 channels of weights and
        // 8 channels × 288 haloed pixels of inputs, double-buffered; each with the split-K arrival flag.
        Assert.Equal((2 * 2 * 16 * 64 + 1) * 4, GpuSetFit.TiledBytes);
        Assert.Equal((2 * 72 * 32 + 2 * 8 * 288 + 1) * 4, GpuSetFit.HaloBytes);
    }

    [Theory]
    [InlineData(16 * 1024, 256, "opencl device 'Tiny' has 16 KB of shared memory per group; the GPU kernel set's tiled conv needs 16,388 bytes")]
    [InlineData(48 * 1024, 128, "opencl device 'Tiny' launches groups of at most 128 threads; the GPU kernel set needs 256")]
    public void ADeviceTheSetDoesNotFitIsRefusedInOneLine(long sharedMemory, int threads, string refusal)
    {
        var fit = GpuSetFit.Check(new GpuCapabilities("Tiny", DeviceKind.OpenCL, null, sharedMemory, threads), Precision.Fp32);

        Assert.Equal(refusal, fit.Refusal);
        Assert.Equal("does not fit: " + refusal, fit.Summary);
    }
}
