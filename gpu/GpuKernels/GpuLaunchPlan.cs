using DenseNetGen.Backends.Ilgpu.Ops;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Ilgpu.GpuKernels;

/// <summary>
/// A plan's ops for one input shape as the GPU kernel set launches them: a BatchNormReluOp whose only reader is
/// the next op, a conv, runs inside that conv's staging (a dense layer's norm1 + conv1, a transition's norm + pool +
/// conv), so a dense layer is two launches (1x1 conv with its prologue, 3x3 conv) instead of three, and writes no
/// activated copy of its block. Convs whose tiles would leave the device's multiprocessors idle (small maps at
/// small batch) split K; the slices add up inside the same launch.
/// </summary>
internal sealed class GpuLaunchPlan
{
    /// <summary>Groups a launch should reach before K is split: a few per multiprocessor, to hide latency.</summary>
    internal const int GroupsPerMultiprocessor = 2;

    /// <summary>Fewest K rows per slice: fewer and the partial-sum traffic outweighs the parallelism gained. A slice
    /// is whole K steps: 4 of the tiled GEMM's, 1 of the halo kernel's (72 rows).</summary>
    internal const int MinRowsPerSplit = 4 * TiledConvKernels.Depth;

    private GpuLaunchPlan(IReadOnlyList<GpuLaunch> launches, long partialElements, int arrivalCounts)
    {
        Launches = launches;
        PartialElements = partialElements;
        ArrivalCounts = arrivalCounts;
    }

    /// <summary>In order; each covers plan ops up to <see cref="GpuLaunch.LastOp"/>.</summary>
    public IReadOnlyList<GpuLaunch> Launches { get; }

    /// <summary>Floats of split-K scratch the largest split launch needs.</summary>
    public long PartialElements { get; }

    /// <summary>Split-K arrival counts the split launch with the most tiles needs.</summary>
    public int ArrivalCounts { get; }

    /// <param name="plan">The network's plan.</param>
    /// <param name="ops">The network's prepared ops, whose launch parameters the tiled launches extend.</param>
    /// <param name="geometry">Every buffer's size for the input shape planned for.</param>
    /// <param name="multiprocessors">The device's multiprocessors, which split-K tries to fill.</param>
    public static GpuLaunchPlan Build(NetworkPlan plan, IReadOnlyList<IIlgpuOp?> ops, PlanGeometry geometry, int multiprocessors)
    {
        var launches = new List<GpuLaunch>();
        long partials = 0;
        int arrivals = 0;
        for (int i = 0; i < plan.Ops.Count; i++)
        {
            switch (ops[i])
            {
                case BatchNormReluLaunch n when PlanFusion.ConvTakingNorm(plan, i) is not null:
                {
                    var prologue = n.Op.Pool == PoolKind.None ? TiledPrologue.NormRelu : TiledPrologue.NormReluAverage2x2;
                    var source = n.Geometry(geometry.Batch, geometry.Ops[i]);
                    var conv = ((ConvLaunch)ops[i + 1]!).Geometry(geometry.Batch, geometry.Ops[i + 1]);
                    var g = Split(GpuKernelSet.Shape(TiledConvGeometry.From(conv, prologue, source.InHeight, source.InWidth)
                        with { SourceCapacity = source.SourceCapacity, SourceOffset = source.SourceOffset }), multiprocessors);
                    launches.Add(new TiledConvLaunch(i + 1, n.Op.Source, i, g));
                    partials = Math.Max(partials, g.PartialElements);
                    arrivals = Math.Max(arrivals, g.ArrivalCounts);
                    i++;
                    break;
                }
                case ConvLaunch c:
                {
                    var conv = c.Geometry(geometry.Batch, geometry.Ops[i]);
                    var g = Split(GpuKernelSet.Shape(TiledConvGeometry.From(conv, TiledPrologue.None, conv.InHeight, conv.InWidth)), multiprocessors);
                    launches.Add(new TiledConvLaunch(i, c.Op.Source, -1, g));
                    partials = Math.Max(partials, g.PartialElements);
                    arrivals = Math.Max(arrivals, g.ArrivalCounts);
                    break;
                }
                default:
                    launches.Add(new OpLaunch(i));
                    break;
            }
        }
        return new GpuLaunchPlan(launches, partials, arrivals);
    }

    /// <summary>
    /// The buffers each launch reads and writes, in launch order: a fused conv reads its norm's source and writes its
    /// own destination, so the norm's output buffer is touched by no launch.
    /// </summary>
    public IEnumerable<(int[] Reads, int Write)> Touches(NetworkPlan plan) => Launches.Select(launch => launch switch
    {
        TiledConvLaunch c => (new[] { c.Source }, plan.Ops[c.LastOp].Writes.Buffer),
        _ => (new[] { plan.Ops[launch.LastOp].Reads.Buffer }, plan.Ops[launch.LastOp].Writes.Buffer),
    });

    /// <summary>
    /// Splits K when the tiles alone give fewer than <see cref="GroupsPerMultiprocessor"/> groups per
    /// multiprocessor, keeping at least <see cref="MinRowsPerSplit"/> K rows per slice.
    /// </summary>
    internal static TiledConvGeometry Split(in TiledConvGeometry g, int multiprocessors)
    {
        int tiles = g.PixelTiles * g.ChannelTiles;
        int depth = g.StepDepth;
        int steps = (g.Depth + depth - 1) / depth;
        int minSteps = Math.Max(1, MinRowsPerSplit / depth);
        int wanted = Math.Min((GroupsPerMultiprocessor * multiprocessors + tiles - 1) / tiles, steps / minSteps);
        if (wanted <= 1) return g with { Splits = 1, KPerSplit = steps * depth };
        int stepsPerSplit = (steps + wanted - 1) / wanted;
        return g with { Splits = (steps + stepsPerSplit - 1) / stepsPerSplit, KPerSplit = stepsPerSplit * depth };
    }
}

/// <summary>One launch of a <see cref="GpuLaunchPlan"/>; <see cref="LastOp"/> is the last plan op it computes.</summary>
internal abstract record GpuLaunch(int LastOp);

/// <summary>A conv (op <see cref="GpuLaunch.LastOp"/>) as a tiled launch reading buffer <paramref name="Source"/>.</summary>
/// <param name="LastOp">The conv's op index.</param>
/// <param name="Source">The buffer the conv (or its prologue) reads.</param>
/// <param name="Geometry">The conv's shape, tiling and split.</param>
/// <param name="NormOp">The BatchNormReluOp run as the prologue (its scale and shift), or -1.</param>
internal sealed record TiledConvLaunch(int LastOp, int Source, int NormOp, TiledConvGeometry Geometry) : GpuLaunch(LastOp);

/// <summary>Any other op, launched on its own through the kernel set (the head's norm and pool, the stem's max pool).</summary>
internal sealed record OpLaunch(int LastOp) : GpuLaunch(LastOp);
