using DenseNetGen.Planning;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// PlanFusion's rule, one condition at a time: a BatchNormReluOp becomes the next conv's prologue only when that conv
/// reads exactly its output, nothing else reads that output before a norm rewrites it, it is no result, and a pooled
/// norm feeds a 1x1 stride-1 conv. Each case is the fusable two-op plan below with one thing changed.
/// </summary>
public sealed class PlanFusionTests
{
    private static readonly PlanBuffer[] s_buffers = [new("input", 4), new("norm", 4), new("out", 2), new("other", 4)];

    private static NetworkPlan Pair(BatchNormReluOp norm, ConvOp conv, int featureOpCount = -1, int output = 2, params PlanOp[] later) =>
        Plan(s_buffers, [norm, conv, .. later], outputBuffer: output, featureOpCount: featureOpCount);

    private static BatchNormReluOp Norm(PoolKind pool = PoolKind.None) => new(0, 0, 4, 1, "norm", pool);

    private static ConvOp Conv(int source = 1, int offset = 0, int channels = 4, int destination = 2, int kernel = 1, int stride = 1, int padding = 0) =>
        new(source, offset, channels, destination, 0, 2, kernel, stride, padding, "conv.weight", null, null, false);

    [Fact]
    public void ANormFeedingItsConvIsThatConvsPrologue()
    {
        var plan = Pair(Norm(), Conv());

        Assert.Same(plan.Ops[1], PlanFusion.ConvTakingNorm(plan, 0));
        Assert.Equal([new PlanStep(0, 1, (BatchNormReluOp)plan.Ops[0], plan.Ops[1])], PlanFusion.Steps(plan, _ => true));
        // The backend may still say no; then, as with PlanFusion.NoConv, every op is a step.
        var apart = new[] { new PlanStep(0, 0, null, plan.Ops[0]), new PlanStep(1, 1, null, plan.Ops[1]) };
        Assert.Equal(apart, PlanFusion.Steps(plan, _ => false));
        Assert.Equal(apart, PlanFusion.Steps(plan, PlanFusion.NoConv));
        Assert.Null(PlanFusion.ConvTakingNorm(plan, 1)); // op 1 is no norm
    }

    [Fact]
    public void APooledNormFusesOnlyIntoA1x1Stride1ConvWithoutPadding()
    {
        Assert.NotNull(PlanFusion.ConvTakingNorm(Pair(Norm(PoolKind.Average2x2), Conv()), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(PoolKind.Average2x2), Conv(kernel: 3, padding: 1)), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(PoolKind.Average2x2), Conv(stride: 2)), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(PoolKind.Average2x2), Conv(padding: 1)), 0));
        Assert.NotNull(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(kernel: 3, stride: 2, padding: 1)), 0)); // unpooled: any conv
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(PoolKind.Global), Conv()), 0));
    }

    [Fact]
    public void TheConvMustReadExactlyTheNormsOutput()
    {
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(source: 3)), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(offset: 1, channels: 3)), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(channels: 3)), 0));
        var lastOp = Plan(s_buffers, [Norm()], outputBuffer: 1);
        Assert.Null(PlanFusion.ConvTakingNorm(lastOp, 0));
        var poolNext = Plan(s_buffers, [Norm(), new MaxPoolOp(1, 4, 3, 3, 1, 1)], outputBuffer: 3);
        Assert.Null(PlanFusion.ConvTakingNorm(poolNext, 0));
    }

    [Fact]
    public void ANormInPlaceOrAConvOverwritingTheNormsSourceIsNotFused()
    {
        var inPlace = Plan(s_buffers, [new BatchNormReluOp(1, 0, 4, 1, "norm", PoolKind.None), Conv()], outputBuffer: 2);
        Assert.Null(PlanFusion.ConvTakingNorm(inPlace, 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(destination: 0)), 0));
    }

    [Fact]
    public void ANormWhoseOutputIsAResultIsNotFused()
    {
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), output: 1), 0)); // the norm writes the output buffer
        var features = Plan(s_buffers, [Norm(), Conv()], outputBuffer: 2, featureOpCount: 2, featureBuffer: 1);
        Assert.Null(PlanFusion.ConvTakingNorm(features, 0)); // or the feature buffer
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), featureOpCount: 1), 0)); // features end after the norm
        Assert.NotNull(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), featureOpCount: 2), 0));
    }

    [Fact]
    public void ALaterReaderOfTheNormsOutputPreventsFusionUntilANormRewritesIt()
    {
        var reread = new BatchNormReluOp(1, 0, 4, 3, "again", PoolKind.None);
        var rewrite = new BatchNormReluOp(0, 0, 4, 1, "next", PoolKind.None);
        var partialWrite = new ConvOp(0, 0, 4, 1, 0, 2, 1, 1, 0, "partial.weight", null, null, false);

        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), later: [reread]), 0));
        Assert.NotNull(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), later: [rewrite, reread]), 0));
        Assert.Null(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), later: [partialWrite]), 0)); // rewrites only 2 of 4 channels
        Assert.NotNull(PlanFusion.ConvTakingNorm(Pair(Norm(), Conv(), later: [new BatchNormReluOp(0, 0, 4, 3, "elsewhere", PoolKind.None), reread with { Source = 3 }]), 0));
    }

    [Fact]
    public void StepsCoverEveryOpInOrder()
    {
        // norm+conv fused, a max pool alone, then a norm that cannot fuse (its next op is no conv) and a last norm.
        var plan = Plan(s_buffers,
            [
                Norm(), Conv(),
                new MaxPoolOp(2, 2, 3, 1, 1, 0),
                new BatchNormReluOp(3, 0, 2, 0, "n2", PoolKind.None),
                new BatchNormReluOp(0, 0, 2, 3, "n3", PoolKind.Global),
            ],
            outputBuffer: 3);

        var steps = PlanFusion.Steps(plan, _ => true);

        Assert.Equal([(0, 1, true), (2, 2, false), (3, 3, false), (4, 4, false)], steps.Select(s => (s.FirstOp, s.LastOp, s.Prologue is not null)));
        Assert.Equal([0, 2, 3, 0], steps.Select(s => s.Source));
        Assert.Equal([2, 3, 0, 3], steps.Select(s => s.Destination));
    }
}
