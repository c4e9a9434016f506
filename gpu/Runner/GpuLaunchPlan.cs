using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Steps;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Ilgpu.Runner;

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

    /// <param name="steps">The network's prepared steps, whose launch parameters the tiled launches extend.</param>
    /// <param name="geometry">Every buffer's size for the input shape planned for.</param>
    /// <param name="multiprocessors">The device's multiprocessors, which split-K tries to fill.</param>
    /// <param name="halo">Whether 3x3 convs may run over haloed blocks (<see cref="GpuKernelSet.Halo"/>).</param>
    public static GpuLaunchPlan Build(IReadOnlyList<GpuSetStep> steps, PlanGeometry geometry, int multiprocessors, bool halo = true)
    {
        var launches = new List<GpuLaunch>(steps.Count);
        long partials = 0;
        int arrivals = 0;
        foreach (var step in steps)
        {
            switch (step)
            {
                case TiledConvStep t:
                {
                    var conv = t.Conv.Geometry(geometry.Batch, geometry.Ops[t.Outline.LastOp]);
                    var tiled = TiledConvGeometry.From(conv, TiledPrologue.None, conv.InHeight, conv.InWidth);
                    if (t.Prologue is { } n)
                    {
                        var source = n.Geometry(geometry.Batch, geometry.Ops[t.Outline.FirstOp]);
                        var prologue = n.Op.Pool == PoolKind.None ? TiledPrologue.NormRelu : TiledPrologue.NormReluAverage2x2;
                        tiled = TiledConvGeometry.From(conv, prologue, source.InHeight, source.InWidth)
                            with { SourceCapacity = source.SourceCapacity, SourceOffset = source.SourceOffset };
                    }
                    var g = Split(GpuKernelSet.Shape(tiled, halo), multiprocessors);
                    launches.Add(new TiledConvLaunch(t.Outline, t, g));
                    partials = Math.Max(partials, g.PartialElements);
                    arrivals = Math.Max(arrivals, g.ArrivalCounts);
                    break;
                }
                case SingleOpStep single:
                    launches.Add(new OpLaunch(single.Outline, single.Step));
                    break;
            }
        }
        return new GpuLaunchPlan(launches, partials, arrivals);
    }

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

/// <summary>One launch of a <see cref="GpuLaunchPlan"/>: the plan step it computes, bound to one input shape.</summary>
internal abstract record GpuLaunch(PlanStep Outline)
{
    /// <summary>The last plan op the launch computes.</summary>
    public int LastOp => Outline.LastOp;
}

/// <summary>A conv step as a tiled launch with its geometry for the shape.</summary>
/// <param name="Outline">The plan ops it computes: the conv and, when fused, the norm before it.</param>
/// <param name="Step">The conv's weights and the fused norm's scale and shift.</param>
/// <param name="Geometry">The conv's shape, tiling and split.</param>
internal sealed record TiledConvLaunch(PlanStep Outline, TiledConvStep Step, TiledConvGeometry Geometry) : GpuLaunch(Outline);

/// <summary>Any other op, launched on its own through the kernel set (the head's norm and pool, the stem's max pool).</summary>
internal sealed record OpLaunch(PlanStep Outline, IIlgpuStep Step) : GpuLaunch(Outline);
