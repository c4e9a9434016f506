namespace DenseNetGen.Planning;

/// <summary>Which plan ops a backend may fuse, decided once for every backend from what the ops read and write.</summary>
internal static class PlanFusion
{
    /// <summary>
    /// The plan's steps in run order: each BatchNormReluOp that <see cref="ConvTakingNorm"/> allows and whose conv
    /// passes <paramref name="convTakesNorm"/> (the backend's kernel limits) becomes that conv's prologue; every other
    /// op is a step of its own. Every backend groups ops through here, so fusion is decided once.
    /// </summary>
    /// <param name="plan">The plan whose ops are grouped.</param>
    /// <param name="convTakesNorm">Whether the backend has a kernel for this conv with a norm prologue.</param>
    public static IReadOnlyList<PlanStep> Steps(NetworkPlan plan, Func<ConvOp, bool> convTakesNorm)
    {
        var steps = new List<PlanStep>(plan.Ops.Count);
        for (int i = 0; i < plan.Ops.Count; i++)
        {
            if (plan.Ops[i] is BatchNormReluOp n && ConvTakingNorm(plan, i) is { } c && convTakesNorm(c))
            {
                steps.Add(new PlanStep(i, i + 1, n, c));
                i++;
            }
            else
            {
                steps.Add(new PlanStep(i, i, null, plan.Ops[i]));
            }
        }
        return steps;
    }

    /// <summary>For backends whose kernels fuse nothing: every op is its own step.</summary>
    /// <param name="conv">The conv a norm could be fused into.</param>
    public static bool NoConv(ConvOp conv) => false;

    /// <summary>
    /// The conv that can apply BatchNormReluOp <paramref name="op"/> (and its 2x2 average) to its input as it reads it,
    /// so the norm's output is never written: the next op, reading exactly that output, when the norm is not a result,
    /// features do not end between the two, neither op writes the norm's own source, a pooled norm feeds a 1x1
    /// stride-1 conv (the only conv the average commutes with), and no later op reads the norm's output before a
    /// BatchNormReluOp rewrites it (a conv may rewrite only some of its channels). Null when it cannot.
    /// A backend adds its own kernel limits on the conv it gets back.
    /// </summary>
    public static ConvOp? ConvTakingNorm(NetworkPlan plan, int op)
    {
        if (plan.Ops[op] is not BatchNormReluOp n || n.Pool == PoolKind.Global) return null;
        if (op + 1 >= plan.Ops.Count || plan.Ops[op + 1] is not ConvOp c) return null;
        if (c.Source != n.Destination || c.SourceChannelOffset != 0 || c.InChannels != n.Channels) return null;
        if (n.Destination == n.Source || c.Destination == n.Source) return null;
        if (n.Pool == PoolKind.Average2x2 && c is not { Kernel: 1, Stride: 1, Padding: 0 }) return null;
        if (n.Destination == plan.FeatureBuffer || n.Destination == plan.OutputBuffer || plan.FeatureOpCount == op + 1) return null;
        for (int j = op + 2; j < plan.Ops.Count; j++)
        {
            if (plan.Ops[j].Reads.Buffer == n.Destination) return null;
            if (plan.Ops[j].Writes.Buffer == n.Destination) return plan.Ops[j] is BatchNormReluOp ? c : null;
        }
        return c;
    }
}
