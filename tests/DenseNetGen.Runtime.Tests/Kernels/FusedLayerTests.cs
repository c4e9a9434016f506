using DenseNetGen.Execution;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// A dense layer and a transition as the generator plans them (BatchNormReluOp, then the convs), against PyTorch's
/// unfused modules: the GPU set runs the norm inside the conv's staging (and splits the 3x3 conv's K on a
/// one-core device), the CPU set runs every op.
/// </summary>
public class FusedLayerTests
{
    private protected virtual ComputeDevice Device => TestDevice.Device;

    [Fact]
    public void DenseLayerAppendsToItsBlock()
    {
        var reference = KernelReference.Load("dense_layer");
        using var executor = new PlanExecutor(DenseLayer(), Weights(reference), Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "dense layer");
    }

    [Fact]
    public void TransitionPoolsBeforeItsConv()
    {
        var reference = KernelReference.Load("transition");
        using var executor = new PlanExecutor(Transition(), Weights(reference), Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "transition");
    }
}
