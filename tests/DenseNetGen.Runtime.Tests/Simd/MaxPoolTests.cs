using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

public class MaxPoolTests
{
    [Theory]
    // name, kernel, stride, padding, source offset and capacity, destination offset and capacity, width
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 0, 19, 512)]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 0, 19, 256)]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 0, 19, 128)]
    [InlineData("simd_maxpool2x2_s2", 2, 2, 0, 5, 30, 5, 30, 512)]
    [InlineData("simd_maxpool2x2_s2", 2, 2, 0, 5, 30, 5, 30, 128)]
    [InlineData("simd_maxpool3x3_s1_p1", 3, 1, 1, 16, 40, 16, 40, 256)]
    // Block 0 of the source onto block 1 of the destination, the same lanes.
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 3, 12, 19, 30, 512)]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 3, 12, 19, 30, 128)]
    // 7 rows in ranges of 2: the last range must stop at the map's last row.
    [InlineData("simd_maxpool3x3_s1_p1_odd_rows", 3, 1, 1, 0, 20, 0, 20, 512)]
    [InlineData("simd_maxpool3x3_s1_p1_odd_rows", 3, 1, 1, 0, 20, 0, 20, 128)]
    public void MaxPoolMatchesTorchAndWritesOnlyItsChannels(string name, int kernel, int stride, int padding,
        int inOffset, int inCapacity, int outOffset, int outCapacity, int width)
    {
        var (expected, destination) = Pool(name, kernel, stride, padding, inOffset, inCapacity, outOffset, outCapacity, width);
        ParityAssert.Close(expected.Data, destination.Channels(outOffset, expected.Shape[1]), $"{name} at {width} bits");
        destination.AssertUntouchedOutside(outOffset, expected.Shape[1]);
    }

    /// <summary>
    /// NaN and ±∞ as PyTorch pools them: a window holding a NaN is NaN wherever the NaN sits among its taps, +∞ wins,
    /// a window of −∞ is −∞. Compared value for value (a max pool only selects; NaN equals NaN here, and a zero's sign
    /// is not compared), at every width and without FMA, where the probe for non-finite taps is a multiply and an add.
    /// </summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void MaxPoolPassesNaNAndInfinitiesAsTorch(int width)
    {
        var (expected, destination) = Pool("simd_maxpool3x3_s2_p1_non_finite", 3, 2, 1, 0, 19, 0, 19, width);
        var actual = destination.Channels(0, expected.Shape[1]);
        Assert.Contains(expected.Data, float.IsNaN); // the case holds what it is for
        Assert.Contains(expected.Data, float.IsPositiveInfinity);
        Assert.Contains(expected.Data, float.IsNegativeInfinity);
        for (int i = 0; i < actual.Length; i++) Assert.True(expected.Data[i].Equals(actual[i]), $"at {i}: expected {expected.Data[i]}, got {actual[i]}");
    }

    /// <summary>
    /// Case <paramref name="name"/>'s input, its channels at <paramref name="inOffset"/> of a source of
    /// <paramref name="inCapacity"/>, pooled at <paramref name="width"/> bits (0: 128 without FMA) into channel
    /// <paramref name="outOffset"/> of a destination of <paramref name="outCapacity"/>: PyTorch's output and the destination.
    /// </summary>
    private static unsafe (Tensor Expected, BlockedBuffer Destination) Pool(string name, int kernel, int stride, int padding,
        int inOffset, int inCapacity, int outOffset, int outCapacity, int width)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference["output"];
        int channels = input.Shape[1];
        var source = BlockedBuffer.From(input, inCapacity, inOffset);
        var destination = new BlockedBuffer(output.Shape[0], outCapacity, output.Shape[2], output.Shape[3]);
        var shape = new ConvShape(input.Shape[0], input.Shape[2], input.Shape[3], inCapacity, inOffset, channels, outCapacity, outOffset, channels,
            kernel, stride, padding);

        DirectConvTests.RunTiles(width switch
        {
            512 => new MaxPool<Vec512>(shape, source.Pointer, destination.Pointer),
            256 => new MaxPool<Vec256>(shape, source.Pointer, destination.Pointer),
            128 => new MaxPool<Vec128>(shape, source.Pointer, destination.Pointer),
            _ => new MaxPool<Unfused<Vec128>>(shape, source.Pointer, destination.Pointer),
        });

        GC.KeepAlive(source); // the op holds raw pointers only
        return (output, destination);
    }

    [Theory]
    [InlineData(0, 4, 0, 5)] // the pooled channels change count
    [InlineData(3, 4, 2, 4)] // source lane 3 onto destination lane 2
    public unsafe void PoolRejectsChannelsThatDoNotMapBlockOntoBlock(int inOffset, int inChannels, int outOffset, int outChannels)
    {
        var source = new BlockedBuffer(1, 20, 4, 4);
        var destination = new BlockedBuffer(1, 20, 2, 2);
        var shape = new ConvShape(1, 4, 4, 20, inOffset, inChannels, 20, outOffset, outChannels, 2, 2, 0);
        var error = Assert.Throws<ArgumentException>(() => new MaxPool<Vec128>(shape, source.Pointer, destination.Pointer));
        Assert.Equal("shape", error.ParamName);
        Assert.StartsWith("A max pool keeps its channels and their lanes: ", error.Message);
    }

    [Fact]
    public unsafe void PoolRejectsAWindowThatIsAllPadding()
    {
        var source = new BlockedBuffer(1, 4, 4, 4);
        var destination = new BlockedBuffer(1, 4, 6, 6);
        var shape = new ConvShape(1, 4, 4, 4, 0, 4, 4, 0, 4, 2, 1, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool<Vec128>(shape, source.Pointer, destination.Pointer));
        Assert.StartsWith("The conv has no output or pads a whole window: ", error.Message);
    }
}
