using DenseNetGen.Execution;
using DenseNetGen.Planning;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

public class NormKernelTests
{
    [Theory]
    [InlineData("bn_relu", 8, 2, 6, PoolKind.None)]
    [InlineData("bn_relu_avg2x2", 4, 0, 4, PoolKind.Average2x2)]
    [InlineData("bn_relu_global", 5, 0, 5, PoolKind.Global)]
    public void BatchNormReluPoolMatchesTorch(string name, int inputChannels, int offset, int channels, PoolKind pool)
    {
        var reference = KernelReference.Load(name);
        var plan = Plan([new("input", inputChannels), new("norm", channels)],
            [new BatchNormReluOp(0, offset, channels, 1, "norm", pool)], outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), name);
    }

    [Fact]
    public void MaxPoolMatchesTorch()
    {
        var reference = KernelReference.Load("maxpool3x3_s2_p1");
        var plan = Plan([new("input", 3), new("pooled", 3)], [new MaxPoolOp(0, 3, 1, 3, 2, 1)], outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "maxpool");
    }
}
