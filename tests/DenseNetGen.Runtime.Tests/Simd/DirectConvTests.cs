using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

public class DirectConvTests
{
    public static IEnumerable<object[]> Cases()
    {
        // name, inOffset, inChannels, outChannels, kernel, stride, padding, relu, outOffset, destination channels
        object[][] convs =
        [
            ["simd_conv3x3_offsets", 5, 37, 12, 3, 1, 1, true, 21, 40],
            ["simd_conv3x3_wide_out", 0, 17, 48, 3, 1, 1, false, 16, 70],
            ["simd_conv7x7_s2_p3_stem", 0, 3, 20, 7, 2, 3, true, 0, 20],
            ["simd_conv3x3_one_channel_stem", 0, 1, 24, 3, 1, 1, true, 0, 36],
            ["simd_conv3x3_prologue", 3, 20, 6, 3, 1, 1, false, 30, 37],
            ["simd_conv5x5_s3_p2_prologue", 17, 2, 33, 5, 3, 2, true, 7, 45],
            ["simd_conv7x7_s2_p3_wide_rows", 0, 3, 10, 7, 2, 3, true, 0, 10],
            ["simd_conv3x3_wide_rows_prologue", 3, 5, 7, 3, 1, 1, false, 9, 16],
            // Register tiles of 1, 2, 10, 9, 5, 4 and 14 pixels; 20 channels at lane 6 end inside the second vector.
            ["simd_conv3x3_width1", 1, 4, 20, 3, 1, 1, true, 6, 30],
            ["simd_conv3x3_width2", 1, 4, 20, 3, 1, 1, true, 6, 30],
            ["simd_conv3x3_width10", 1, 4, 20, 3, 1, 1, true, 6, 30],
            ["simd_conv3x3_width19", 1, 4, 20, 3, 1, 1, true, 6, 30],
            ["simd_conv3x3_width14", 0, 5, 32, 3, 1, 1, true, 16, 50], // 14 pixels × 2 vectors at 512 bits
        ];
        foreach (bool concurrent in new[] { false, true })
            foreach (int width in new[] { 512, 256, 128 })
                foreach (var conv in convs)
                    yield return [.. conv, width, concurrent];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvMatchesTorchAndWritesOnlyItsChannels(
        string name, int inOffset, int inChannels, int outChannels, int kernel, int stride, int padding, bool relu,
        int outOffset, int destinationChannels, int width, bool concurrent)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference["output"];
        var source = BlockedBuffer.From(input, input.Shape[1], 0);
        var destination = new BlockedBuffer(output.Shape[0], destinationChannels, output.Shape[2], output.Shape[3]);
        var shape = new ConvShape(input.Shape[0], input.Shape[2], input.Shape[3], input.Shape[1], inOffset, inChannels,
            destinationChannels, outOffset, outChannels, kernel, stride, padding);
        var weights = ConvWeights.Pack(reference["conv.weight"].Data, reference["conv.bias"].Data, outChannels, inChannels, kernel, outOffset);
        bool prologue = reference.Tensors.ContainsKey("prologue.scale");
        var scale = prologue ? reference["prologue.scale"].Data : [];
        var shift = prologue ? reference["prologue.shift"].Data : [];

        RunTiles(width switch
        {
            512 => Create<Vec512>(shape, source, destination, weights, scale, shift, relu),
            256 => Create<Vec256>(shape, source, destination, weights, scale, shift, relu),
            _ => Create<Vec128>(shape, source, destination, weights, scale, shift, relu),
        }, concurrent);

        GC.KeepAlive(source); // the op holds raw pointers only
        ParityAssert.Close(output.Data, destination.Channels(outOffset, outChannels), $"{name} at {width} bits{(concurrent ? ", tiles concurrent" : "")}");
        destination.AssertUntouchedOutside(outOffset, outChannels);
    }

    [Fact]
    public void PackRejectsWeightsOfTheWrongSize()
    {
        var error = Assert.Throws<ArgumentException>(() => ConvWeights.Pack(new float[10], [], 2, 3, 1, 0));
        Assert.Contains("2x3x1x1", error.Message);
    }

