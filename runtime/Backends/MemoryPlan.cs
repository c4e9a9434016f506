using DenseNetGen.Planning;

namespace DenseNetGen.Backends;

/// <summary>
/// Where each plan buffer lives in one arena for one input shape, for every backend that runs a static sequence of
/// steps (the SIMD backend's program, the ILGPU backend's launches): each buffer's lifetime (first step that touches
/// it to last step that reads it) is known before the first call; buffers whose lifetimes do not overlap share
/// memory, and the arena is as large as the largest set of buffers alive at once (up to first-fit fragmentation).
/// A buffer no step touches (a BN-ReLU scratch fused away) takes no memory.
/// </summary>
internal sealed class MemoryPlan
{
    /// <summary>Offsets are multiples of this many floats, so every buffer is 64-byte aligned: what the SIMD backend's
    /// Vector512 loads want, and more than the 16 bytes of the ILGPU kernels' quad loads.</summary>
    private const long AlignFloats = 64 / sizeof(float);

    private MemoryPlan(long[] offsets, long[] sizes, bool[] perSlice, long totalFloats)
    {
        Offsets = offsets;
        Sizes = sizes;
        PerSlice = perSlice;
        TotalFloats = totalFloats;
    }

    /// <summary>Per buffer: offset in floats, or −1 for an unused buffer.</summary>
    public long[] Offsets { get; }

    /// <summary>Per buffer: size in floats.</summary>
    public long[] Sizes { get; }

    /// <summary>
    /// Per buffer: while the sliced steps run (see <see cref="For"/>) it holds the images of the slices that run at
    /// once, each at its largest size, and later slices reuse it; the others hold the whole batch, image after image,
    /// at the size each step sees them.
    /// </summary>
    public bool[] PerSlice { get; }

    public long TotalFloats { get; }

    public long TotalBytes => TotalFloats * sizeof(float);

    /// <summary>
    /// The layout of <paramref name="plan"/>'s buffers at <paramref name="geometry"/> when it runs as
    /// <paramref name="steps"/> (from <see cref="PlanFusion.Steps"/>): the input is written first (by the caller's
    /// copy), each step reads its source and writes its destination, and the results (features, logits) live to the
    /// end. A fused norm's output buffer is touched by no step, so it takes no memory.
    /// </summary>
    /// <remarks>
    /// With <paramref name="slicedSteps"/> &gt; 0 the input's copy and the first <paramref name="slicedSteps"/> steps
    /// run slice by slice (a slice through all of them before the next on its thread), so every buffer they touch is
    /// alive from the input's copy to the last of them. A buffer whose contents from them no later step reads (only
    /// they touch it, or the next step to touch it writes all of it), and not a result, holds
    /// <paramref name="sliceImages"/> images while they run (<see cref="PerSlice"/>), and the batch after them if
    /// later steps use it.
    /// </remarks>
    /// <param name="plan">The plan whose buffers are laid out.</param>
    /// <param name="geometry">Every buffer's size at the input shape laid out for.</param>
    /// <param name="steps">The plan's steps in run order, as the backend groups them.</param>
    /// <param name="storedChannels">The channels the backend stores for a buffer of this many (its layout's padding).</param>
    /// <param name="slicedSteps">Leading steps run slice by slice; 0 runs every step on the whole batch.</param>
    /// <param name="sliceImages">Images of the slices that run at once (per slice × threads), with <paramref name="slicedSteps"/>.</param>
    public static MemoryPlan For(NetworkPlan plan, PlanGeometry geometry, IEnumerable<PlanStep> steps, Func<int, int> storedChannels,
        int slicedSteps = 0, int sliceImages = 0)
    {
        var sizes = new long[plan.Buffers.Count];
        for (int b = 0; b < sizes.Length; b++)
            sizes[b] = geometry.BufferElements[b] / plan.Buffers[b].Channels * storedChannels(plan.Buffers[b].Channels);
        var stepList = steps.ToList();
        var touches = new List<(int[] Reads, int Write)> { ([], 0) };
        touches.AddRange(stepList.Select(s => (new[] { s.Source }, s.Destination)));
        var perSlice = new bool[sizes.Length];
        int together = slicedSteps > 0 ? slicedSteps + 1 : 0;
        for (int b = 0; b < sizes.Length && slicedSteps > 0; b++)
        {
            var at = Enumerable.Range(0, touches.Count).Where(t => touches[t].Write == b || touches[t].Reads.Contains(b)).ToArray();
            if (at.Length == 0 || at[0] >= together || !SlicedAlone(plan, stepList, b, slicedSteps)) continue;
            perSlice[b] = true;
            long slices = sizes[b] / geometry.Batch * sliceImages;
            sizes[b] = at[^1] < together ? slices : Math.Max(sizes[b], slices);
        }
        return Compute(sizes, touches, [plan.FeatureBuffer, plan.OutputBuffer], together, perSlice);
    }

