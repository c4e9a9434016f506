using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// How a shape's program runs its batch: the input's reorder and the first <see cref="Steps"/> steps slice by slice,
/// <see cref="Images"/> images a slice, each thread taking its own run of slices through all of them on its own (no
/// fork or join between those steps); then the other steps on the whole batch, every thread on each. Chosen once per
/// shape by <see cref="Choose"/>.
/// </summary>
/// <remarks>
/// A step on a large map at a large batch streams its source and destination through memory: DenseNet-121 at batch 8
/// moves 25-38 MB per 56x56 step, more than the cores' share of the last-level cache. Run an image at a time, a thread
/// keeps what one step writes in its caches for the next; on 14x14 and 7x7 maps the whole batch is better (more rows
/// per micro-kernel tile, and the working set fits anyway). benchmarks/README.md, "Batch slices". Slicing changes no
/// result but by the 3x3 convs' algorithm: every kernel computes an image's outputs from that image alone, in the same
/// order at any batch, but a Winograd tile is chosen for the batch a launch is bound to, the slice's here.
/// </remarks>
/// <param name="Steps">Leading steps run slice by slice; 0 when every step runs on the whole batch.</param>
/// <param name="Images">Images per slice; the batch when <see cref="Steps"/> is 0.</param>
/// <param name="Threads">Threads running slices at once, each with its own copy of the buffers only sliced steps touch.</param>
internal readonly record struct BatchSlicing(int Steps, int Images, int Threads)
{
    /// <summary>
    /// Per thread: the leading steps whose source and destination over the batch pass this many bytes per thread are
    /// sliced, and a slice is as many images as fit in it (at least one). About a Zen 5 core's 1 MiB L2 and its share
    /// of a 32 MiB L3 shared by eight cores, with room. Measured (benchmarks/README.md, "Batch slices"): DenseNet-121 and
    /// -161 at batch 8 gain most when the slices stop after the 28x28 maps, which this budget does on 1 and 2 threads.
    /// </summary>
    public const long BudgetBytesPerThread = 7L << 20;

    /// <summary>Every step on the whole batch.</summary>
    public static BatchSlicing None(int batch) => new(0, batch, 1);

    /// <summary>
    /// The slicing of <paramref name="steps"/> at <paramref name="geometry"/> on <paramref name="threads"/> threads:
    /// the longest run of leading steps whose source and destination over the batch pass the budget of all threads,
    /// in slices of as many images as the largest of them fits in one thread's budget. Only when every thread gets
    /// the same number of slices (a thread with one more would hold up the rest): batch 8 on two threads runs four
    /// slices a thread, batch 3 on two is not sliced.
    /// </summary>
    public static BatchSlicing Choose(NetworkPlan plan, PlanGeometry geometry, IReadOnlyList<PlanStep> steps, int threads)
    {
        int batch = geometry.Batch, sliced = 0;
        // A step that reads and writes one buffer would need its slices' parts of it at two sizes: never sliced.
        while (sliced < steps.Count && steps[sliced].Source != steps[sliced].Destination
            && batch * ImageBytes(plan, geometry, steps[sliced]) > BudgetBytesPerThread * threads)
            sliced++;
        while (sliced > 0 && !CanEndAt(plan, geometry, steps, sliced)) sliced--;
        if (sliced == 0 || batch % threads != 0) return None(batch);
        // The most images that fit and divide each thread's share, so that the slices come out even.
        long largest = steps.Take(sliced).Max(step => ImageBytes(plan, geometry, step));
        int share = batch / threads, images = (int)Math.Clamp(BudgetBytesPerThread / largest, 1, share);
        while (share % images != 0) images--;
        return batch == images ? None(batch) : new(sliced, images, threads);
    }

    /// <summary>
    /// Whether slices may run the first <paramref name="count"/> steps: threads run their slices at once, each at its
    /// own step, so their parts of a buffer that holds the batch (images one after another, at the size each step sees
    /// them) are disjoint only if those steps see it at one size. Buffers whose contents from those steps are theirs
    /// alone hold slices instead (<see cref="MemoryPlan.SlicedAlone"/>). In DenseNets the slices may stop after any
    /// step but a dense layer's 1x1 conv past the first block: its 3x3 conv would read the bottleneck, which the slices
    /// have used at two map sizes.
    /// </summary>
    public static bool CanEndAt(NetworkPlan plan, PlanGeometry geometry, IReadOnlyList<PlanStep> steps, int count)
    {
        var sizes = new Dictionary<int, (int, int)>();
        for (int s = 0; s < count; s++)
        {
            var (source, destination) = (geometry.Ops[steps[s].FirstOp], geometry.Ops[steps[s].LastOp]);
            foreach (var (buffer, size) in new[] { (steps[s].Source, (source.InHeight, source.InWidth)), (steps[s].Destination, (destination.OutHeight, destination.OutWidth)) })
                if (!MemoryPlan.SlicedAlone(plan, steps, buffer, count) && !sizes.TryAdd(buffer, size) && sizes[buffer] != size)
                    return false;
        }
        return true;
    }

    /// <summary>The first image and the image count of each slice of a batch of <paramref name="batch"/> (the last may hold fewer).</summary>
    public IEnumerable<(int First, int Count)> Slices(int batch)
    {
        for (int first = 0; first < batch; first += Images)
            yield return (first, Math.Min(Images, batch - first));
    }

    /// <summary>One image's source and destination of <paramref name="step"/>, as the SIMD backend stores them.</summary>
    private static long ImageBytes(NetworkPlan plan, PlanGeometry geometry, PlanStep step)
    {
        var first = geometry.Ops[step.FirstOp];
        var last = geometry.Ops[step.LastOp];
        return sizeof(float) * ((long)Blocked.Round(plan.Buffers[step.Source].Channels) * first.InHeight * first.InWidth
            + (long)Blocked.Round(plan.Buffers[step.Destination].Channels) * last.OutHeight * last.OutWidth);
    }
}
