using DenseNetGen.Planning;

namespace DenseNetGen.Cli;

/// <summary>One row of `densenet info --model`: a stem, dense block, transition or head, read off the plan's ops.</summary>
internal sealed record Stage(string Name, int Layers, int InChannels, int OutChannels, int Buffer, string Description);

/// <summary>Groups a plan's ops into torchvision's stages by the canonical names of their parameters.</summary>
internal static class ModelStructure
{
    public static IEnumerable<Stage> Stages(NetworkPlan plan)
    {
        var stem = new List<string>();
        int stemOut = 0, stemBuffer = 0;
        foreach (var (name, ops) in GroupByStage(plan.Ops))
        {
            var convs = ops.OfType<ConvOp>().ToList();
            switch (name)
            {
                case "stem":
                    foreach (var op in ops)
                    {
                        if (op is ConvOp c) { stem.Add($"conv {c.Kernel}x{c.Kernel}/{c.Stride}"); stemOut = c.OutChannels; stemBuffer = c.Destination; }
                        if (op is MaxPoolOp m) { stem.Add($"maxpool {m.Kernel}x{m.Kernel}/{m.Stride}"); stemBuffer = m.Destination; }
                    }
                    yield return new Stage("stem", 0, plan.InChannels, stemOut, stemBuffer, string.Join(", ", stem));
                    break;
                case "head":
                    var head = convs.Single();
                    yield return new Stage("head", 0, head.InChannels, head.OutChannels, head.Destination,
                        $"norm5, ReLU, global average pool, linear");
                    break;
                default:
                    var first = ops.OfType<BatchNormReluOp>().First();
                    var last = convs[^1];
                    bool block = name.StartsWith("denseblock", StringComparison.Ordinal);
                    yield return new Stage(name, block ? convs.Count / 2 : 0, first.Channels,
                        block ? last.DestinationChannelOffset + last.OutChannels : last.OutChannels, last.Destination,
                        block ? "BN-ReLU-conv1x1-BN-ReLU-conv3x3 each, concatenated in place" : "BN-ReLU, avgpool 2x2, conv1x1 (pool first: they commute)");
                    break;
            }
        }
    }

    private static IEnumerable<(string Name, List<PlanOp> Ops)> GroupByStage(IReadOnlyList<PlanOp> ops)
    {
        string? current = null;
        var group = new List<PlanOp>();
        foreach (var op in ops)
        {
            var name = StageOf(op) ?? current ?? "stem";
            if (current is not null && name != current)
            {
                yield return (current, group);
                group = [];
            }
            current = name;
            group.Add(op);
        }
        if (current is not null) yield return (current, group);
    }

    /// <summary>"stem", "denseblock2", "transition1", "head", or null for an op without parameters (max pool).</summary>
    private static string? StageOf(PlanOp op)
    {
        var parameter = op switch
        {
            ConvOp c => c.Weight,
            BatchNormReluOp n => n.Norm,
            _ => null,
        };
        if (parameter is null) return null;
        var parts = parameter.Split('.');
        return parts switch
        {
            ["classifier", ..] or [_, "norm5", ..] => "head",
            [_, "conv0" or "norm0", ..] => "stem",
            [_, var stage, ..] => stage,
            _ => parameter,
        };
    }
}
