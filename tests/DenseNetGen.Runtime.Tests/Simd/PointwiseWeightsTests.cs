using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The packed 1x1 weights' slots and memory, counted by hand: a conv reading channels 5..41 (slots 0..41 of blocks
/// from channel 0: 3 blocks) and writing 21..60 (slots 5..44 from channel 16) in panels of two vectors; and one whose
/// slots start at a later block and fill their panels exactly, with its prologue at its own slots.
/// </summary>
public sealed class PointwiseWeightsTests
{
    [Theory]
    // width, prologue, panels, bytes: panels·48 slots·panel width + panels·panel width (bias) + 2·48 (scale and shift) floats
    [InlineData(512, true, 2, (2 * 48 * 32 + 2 * 32 + 2 * 48) * 4)]
    [InlineData(512, false, 2, (2 * 48 * 32 + 2 * 32) * 4)]
    [InlineData(128, true, 6, (6 * 48 * 8 + 6 * 8 + 2 * 48) * 4)]
    public void SlotsPanelsAndBytesAreTheLayoutsOwn(int width, bool prologue, int panels, long bytes)
    {
        var weights = new float[40 * 37];
        var bias = new float[40];
        var scale = prologue ? new float[37] : null;
        var (actualPanels, actualBytes, slots) = width == 512 ? Layout<Vec512>(weights, bias, scale) : Layout<Vec128>(weights, bias, scale);
        Assert.Equal((panels, bytes), (actualPanels, actualBytes));
        Assert.Equal((0, 42, 3, 16), slots);
    }

    [Fact]
    public unsafe void SlotsStartAtTheBlockOfTheFirstChannel()
    {
        // Reads channels 37..56: slots 5..24 of blocks from channel 32 (2 blocks); writes 40..55: slots 8..23 of
        // blocks from 32, exactly the three panels of 8 at 128 bits (one panel of 32 at 512).
        var scale = Enumerable.Range(1, 20).Select(i => (float)i).ToArray();
        var shift = scale.Select(v => -v).ToArray();
        using var packed = new PointwiseWeights<Vec128>(new float[16 * 20], new float[16], 37, 20, 40, 16, scale, shift);
        Assert.Equal((32, 25, 2, 32, 3), (packed.InBase, packed.KSlots, packed.KBlocks, packed.OutBase, packed.Panels));
        using var wide = new PointwiseWeights<Vec512>(new float[16 * 20], new float[16], 37, 20, 40, 16, null, null);
        Assert.Equal(1, wide.Panels);
        // The prologue sits at the slots of its channels, 0 on the slots before them and after them.
        var expectedScale = new float[32];
        var expectedShift = new float[32];
        scale.CopyTo(expectedScale, 5);
        shift.CopyTo(expectedShift, 5);
        Assert.Equal(expectedScale, new Span<float>(packed.Scale, 32).ToArray());
        Assert.Equal(expectedShift, new Span<float>(packed.Shift, 32).ToArray());
    }

    [Theory]
    // weights, bias, scales, shifts for a conv of 3 input and 2 output channels (-1: none)
    [InlineData(5, 2, -1, -1)]
    [InlineData(7, 2, -1, -1)]
    [InlineData(6, 1, -1, -1)]
    [InlineData(6, 3, -1, -1)]
    [InlineData(6, 2, 3, -1)]  // a scale without a shift
    [InlineData(6, 2, -1, 3)]
    [InlineData(6, 2, 2, 2)]   // one per input channel, not per output channel
    [InlineData(6, 2, 3, 2)]
    public void ArraysOfTheWrongLengthAreRefused(int weights, int biases, int scales, int shifts)
    {
        float[]? Floats(int n) => n < 0 ? null : new float[n];
        var error = Assert.Throws<ArgumentException>(() => new PointwiseWeights<Vec128>(new float[weights], new float[biases], 0, 3, 0, 2, Floats(scales), Floats(shifts)));
        Assert.Equal("weights", error.ParamName);
        Assert.StartsWith($"Expected 2x3 weights, 2 biases and 3 scales and shifts or none; got {weights}, {biases}, {Math.Max(0, scales)} and {Math.Max(0, shifts)}.", error.Message);
    }

    private static unsafe (int Panels, long Bytes, (int InBase, int KSlots, int KBlocks, int OutBase) Slots) Layout<TVec>(float[] weights, float[] bias, float[]? scale)
        where TVec : struct, IVec<TVec>
    {
        using var packed = new PointwiseWeights<TVec>(weights, bias, 5, 37, 21, 40, scale, scale);
        Assert.Equal(scale is null, packed.Scale == null);
        Assert.Equal(scale is null, packed.Shift == null);
        return (packed.Panels, packed.Bytes, (packed.InBase, packed.KSlots, packed.KBlocks, packed.OutBase));
    }
}
