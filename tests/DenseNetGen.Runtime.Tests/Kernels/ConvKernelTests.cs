using DenseNetGen.Execution;
using DenseNetGen.Planning;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

public class ConvKernelTests
{
    [Theory]
    [InlineData("conv1x1", 5, 6, 1, 1, 0, false, false, false)]
    [InlineData("conv1x1_bias_folded_relu", 8, 10, 1, 1, 0, true, true, true)]
    [InlineData("conv3x3_pad1", 6, 5, 3, 1, 1, false, false, false)]
    [InlineData("conv7x7_s2_p3_folded_relu", 3, 8, 7, 2, 3, false, true, true)]
    public void ConvMatchesTorch(string name, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias, bool fold, bool relu)
    {
        var reference = KernelReference.Load(name);
        var plan = Plan([new("input", inChannels), new("output", outChannels)],
            [new ConvOp(0, 0, inChannels, 1, 0, outChannels, kernel, stride, padding, "conv.weight", bias ? "conv.bias" : null, fold ? "bn" : null, relu)],
            outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), name);
    }

    [Fact]
    public void ConvsReadAndWriteAtChannelOffsets()
    {
        var reference = KernelReference.Load("conv_channel_offsets");
        var plan = Plan([new("input", 7), new("block", 9)],
            [
                new ConvOp(0, 0, 2, 1, 0, 3, 1, 1, 0, "a.weight", null, null, false),
                new ConvOp(0, 2, 5, 1, 3, 4, 3, 1, 1, "b.weight", null, null, false),
            ],
            outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        var block = Run(executor, reference["input"]);

        ParityAssert.Close(reference["output"].Data, Channels(block, 2, 9, 0, 7), "channels 0..6 of the block");
    }
}
