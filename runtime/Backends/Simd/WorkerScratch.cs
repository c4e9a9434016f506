using System.Runtime.InteropServices;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The packing space of a program's workers: worker w's block starts at <see cref="Pointer"/> + w ·
/// <see cref="Stride"/> floats. With more than one worker (and anything to pack) the blocks start whole multiples of
/// <see cref="SpacingFloats"/> (1 MiB) apart; only the first <see cref="FloatsPerWorker"/> of each are ever written,
/// so the gaps cost address space, not memory (they are never paged in).
/// </summary>
/// <remarks>
/// Why spaced: with the blocks end to end, 315 KB apart (DenseNet121's Winograd scratch), two threads that each
/// transform and multiply their own Winograd tiles ran at about half their speed alone: F(4x4) at 56x56, batch 1,
/// 0.44 ms on one thread and 0.38–0.40 on two. The same kernel with the second block 1 MiB or more away ran in 0.22–0.25
/// on two; between them it improved step by step (384 KB 0.36, 512 KB 0.29–0.30, 768 KB 0.25), and the two threads
/// touch no common line of scratch at any of these distances. DenseNet121's pass gained 6% at batch 1 and 9% at batch 8
/// on two threads, alternated in one process (benchmarks/README.md, "Worker scratch"). The cause was not pinned down
/// on this virtual machine; the spacing is cheap wherever it is not needed.
/// </remarks>
internal sealed unsafe class WorkerScratch : IDisposable
{
    /// <summary>The spacing unit of the workers' blocks: 1 MiB of floats.</summary>
    public const long SpacingFloats = 1 << 18;

    /// <param name="floatsPerWorker">The most any step packs on one worker.</param>
    /// <param name="workers">Threads that run tiles, the caller included.</param>
    public WorkerScratch(long floatsPerWorker, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(floatsPerWorker);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        FloatsPerWorker = (floatsPerWorker + 15) / 16 * 16; // every block 64-byte aligned
        // At least 16 floats, so an empty block still has an aligned address of its own.
        Stride = Math.Max(16, workers == 1 ? FloatsPerWorker : (FloatsPerWorker + SpacingFloats - 1) / SpacingFloats * SpacingFloats);
        Workers = workers;
        Pointer = (float*)NativeMemory.AlignedAlloc((nuint)(Stride * workers * sizeof(float)), NativeBuffer.Alignment);
        for (int w = 0; w < workers; w++) NativeMemory.Clear(Pointer + w * Stride, (nuint)(FloatsPerWorker * sizeof(float)));
    }

    /// <summary>Worker 0's block; null once disposed.</summary>
    public float* Pointer { get; private set; }

    /// <summary>Floats from one worker's block to the next.</summary>
    public long Stride { get; }

    /// <summary>Floats of each block a step may use.</summary>
    public long FloatsPerWorker { get; }

    public int Workers { get; }

    /// <summary>Bytes the blocks can occupy (the gaps between them excluded).</summary>
    public long Bytes => FloatsPerWorker * Workers * sizeof(float);

    public void Dispose()
    {
        if (Pointer is null) return;
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
