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

    private MemoryPlan(long[] offsets, long[] sizes, long totalFloats)
    {
        Offsets = offsets;
        Sizes = sizes;
        TotalFloats = totalFloats;
    }

    /// <summary>Per buffer: offset in floats, or −1 for an unused buffer.</summary>
    public long[] Offsets { get; }

    /// <summary>Per buffer: size in floats.</summary>
    public long[] Sizes { get; }

    public long TotalFloats { get; }

    public long TotalBytes => TotalFloats * sizeof(float);

    /// <summary>
    /// The layout of <paramref name="plan"/>'s buffers at <paramref name="geometry"/> when it runs as
    /// <paramref name="steps"/> (from <see cref="PlanFusion.Steps"/>): the input is written first (by the caller's
    /// copy), each step reads its source and writes its destination, and the results (features, logits) live to the
    /// end. A fused norm's output buffer is touched by no step, so it takes no memory.
    /// </summary>
    /// <param name="plan">The plan whose buffers are laid out.</param>
    /// <param name="geometry">Every buffer's size at the input shape laid out for.</param>
    /// <param name="steps">The plan's steps in run order, as the backend groups them.</param>
    /// <param name="storedChannels">The channels the backend stores for a buffer of this many (its layout's padding).</param>
    public static MemoryPlan For(NetworkPlan plan, PlanGeometry geometry, IEnumerable<PlanStep> steps, Func<int, int> storedChannels)
    {
        var sizes = new long[plan.Buffers.Count];
        for (int b = 0; b < sizes.Length; b++)
            sizes[b] = geometry.BufferElements[b] / plan.Buffers[b].Channels * storedChannels(plan.Buffers[b].Channels);
        var touches = new List<(int[] Reads, int Write)> { ([], 0) };
        touches.AddRange(steps.Select(s => (new[] { s.Source }, s.Destination)));
        return Compute(sizes, touches, [plan.FeatureBuffer, plan.OutputBuffer]);
    }

    /// <param name="sizes">Floats per buffer (in the backend's layout).</param>
    /// <param name="touches">Per step (in run order): the buffers it reads and the one it writes.</param>
    /// <param name="keep">Buffers read after the last step (results), alive to the end.</param>
    public static MemoryPlan Compute(long[] sizes, IReadOnlyList<(int[] Reads, int Write)> touches, IEnumerable<int> keep)
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
        return new MemoryPlan(offsets, sizes, total);
    }
}
