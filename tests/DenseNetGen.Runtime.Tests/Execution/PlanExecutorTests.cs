using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Runtime.Tests.Kernels;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Execution;

public class PlanExecutorTests
{
    private static NetworkPlan HeadPlan() => Plan(
        [new("input", 20), new("features", 20), new("logits", 7)],
        [
            new BatchNormReluOp(0, 0, 20, 1, "norm5", PoolKind.Global),
            new ConvOp(1, 0, 20, 2, 0, 7, 1, 1, 0, "classifier.weight", "classifier.bias", null, false),
        ],
        outputBuffer: 2, featureOpCount: 1, featureBuffer: 1);

    [Fact]
    public void HeadGivesLogitsAndFeaturesOnlyGivesPooledFeatures()
    {
        var reference = KernelReference.Load("head_linear");
        using var executor = new PlanExecutor(HeadPlan(), Weights(reference), TestDevice.Device);

        ParityAssert.Close(reference["output"].Data, Run(executor, reference["input"]), "logits [3 × 7]");
        ParityAssert.Close(reference["features"].Data, Run(executor, reference["input"], featuresOnly: true), "features [3 × 20]");
    }

    [Fact]
    public void BuffersReusedAcrossShapesGiveTheSameResultsAsFresh()
    {
        var reference = KernelReference.Load("conv7x7_s2_p3_folded_relu");
        var plan = Plan([new("input", 3), new("stem", 8)],
            [new ConvOp(0, 0, 3, 1, 0, 8, 7, 2, 3, "conv.weight", null, "bn", true)], outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        // 13x15, then a larger 21x18 (buffers grow), then a smaller 5x6 and the first again (buffers reused).
        foreach (var suffix in new[] { "", "2", "3", "" })
            ParityAssert.Close(reference["output" + suffix].Data, Run(executor, reference["input" + suffix]), "output" + suffix);

        using var fresh = new PlanExecutor(plan, Weights(reference), TestDevice.Device);
        Assert.Equal(Run(fresh, reference["input3"]), Run(executor, reference["input3"]));
    }

    [Fact]
    public void InputTooSmallForThePlanNamesTheOpAndBuffer()
    {
        var reference = KernelReference.Load("bn_relu_avg2x2");
        var plan = Plan([new("input", 4), new("norm", 4)],
            [new BatchNormReluOp(0, 0, 4, 1, "norm", PoolKind.Average2x2)], outputBuffer: 1);
        using var executor = new PlanExecutor(plan, Weights(reference), TestDevice.Device);

        var error = Assert.Throws<ArgumentException>(() => executor.Run(new float[2 * 4 * 1 * 5], 2, 1, 5, featuresOnly: false));

        Assert.Contains("op #0", error.Message);
        Assert.Contains("'input'", error.Message);
        Assert.Contains("1x5", error.Message);
    }

    [Fact]
    public void MissingParameterIsACheckpointErrorNamingTheKey()
    {
        var reference = KernelReference.Load("head_linear");
        var plan = Plan([new("input", 20), new("logits", 7)],
            [new ConvOp(0, 0, 20, 1, 0, 7, 1, 1, 0, "classifier.weight", "head.bias", null, false)], outputBuffer: 1);

        var error = Assert.Throws<DenseNetGen.Checkpoints.CheckpointException>(() => new PlanExecutor(plan, Weights(reference), TestDevice.Device));

        Assert.Equal("head.bias", error.Key);
    }

    [Fact]
    public void WrongInputLengthIsRejected()
    {
        var reference = KernelReference.Load("head_linear");
        using var executor = new PlanExecutor(HeadPlan(), Weights(reference), TestDevice.Device);

        Assert.Throws<ArgumentException>(() => executor.Run(new float[10], 1, 3, 5, featuresOnly: false));
    }
}
