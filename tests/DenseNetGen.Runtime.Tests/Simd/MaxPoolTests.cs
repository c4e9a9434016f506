using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

public class MaxPoolTests
{
    [Theory]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 512)]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 256)]
    [InlineData("simd_maxpool3x3_s2_p1", 3, 2, 1, 0, 19, 128)]
    [InlineData("simd_maxpool2x2_s2", 2, 2, 0, 5, 30, 512)]
    [InlineData("simd_maxpool2x2_s2", 2, 2, 0, 5, 30, 128)]
    [InlineData("simd_maxpool3x3_s1_p1", 3, 1, 1, 16, 40, 256)]
    public unsafe void MaxPoolMatchesTorchAndWritesOnlyItsChannels(string name, int kernel, int stride, int padding, int offset, int capacity, int width)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference["output"];
        int channels = input.Shape[1];
        var source = BlockedBuffer.From(input, capacity, offset);
        var destination = new BlockedBuffer(output.Shape[0], capacity, output.Shape[2], output.Shape[3]);
        var shape = new ConvShape(input.Shape[0], input.Shape[2], input.Shape[3], capacity, offset, channels, capacity, offset, channels, kernel, stride, padding);

        DirectConvTests.RunTiles(width switch
        {
            512 => new MaxPool<Vec512>(shape, source.Pointer, destination.Pointer),
            256 => new MaxPool<Vec256>(shape, source.Pointer, destination.Pointer),
            _ => new MaxPool<Vec128>(shape, source.Pointer, destination.Pointer),
        });

        GC.KeepAlive(source); // the op holds raw pointers only
        ParityAssert.Close(output.Data, destination.Channels(offset, channels), $"{name} at {width} bits");
        destination.AssertUntouchedOutside(offset, channels);
    }
}
