using DenseNetGen.Execution;
using DenseNetGen.Kernels;
using DenseNetGen.Planning;

namespace DenseNetGen.GpuKernels;

/// <summary>
/// A plan's ops for one input shape as the GPU kernel set launches them: a BatchNormReluOp whose only reader is
/// the next op, a conv, runs inside that conv's staging (a dense layer's norm1 + conv1, a transition's norm + pool +
/// conv), so a dense layer is two launches (1x1 conv with its prologue, 3x3 conv) instead of three, and writes no
/// activated copy of its block. Convs whose tiles would leave the device's multiprocessors idle (small maps at
/// small batch) split K and add a reduction launch.
/// </summary>
internal sealed class GpuLaunchPlan
{
    /// <summary>Groups a launch should reach before K is split: a few per multiprocessor, to hide latency.</summary>
    internal const int GroupsPerMultiprocessor = 2;

    /// <summary>Fewest K steps per slice: fewer and the partial-sum traffic outweighs the parallelism gained.</summary>
    internal const int MinStepsPerSplit = 4;

    private GpuLaunchPlan(IReadOnlyList<GpuLaunch> launches, long partialElements)
    {
        Launches = launches;
        PartialElements = partialElements;
    }

    /// <summary>In order; each covers plan ops up to <see cref="GpuLaunch.LastOp"/>.</summary>
    public IReadOnlyList<GpuLaunch> Launches { get; }

    /// <summary>Floats of split-K scratch the largest split launch needs.</summary>
    public long PartialElements { get; }

    public static GpuLaunchPlan Build(NetworkPlan plan, PlanLayout layout, int multiprocessors)
    {
        var launches = new List<GpuLaunch>();
        long partials = 0;
        for (int i = 0; i < plan.Ops.Count; i++)
        {
            switch (plan.Ops[i])
            {
                case BatchNormReluOp n when FusesIntoNext(plan, i, out var conv):
                {
                    var prologue = n.Pool == PoolKind.None ? TiledPrologue.NormRelu : TiledPrologue.NormReluAverage2x2;
                    var source = layout.Pools[i];
                    var g = Split(TiledConvGeometry.From(layout.Convs[i + 1], prologue, source.InHeight, source.InWidth)
                        with { SourceCapacity = source.SourceCapacity, SourceOffset = n.SourceChannelOffset }, multiprocessors);
                    launches.Add(new TiledConvLaunch(i + 1, n.Source, conv.Destination, i, g));
                    partials = Math.Max(partials, g.PartialElements);
                    i++;
                    break;
                }
                case ConvOp c:
                {
                    var geometry = layout.Convs[i];
                    var g = Split(TiledConvGeometry.From(geometry, TiledPrologue.None, geometry.InHeight, geometry.InWidth), multiprocessors);
                    launches.Add(new TiledConvLaunch(i, c.Source, c.Destination, -1, g));
                    partials = Math.Max(partials, g.PartialElements);
                    break;
                }
                case BatchNormReluOp:
                    launches.Add(new NormLaunch(i));
                    break;
                case MaxPoolOp:
                    launches.Add(new MaxPoolLaunch(i));
                    break;
                default:
                    throw new NotSupportedException($"{plan.Name}: op #{i} ({plan.Ops[i].GetType().Name}) is not supported.");
            }
        }
        return new GpuLaunchPlan(launches, partials);
    }

    /// <summary>
    /// Op <paramref name="i"/>'s BatchNorm + ReLU (+ 2x2 pool) can run inside the next op when that op is a conv
    /// reading exactly its output (for a pool, a 1x1 stride-1 conv, which commutes with it), the conv does not write
    /// the norm's source, and nothing else reads the norm's output before it is overwritten (nor is it a result).
    /// </summary>
    private static bool FusesIntoNext(NetworkPlan plan, int i, out ConvOp conv)
    {
        conv = null!;
        var n = (BatchNormReluOp)plan.Ops[i];
        if (n.Pool == PoolKind.Global || i + 1 >= plan.Ops.Count || plan.Ops[i + 1] is not ConvOp c) return false;
        if (c.Source != n.Destination || c.SourceChannelOffset != 0 || c.InChannels != n.Channels || c.Destination == n.Source) return false;
        if (n.Pool == PoolKind.Average2x2 && !(c.Kernel == 1 && c.Stride == 1 && c.Padding == 0)) return false;
        if (n.Destination == plan.FeatureBuffer || n.Destination == plan.OutputBuffer) return false;
        for (int j = i + 2; j < plan.Ops.Count; j++)
        {
            var (source, destination) = plan.Ops[j] switch
            {
                ConvOp o => (o.Source, o.Destination),
                BatchNormReluOp o => (o.Source, o.Destination),
                MaxPoolOp o => (o.Source, o.Destination),
                _ => (-1, -1),
            };
            if (source == n.Destination) return false;
            if (destination == n.Destination) break;
        }
        conv = c;
        return true;
    }

    /// <summary>
    /// Splits K when the tiles alone give fewer than <see cref="GroupsPerMultiprocessor"/> groups per
    /// multiprocessor, keeping at least <see cref="MinStepsPerSplit"/> K steps per slice.
    /// </summary>
    internal static TiledConvGeometry Split(in TiledConvGeometry g, int multiprocessors)
    {
        int tiles = g.PixelTiles * g.ChannelTiles;
        int steps = (g.Depth + TiledConvKernels.Depth - 1) / TiledConvKernels.Depth;
        int wanted = Math.Min((GroupsPerMultiprocessor * multiprocessors + tiles - 1) / tiles, steps / MinStepsPerSplit);
        if (wanted <= 1) return g with { Splits = 1, KPerSplit = steps * TiledConvKernels.Depth };
        int stepsPerSplit = (steps + wanted - 1) / wanted;
        return g with { Splits = (steps + stepsPerSplit - 1) / stepsPerSplit, KPerSplit = stepsPerSplit * TiledConvKernels.Depth };
    }
}

/// <summary>One launch of a <see cref="GpuLaunchPlan"/>; <see cref="LastOp"/> is the last plan op it computes.</summary>
internal abstract record GpuLaunch(int LastOp);

/// <param name="NormOp">The BatchNormReluOp run as the prologue (its scale and shift), or -1.</param>
internal sealed record TiledConvLaunch(int LastOp, int Source, int Destination, int NormOp, TiledConvGeometry Geometry) : GpuLaunch(LastOp);

internal sealed record NormLaunch(int LastOp) : GpuLaunch(LastOp);

internal sealed record MaxPoolLaunch(int LastOp) : GpuLaunch(LastOp);
