using DenseNetGen.Planning;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// PlanGeometry on hand-built plans, against sizes worked out by hand with PyTorch's rule for conv and pooling
/// windows: out = floor((in + 2·padding − kernel) / stride) + 1.
/// </summary>
public sealed class PlanGeometryTests
{
    // input 3 ch → 7x7/2 pad 3 conv → stem (8) → 3x3/2 pad 1 max pool → block (12, channels 0-7) → norm → scratch (8)
    // → 3x3 conv appending 4 channels at channel 8 of block → norm + 2x2 average pool → scratch again, smaller →
    // norm + global pool of block → out (12).
    private static NetworkPlan Stem() =>
        Plan([new("input", 3), new("stem", 8), new("block", 12), new("scratch", 8), new("out", 12)],
            [
                new ConvOp(0, 0, 3, 1, 0, 8, 7, 2, 3, "conv0.weight", null, null, true),
                new MaxPoolOp(1, 8, 2, 3, 2, 1),
                new BatchNormReluOp(2, 0, 8, 3, "norm1", PoolKind.None),
                new ConvOp(3, 0, 8, 2, 8, 4, 3, 1, 1, "conv2.weight", null, null, false),
                new BatchNormReluOp(2, 0, 8, 3, "norm2", PoolKind.Average2x2),
                new BatchNormReluOp(2, 0, 12, 4, "norm5", PoolKind.Global),
            ],
            outputBuffer: 4);

    [Fact]
    public void EveryOpsSizesAndEveryBuffersLargestWriteAreWorkedOut()
    {
        // 9x11 input: conv (9+6-7)/2+1 = 5, (11+6-7)/2+1 = 6; max pool (5+2-3)/2+1 = 3, (6+2-3)/2+1 = 3;
        // 1x1 norm and 3x3 pad-1 conv keep 3x3; the 2x2 average pool floors 3/2 to 1; the global pool gives 1x1.
        var geometry = PlanGeometry.Compute(Stem(), 2, 9, 11);

        Assert.Equal((2, 9, 11), (geometry.Batch, geometry.Height, geometry.Width));
        Assert.Equal(
            [(9, 11, 5, 6), (5, 6, 3, 3), (3, 3, 3, 3), (3, 3, 3, 3), (3, 3, 1, 1), (3, 3, 1, 1)],
            geometry.Ops.Select(o => (o.InHeight, o.InWidth, o.OutHeight, o.OutWidth)));
        Assert.Equal(new OpWindow(3, 3, 3, 3, 0), geometry.Ops[5].Window); // the global pool's window is the whole map
        // batch × channels × the largest map written: scratch is written at 3x3, then at 1x1.
        Assert.Equal([2L * 3 * 9 * 11, 2L * 8 * 5 * 6, 2L * 12 * 3 * 3, 2L * 8 * 3 * 3, 2L * 12], geometry.BufferElements);
        // Final sizes are those of each buffer's last write.
        Assert.Equal([(9, 11), (5, 6), (3, 3), (1, 1), (1, 1)], geometry.FinalSizes.Select(s => s!.Value));
        Assert.Equal(2 * 12, geometry.ResultLength(Stem(), 4));
        Assert.Equal(2 * 8, geometry.ResultLength(Stem(), 3));
        Assert.Equal(2 * 12 * 3 * 3, geometry.ResultLength(Stem(), 2));
    }

    [Theory]
    [InlineData(1, 7)] // the 2x2 pool gets a 1-pixel height
    [InlineData(7, 1)] // or a 1-pixel width
    [InlineData(2, 1)] // a 1-pixel width where the height gives one row
    public void AnInputTooSmallForSomeOpIsRefusedNamingTheOp(int height, int width)
    {
        var plan = Plan([new("input", 2), new("pooled", 2)], [new BatchNormReluOp(0, 0, 2, 1, "norm", PoolKind.Average2x2)], outputBuffer: 1);

        var error = Assert.Throws<ArgumentException>(() => PlanGeometry.Compute(plan, 1, height, width));

        Assert.Equal($"TestPlan: input {height}x{width} is too small: op #0 (batchnorm norm, pool Average2x2) gets a 1-pixel side of buffer 'input' and would produce an empty map.", error.Message);
        Assert.Equal((1, 3), PlanGeometry.Compute(plan, 1, 2, 7).FinalSizes[1]); // 2 rows are enough for one
    }