    [Theory]
    [InlineData(0, 3, 1, 0)]
    [InlineData(2, 0, 1, 0)]
    [InlineData(2, 3, 0, 0)]
    [InlineData(2, 3, 1, -1)]
    public void PackRejectsNonPositiveSizesAndANegativeOffset(int outChannels, int inChannels, int kernel, int outOffset)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConvWeights.Pack([], [], outChannels, inChannels, kernel, outOffset));
        Assert.StartsWith("Conv sizes must be positive and the offset non-negative.", error.Message, StringComparison.Ordinal);
        // One of each is a conv.
        Assert.Equal(1, ConvWeights.Pack([2f], [3f], 1, 1, 1, 0).Groups);
    }

    [Fact]
    public void PackRejectsABiasPerOutputChannelOfTheWrongCount()
    {
        var error = Assert.Throws<ArgumentException>(() => ConvWeights.Pack(new float[2 * 3], new float[3], 2, 3, 1, 0));
        Assert.Equal("Expected 2 biases, got 3.", error.Message[..error.Message.IndexOf(" (", StringComparison.Ordinal)]);
    }

    [Theory]
    [InlineData(3, 2, 3, 3)] // input channels
    [InlineData(2, 3, 1, 3)] // kernel
    [InlineData(2, 3, 3, 2)] // output channels
    public void ConvRejectsWeightsOfAnotherShape(int inChannels, int outChannels, int kernel, int packedOut)
    {
        var weights = ConvWeights.Pack(new float[packedOut * inChannels * kernel * kernel], [], packedOut, inChannels, kernel, outOffset: 5);
        var shape = new ConvShape(1, 5, 5, 3, 0, 3, 16, 5, outChannels, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => Create<Vec128>(shape, new BlockedBuffer(1, 3, 5, 5), new BlockedBuffer(1, 16, 5, 5), weights, [], [], false));
        Assert.Equal("weights", error.ParamName);
        Assert.StartsWith($"The packed weights ({packedOut}x{inChannels}x{kernel}, lane 5) do not fit ", error.Message);
    }

    [Fact]
    public void ConvRejectsAShapeThatPadsAWholeWindow()
    {
        // Padding 3 on a 3x3 kernel: the conv's own shape check, before any weight is compared.
        var weights = ConvWeights.Pack(new float[2 * 3 * 9], [], 2, 3, 3, outOffset: 0);
        var shape = new ConvShape(1, 5, 5, 3, 0, 3, 16, 0, 2, 3, 1, 3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create<Vec128>(shape, new BlockedBuffer(1, 3, 5, 5), new BlockedBuffer(1, 16, 7, 7), weights, [], [], false));
        Assert.StartsWith("The conv has no output or pads a whole window: ", error.Message);
    }

    [Theory]
    [InlineData(3, 2)] // a shift for each scale: no
    [InlineData(2, 2)] // a scale and shift per input channel: no
    public void ConvRejectsAPrologueOfTheWrongLength(int scales, int shifts)
    {
        var weights = ConvWeights.Pack(new float[2 * 3 * 9], [], 2, 3, 3, outOffset: 0);
        var shape = new ConvShape(1, 5, 5, 3, 0, 3, 16, 0, 2, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => Create<Vec128>(shape, new BlockedBuffer(1, 3, 5, 5), new BlockedBuffer(1, 16, 5, 5), weights,
            new float[scales], new float[shifts], false));
        Assert.StartsWith("The prologue needs 3 scales and shifts.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvRejectsWeightsPackedForAnotherLane()
    {
        var weights = ConvWeights.Pack(new float[2 * 3 * 9], [], 2, 3, 3, outOffset: 4);
        var shape = new ConvShape(1, 5, 5, 3, 0, 3, 16, 5, 2, 3, 1, 1);
        Assert.Throws<ArgumentException>(() => Create<Vec128>(shape, new BlockedBuffer(1, 3, 5, 5), new BlockedBuffer(1, 16, 5, 5), weights, [], [], false));
    }

    private static unsafe ISimdLaunch Create<TVec>(ConvShape shape, BlockedBuffer source, BlockedBuffer destination, ConvWeights weights,
        float[] scale, float[] shift, bool relu) where TVec : struct, IVec<TVec> =>
        new DirectConv<TVec>(shape, source.Pointer, destination.Pointer, weights, scale, shift, relu);

    /// <summary>
    /// Runs every tile: concurrently, as the executor may; or on this thread from the last to the first, so that a tile
    /// that writes past its own outputs overwrites a neighbour's finished ones (in forward order the neighbour would
    /// write them again after it, hiding the fault).
    /// </summary>
    internal static void RunTiles(ISimdLaunch op, bool concurrent = false)
    {
        if (concurrent) Parallel.For(0, op.TileCount, op.RunTile);
        else
            for (int tile = op.TileCount - 1; tile >= 0; tile--) op.RunTile(tile);
    }
}
