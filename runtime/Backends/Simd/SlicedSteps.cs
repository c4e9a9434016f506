using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The input's reorder and a shape's sliced steps (<see cref="BatchSlicing"/>) as one launch: tile w is thread w's run
/// of slices, [w·S/T, (w+1)·S/T) of S slices on T threads, each slice through the reorder and every sliced step on
/// that one thread. The runs are contiguous, so at batch 8 on two threads thread 0 keeps images 0-3 and thread 1
/// 4-7, as the whole-batch steps after them split their tiles (<see cref="WorkerPool"/>).
/// </summary>
/// <remarks>
/// Tiles may run concurrently: tile w's slices use copy w of the per-slice buffers (bound so by the shape) and the
/// scratch of the worker running it. <see cref="Source"/> and <see cref="OpCount"/> are set before each run.
/// </remarks>
internal sealed unsafe class SlicedSteps<TVec>(IReadOnlyList<SimdStep> steps, long imageFloats, int threads, SlicedSteps<TVec>.Slice[] slices)
    : ISimdLaunch where TVec : struct, IVec<TVec>
{
    /// <summary>One slice's launches: its reorder and its sliced steps, bound to its images.</summary>
    /// <param name="First">The slice's first image.</param>
    /// <param name="Reorder">The reorder of its images into the blocked input buffer.</param>
    /// <param name="Ops">Its launches of the sliced steps, in order.</param>
    public sealed record Slice(int First, InputReorder<TVec> Reorder, ISimdLaunch[] Ops);

    /// <summary>The pinned caller input (NCHW, the whole batch) for the current run.</summary>
    public float* Source { get; set; }

    /// <summary>Steps from the first with <see cref="SimdStep.FirstOp"/> at or past this are not run.</summary>
    public int OpCount { get; set; }

    public int TileCount => threads;

    /// <summary>The tile, and so the copy of the per-slice buffers, that runs slice <paramref name="slice"/> of <paramref name="slices"/>.</summary>
    public static int TileOf(int slice, int slices, int threads)
    {
        int tile = 0;
        while (slice >= First(tile + 1, slices, threads)) tile++;
        return tile;
    }

    /// <summary>The first slice of tile <paramref name="tile"/>: its run is [First(t), First(t + 1)).</summary>
    private static int First(int tile, int slices, int threads) => (int)((long)slices * tile / threads);

    public void RunTile(int tile)
    {
        for (int i = First(tile, slices.Length, threads), end = First(tile + 1, slices.Length, threads); i < end; i++)
            RunSlice(slices[i], null);
    }

    /// <summary>
    /// The same work on the calling thread alone, slice after slice, calling <paramref name="opFinished"/> after each
    /// slice's step: how the profile times the sliced steps one by one. Each slice runs as in <see cref="RunTile"/>, on
    /// one thread; in a pass <see cref="TileCount"/> threads run slices at once, so a step's pass time is about the sum
    /// over its slices divided by that.
    /// </summary>
    public void RunTraced(Action<int> opFinished)
    {
        foreach (var slice in slices) RunSlice(slice, opFinished);
    }

    /// <summary>One slice through the reorder and the sliced steps before <see cref="OpCount"/>, on this thread.</summary>
    private void RunSlice(Slice slice, Action<int>? opFinished)
    {
        Point(slice);
        RunAll(slice.Reorder);
        for (int s = 0; s < slice.Ops.Length && steps[s].FirstOp < OpCount; s++)
        {
            RunAll(slice.Ops[s]);
            if (opFinished is not null) steps[s].ReportFinished(opFinished);
        }
    }

    /// <summary>An unsliced shape's reorder (its one slice: the batch), with every thread on it.</summary>
    public void RunReorder(WorkerPool pool)
    {
        Point(slices[0]);
        pool.Run(slices[0].Reorder);
    }

    private void Point(Slice slice) => slice.Reorder.Source = Source == null ? null : Source + slice.First * imageFloats;

    private static void RunAll(ISimdLaunch launch)
    {
        for (int t = 0, count = launch.TileCount; t < count; t++) launch.RunTile(t);
    }
}