    [Fact]
    public void ReadingABufferBeforeAnyOpWritesItIsRefused()
    {
        var plan = Plan([new("input", 2), new("a", 2), new("b", 2)],
            [new BatchNormReluOp(0, 0, 2, 1, "n1", PoolKind.None), new BatchNormReluOp(2, 0, 2, 1, "n2", PoolKind.None)], outputBuffer: 1);

        var error = Assert.Throws<InvalidOperationException>(() => PlanGeometry.Compute(plan, 1, 4, 4));

        Assert.Equal("TestPlan: op #1 reads buffer 'b' before any op writes it.", error.Message);
    }

    [Fact]
    public void AppendingChannelsAtAnotherSizeIsRefusedButOverwritingFromChannelZeroIsNot()
    {
        // Block holds 4x4 (channels 0-1); a stride-2 conv would append 2x2 at channel 2.
        var plan = Plan([new("input", 2), new("block", 4)],
            [
                new BatchNormReluOp(0, 0, 2, 1, "n", PoolKind.None),
                new ConvOp(1, 0, 2, 1, 2, 2, 1, 2, 0, "conv.weight", null, null, false),
            ],
            outputBuffer: 1);

        var error = Assert.Throws<InvalidOperationException>(() => PlanGeometry.Compute(plan, 1, 4, 4));

        Assert.Equal("TestPlan: op #1 writes 2x2 at channel 2 of buffer 'block', which holds 4x4.", error.Message);
        var overwrite = plan with { Ops = [plan.Ops[0], new ConvOp(1, 0, 2, 1, 0, 2, 1, 2, 0, "conv.weight", null, null, false)] };
        Assert.Equal((2, 2), PlanGeometry.Compute(overwrite, 1, 4, 4).FinalSizes[1]);
    }

    [Fact]
    public void AResultBufferNoOpWritesHasNoLength()
    {
        var plan = Plan([new("input", 2), new("a", 2), new("never", 3)], [new BatchNormReluOp(0, 0, 2, 1, "n", PoolKind.None)], outputBuffer: 2);
        var geometry = PlanGeometry.Compute(plan, 1, 4, 4);

        Assert.Null(geometry.FinalSizes[2]);
        Assert.Equal(0, geometry.BufferElements[2]);
        var error = Assert.Throws<InvalidOperationException>(() => geometry.ResultLength(plan, 2));
        Assert.Equal("TestPlan: no op writes the result buffer 'never'.", error.Message);
    }

    [Theory]
    [InlineData(0, 4, 0, 4, null)] // reads and writes exactly the channels there are
    [InlineData(1, 4, 0, 4, "uses channels up to 5 of 'input' (4) and up to 4 of 'output' (4)")]
    [InlineData(0, 4, 1, 4, "uses channels up to 4 of 'input' (4) and up to 5 of 'output' (4)")]
    public void OpsMayUseOnlyTheChannelsTheirBuffersHave(int readOffset, int reads, int writeOffset, int writes, string? problem)
    {
        var plan = Plan([new("input", 4), new("output", 4)],
            [new ConvOp(0, readOffset, reads, 1, writeOffset, writes, 1, 1, 0, "conv.weight", null, null, false)], outputBuffer: 1);

        var error = Record.Exception(() => PlanGeometry.CheckChannels(plan));

        if (problem is null) Assert.Null(error);
        else Assert.Equal($"TestPlan: op #0 {problem}.", Assert.IsType<InvalidOperationException>(error).Message);
    }
}