    /// <summary>
    /// Whether what the first <paramref name="slicedSteps"/> steps leave in <paramref name="buffer"/> is theirs alone,
    /// so that while they run it may hold slices rather than the batch: it is not a result, and no later step reads
    /// it before writing all its channels (DenseNet's bottleneck is rewritten by each dense layer's 1x1 conv).
    /// </summary>
    public static bool SlicedAlone(NetworkPlan plan, IReadOnlyList<PlanStep> steps, int buffer, int slicedSteps)
    {
        if (buffer == plan.FeatureBuffer || buffer == plan.OutputBuffer) return false;
        for (int s = slicedSteps; s < steps.Count; s++)
        {
            if (steps[s].Source == buffer) return false;
            if (steps[s].Destination == buffer)
                return steps[s].Main.Writes is { ChannelOffset: 0 } w && w.Channels == plan.Buffers[buffer].Channels;
        }
        return true;
    }

    /// <param name="sizes">Floats per buffer (in the backend's layout).</param>
    /// <param name="touches">Per step (in run order): the buffers it reads and the one it writes.</param>
    /// <param name="keep">Buffers read after the last step (results), alive to the end.</param>
    /// <param name="together">Leading steps that run interleaved (slice by slice): a buffer any of them touches is alive from step 0 to the last of them.</param>
    /// <param name="perSlice">Per buffer, passed through to <see cref="PerSlice"/>; null for none.</param>
    public static MemoryPlan Compute(long[] sizes, IReadOnlyList<(int[] Reads, int Write)> touches, IEnumerable<int> keep,
        int together = 0, bool[]? perSlice = null)
    {
        int count = sizes.Length;
        var first = Enumerable.Repeat(int.MaxValue, count).ToArray();
        var last = Enumerable.Repeat(-1, count).ToArray();
        for (int s = 0; s < touches.Count; s++)
        {
            foreach (var b in touches[s].Reads.Append(touches[s].Write))
            {
                first[b] = Math.Min(first[b], s);
                last[b] = Math.Max(last[b], s);
            }
        }
        foreach (var b in keep)
            if (last[b] >= 0) last[b] = touches.Count;
        for (int b = 0; b < count; b++)
            if (first[b] < together)
            {
                first[b] = 0;
                last[b] = Math.Max(last[b], together - 1);
            }

        var offsets = Enumerable.Repeat(-1L, count).ToArray();
        var placed = new List<int>();
        long total = 0;
        foreach (var b in Enumerable.Range(0, count).Where(b => last[b] >= 0).OrderByDescending(b => sizes[b]))
        {
            long size = (sizes[b] + AlignFloats - 1) / AlignFloats * AlignFloats;
            long offset = 0;
            foreach (var other in placed.Where(o => first[o] <= last[b] && first[b] <= last[o]).OrderBy(o => offsets[o]))
            {
                if (offset + size <= offsets[other]) break;
                offset = Math.Max(offset, offsets[other] + (sizes[other] + AlignFloats - 1) / AlignFloats * AlignFloats);
            }
            offsets[b] = offset;
            placed.Add(b);
            total = Math.Max(total, offset + size);
        }
        return new MemoryPlan(offsets, sizes, perSlice ?? new bool[count], total);
    }
}
