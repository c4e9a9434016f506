using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The standalone BN-ReLU(-average pool) against PyTorch's batch_norm, relu and avg_pool2d / adaptive_avg_pool2d on
/// the cases tools/make_kernel_references.py writes: no pool, 2x2 pooling of an odd map, and global pooling (the
/// head), reading channels that start inside a block and cross into the next, writing only the norm's channels.
/// </summary>
public sealed class NormReluPoolTests
{
    [Theory]
    // name, BN prefix, output tensor, first channel the norm reads in the fixture, channels, where the fixture's
    // channels sit in the source buffer, source capacity, window, stride, destination capacity
    [InlineData("bn_relu", "norm", "output", 2, 6, 0, 8, 1, 1, 9)]
    [InlineData("bn_relu_avg2x2", "norm", "output", 0, 4, 13, 17, 2, 2, 4)]
    [InlineData("bn_relu_global", "norm", "output", 0, 5, 0, 5, 7, 1, 5)]
    [InlineData("head_linear", "norm5", "features", 0, 20, 7, 27, 5, 1, 21)]
    public unsafe void NormMatchesTorchAndWritesOnlyItsChannels(string name, string norm, string outputName, int first, int channels,
        int placeAt, int sourceCapacity, int window, int stride, int destinationCapacity)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference[outputName];
        var (scale, shift) = Fold(reference, norm);
        var source = BlockedBuffer.From(input, sourceCapacity, placeAt);
        int outHeight = output.Shape.Count == 4 ? output.Shape[2] : 1, outWidth = output.Shape.Count == 4 ? output.Shape[3] : 1;
        var destination = new BlockedBuffer(input.Shape[0], destinationCapacity, outHeight, outWidth);

        DirectConvTests.RunTiles(new NormReluPool(scale.Pointer, shift.Pointer, channels, input.Shape[0],
            source.Pointer, sourceCapacity, placeAt + first, input.Shape[2], input.Shape[3],
            destination.Pointer, destinationCapacity, outHeight, outWidth, window, stride));

        GC.KeepAlive(source); // the op holds raw pointers only
        GC.KeepAlive(scale);
        GC.KeepAlive(shift);
        ParityAssert.Close(output.Data, destination.Channels(0, channels), name);
        destination.AssertUntouchedOutside(0, channels);
    }

    /// <summary>Inference BatchNorm as y = x·scale + shift: scale = γ/√(var + 1e-5), shift = β − mean·scale.</summary>
    private static (PinnedFloats Scale, PinnedFloats Shift) Fold(KernelReference reference, string norm)
    {
        var gamma = reference[norm + ".weight"].Data;
        var beta = reference[norm + ".bias"].Data;
        var mean = reference[norm + ".running_mean"].Data;
        var variance = reference[norm + ".running_var"].Data;
        var scale = new PinnedFloats(gamma.Length);
        var shift = new PinnedFloats(gamma.Length);
        for (int c = 0; c < gamma.Length; c++)
        {
            double s = gamma[c] / Math.Sqrt(variance[c] + 1e-5);
            scale.Span[c] = (float)s;
            shift.Span[c] = (float)(beta[c] - mean[c] * s);
        }
        return (scale, shift);
    }
}
