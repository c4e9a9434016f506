using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

public sealed unsafe class WorkerScratchTests
{
    /// <summary>One worker packs into one block, the requested size rounded up to whole cache lines; nothing is spaced.</summary>
    [Fact]
    public void OneWorkerHasOneBlockOfTheSizeAsked()
    {
        using var scratch = new WorkerScratch(80_641, 1);
        Assert.Equal(80_656, scratch.FloatsPerWorker);
        Assert.Equal(80_656, scratch.Stride);
        Assert.Equal(80_656L * sizeof(float), scratch.Bytes);
        Assert.Equal(0, (long)scratch.Pointer % 64);
    }

    /// <summary>
    /// With several workers every block starts a whole number of MiB after the one before (DenseNet121's 315 KB
    /// Winograd scratch: 1 MiB; a block over 1 MiB: 2 MiB; nothing to pack: no spacing), aligned, zeroed over the part a step may use, and no two
    /// blocks' used parts overlap: each keeps what its worker wrote.
    /// </summary>
    [Theory]
    [InlineData(80_640, 2, 1 << 18)]
    [InlineData(80_640, 5, 1 << 18)]
    [InlineData((1 << 18) + 1, 3, 1 << 19)]
    [InlineData(0, 2, 16)]
    public void WorkersBlocksStartWholeMiBApartAndKeepTheirOwnValues(long floats, int workers, long stride)
    {
        using var scratch = new WorkerScratch(floats, workers);
        Assert.Equal(stride, scratch.Stride);
        Assert.Equal(0, (long)scratch.Pointer % 64);
        Assert.Equal(scratch.FloatsPerWorker * workers * sizeof(float), scratch.Bytes);
        for (int w = 0; w < workers; w++)
        {
            var block = new Span<float>(scratch.Pointer + w * scratch.Stride, (int)scratch.FloatsPerWorker);
            Assert.True(block.IndexOfAnyExcept(0f) < 0, $"worker {w}'s block is not zeroed");
            block.Fill(w + 1);
        }
        for (int w = 0; w < workers; w++)
        {
            var block = new Span<float>(scratch.Pointer + w * scratch.Stride, (int)scratch.FloatsPerWorker);
            Assert.True(block.IndexOfAnyExcept(w + 1f) < 0, $"worker {w}'s block was overwritten by another");
        }
    }

    [Fact]
    public void RefusesNoWorkersAndANegativeSize()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerScratch(16, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerScratch(-1, 2));
    }
}
