using DenseNetGen.Execution;
using DenseNetGen.Planning;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// A dense layer and a transition as the generator plans them (BatchNormReluOp, then the convs), against PyTorch's
/// unfused modules: the GPU set runs the norm inside the conv's staging (and splits the 3x3 conv's K on a
/// one-core device, adding the slices up in the launch), the CPU set runs every op.
/// </summary>
/// <remarks>The GPU set runs 3x3 convs over haloed blocks (<c>HaloConvKernels</c>): the dense layer's
/// stacks both images in one block; <see cref="NormThenConv3x3"/> spans several blocks and channel tiles.</remarks>
public class FusedLayerTests
{
    private protected virtual ComputeDevice Device => TestDevice.Device;

    [Fact]
    public void DenseLayerAppendsToItsBlock()
    {
        var reference = KernelReference.Load("dense_layer");
        using var executor = new PlanExecutor(DenseLayer(), Weights(reference), Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "dense layer");
        // Again: a split launch must leave its arrival counts as it found them.
        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "dense layer, second run");
    }

    [Fact]
    public void TransitionPoolsBeforeItsConv()
    {
        var reference = KernelReference.Load("transition");
        using var executor = new PlanExecutor(Transition(), Weights(reference), Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "transition");
    }

    /// <summary>A layer without bottleneck: norm and ReLU run inside the 3x3 conv's staging, and the padding stays zero
    /// after them (relu(shift) is not zero). 19x21 maps, 40 output channels, 20 input channels at channel 2.</summary>
    [Fact]
    public void NormThenConv3x3()
    {
        var reference = KernelReference.Load("norm_conv3x3");
        var plan = Plan([new("input", 22), new("norm", 20), new("output", 40)],
            [
                new BatchNormReluOp(0, 2, 20, 1, "norm", PoolKind.None),
                new ConvOp(1, 0, 20, 2, 0, 40, 3, 1, 1, "conv.weight", "conv.bias", null, false),
            ],
            outputBuffer: 2);
        using var executor = new PlanExecutor(plan, Weights(reference), Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "norm + 3x3 conv");
    }
}
