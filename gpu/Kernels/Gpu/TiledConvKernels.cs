using System.Runtime.CompilerServices;
using DenseNetGen.Backends.Ilgpu.Kernels;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// Convolutions for GPUs as a tiled implicit GEMM (see <see cref="TiledConvGeometry"/>): a group of
/// <see cref="GroupSize"/> threads computes <see cref="TileChannels"/> output channels × <see cref="TilePixels"/>
/// output pixels, stepping through K <see cref="Depth"/> rows at a time. Each step's weight and input slices are
/// staged in shared memory, double-buffered: a thread loads the next step's values from global memory into
/// registers before it multiplies the current step, and stores them to the other buffer after, so one barrier per
/// step suffices. The input prologue (BatchNorm + ReLU, and the transition's 2x2 average pool) runs while staging,
/// so no activated copy of a block is ever written.
/// </summary>
/// <remarks>
/// Staging: thread t loads column t % 64 of rows t / 64 + 4j (j = 0..3) of both slices, so neighbouring threads
/// read neighbouring pixels (coalesced) and neighbouring output channels of a weight row. Multiplying: thread
/// (ty, tx) = (t / 16, t % 16) keeps 4 channels × 4 pixels of sums in registers and reads one 16-byte quad of
/// each slice per K row. The loops over K rows and tiles are written out by hand where it matters: ILGPU's loop
/// unroller is off. Explicitly grouped launches only (barriers): the grid is exactly <see cref="TiledConvGeometry.Groups"/>.
/// </remarks>
internal static class TiledConvKernels
{
    public const int GroupSize = 256;
    public const int TileChannels = 64;
    public const int TilePixels = 64;
    public const int Depth = 16;

    /// <summary>Floats of one slice buffer (weights or inputs); each slice is double-buffered.</summary>
    internal const int SliceFloats = Depth * TileChannels;

    /// <summary>The FP32 tiled conv: one group per (pixel tile, channel tile, K slice).</summary>
    /// <param name="source">The input buffer, NCHW float32.</param>
    /// <param name="weights">The packed weights, laid out as <paramref name="g"/> says.</param>
    /// <param name="bias">[OutPadded], the folded BatchNorm included.</param>
    /// <param name="scale">Per-input-channel BatchNorm scale for the prologue (any view when there is none).</param>
    /// <param name="shift">Per-input-channel BatchNorm shift, with <paramref name="scale"/>.</param>
    /// <param name="destination">The output buffer, NCHW float32, written at the op's channel offset.</param>
    /// <param name="partials">Split-K scratch [Splits][OutChannels][Pixels] (unread without a split).</param>
    /// <param name="arrivals">Split-K arrival counts, one per tile, zero between launches (see <see cref="ArrivesLast"/>).</param>
    /// <param name="g">The conv's shape, tiling and split.</param>
    public static void Conv(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials,
        ArrayView<int> arrivals, TiledConvGeometry g)
    {
        var weightSlices = SharedMemory.Allocate<float>(2 * SliceFloats);
        var inputSlices = SharedMemory.Allocate<float>(2 * SliceFloats);
        var tile = TileOf(g);
        var stage = Staging.Begin(g, tile);
        int t = Group.IdxX;
        int ty = t >> 4, tx = t & 15;
        var weightQuads = weightSlices.Cast<Quad>();
        var inputQuads = inputSlices.Cast<Quad>();

        Quad a0 = default, a1 = default, a2 = default, a3 = default;
        stage.Load(source, weights, scale, shift, g, tile.KBegin);
        stage.Store<Fp32Operands>(weightSlices, inputSlices, 0);
        Group.Barrier();
        int buffer = 0;
        for (int k0 = tile.KBegin; k0 < tile.KEnd; k0 += Depth)
        {
            bool more = k0 + Depth < tile.KEnd;
            if (more)
                stage.Load(source, weights, scale, shift, g, k0 + Depth);
            int row = buffer * Depth;
            for (int k = 0; k < Depth; k += 2, row += 2)
            {
                MultiplyAdd(weightQuads[row * 16 + ty], inputQuads[row * 16 + tx], ref a0, ref a1, ref a2, ref a3);
                MultiplyAdd(weightQuads[(row + 1) * 16 + ty], inputQuads[(row + 1) * 16 + tx], ref a0, ref a1, ref a2, ref a3);
            }
            if (more)
                stage.Store<Fp32Operands>(weightSlices, inputSlices, buffer ^ 1);
            Group.Barrier();
            buffer ^= 1;
        }

        int co = tile.Channel + ty * 4, p = tile.Pixel + tx * 4;
        StoreTile(destination, partials, bias, g, tile.Split, co, p, a0, a1, a2, a3, reduce: false);
        if (ArrivesLast(arrivals, g))
            StoreTile(destination, partials, bias, g, tile.Split, co, p, a0, a1, a2, a3, reduce: true);
    }

    /// <summary>
    /// Split-K without a reduction launch: after a K slice has stored its partial sums, its group counts itself in
    /// its tile's <paramref name="arrivals"/> entry; the slice that arrives last learns so, and it alone adds every
    /// slice's partial sums in slice order (see <see cref="StoreOne"/>), so the result does not depend on which slice
    /// finished last. False for every group of an unsplit launch.
    /// </summary>
    /// <remarks>
    /// The counts are not reset here: the launch sequence clears them before every split launch (GpuSetNetwork),
    /// so a launch that failed or was aborted midway, leaving some tiles counted, cannot make a later launch's
    /// last arrival come early or never. Ordering: each thread's fence (device scope) after its partial-sum stores
    /// and before the group's atomic count is the release; the fence after the count was seen is the acquire. The
    /// partial sums are then read with atomics (<see cref="ReadPartial"/>), which are performed at the device's
    /// coherence point (L2 on NVIDIA), so no stale line in the reading multiprocessor's own cache can answer them,
    /// whatever the compiler makes of a plain load after a fence.
    /// Every thread of every group calls this, split or not: its barriers must not sit in a branch
    /// (PoCL corrupted memory when they did, though the branch was uniform).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ArrivesLast(ArrayView<int> arrivals, in TiledConvGeometry g)
    {
        var last = SharedMemory.Allocate<int>(1);
        // Each thread's partial sums are visible device-wide before its group is counted.
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (Group.IdxX == 0 && g.Splits > 1)
        {
            // Groups are numbered with the K slice slowest, so this is the group's tile.
            int tile = Grid.IdxX % (g.PixelTiles * g.ChannelTiles);
            last[0] = Atomic.Add(ref arrivals[tile], 1) == g.Splits - 1 ? 1 : 0;
        }
        else if (Group.IdxX == 0)
        {
            last[0] = 0;
        }
        Group.Barrier();
        bool result = last[0] != 0;
        // The other slices' partial sums are read only after their counts were seen.
        MemoryFence.DeviceLevel();
        return result;
    }

    /// <summary>
    /// Partial sum <paramref name="index"/> read as an atomic (a compare-exchange that never stores: 0 is replaced by
    /// 0), so it comes from the device's coherence point rather than a cache line loaded before another slice wrote it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReadPartial(ArrayView<float> partials, long index) =>
        Interop.IntAsFloat((uint)Atomic.CompareExchange(ref partials.Cast<int>()[index], 0, 0));

    /// <summary>One group's place in the GEMM: its first output channel and pixel, its K slice and range.</summary>
    internal readonly record struct TileOrigin(int Channel, int Pixel, int Split, int KBegin, int KEnd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TileOrigin TileOf(in TiledConvGeometry g)
    {
        int group = Grid.IdxX;
        int pixelTile = group % g.PixelTiles;
        group /= g.PixelTiles;
        int channelTile = group % g.ChannelTiles;
        int split = group / g.ChannelTiles;
        int kBegin = split * g.KPerSplit;
        return new TileOrigin(channelTile * TileChannels, pixelTile * TilePixels, split, kBegin,
            IntrinsicMath.Min(kBegin + g.KPerSplit, g.Depth));
    }

    /// <summary>The outer product of 4 weights (one per output channel) and 4 inputs (one per pixel) added to a 4×4 tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MultiplyAdd(Quad w, Quad x, ref Quad a0, ref Quad a1, ref Quad a2, ref Quad a3)
    {
        a0.MultiplyAdd(w.A, x);
        a1.MultiplyAdd(w.B, x);
        a2.MultiplyAdd(w.C, x);
        a3.MultiplyAdd(w.D, x);
    }

    /// <summary>A thread's 4 channels × 4 consecutive pixels; those past the channels or pixels are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, Quad a0, Quad a1, Quad a2, Quad a3, bool reduce)
    {
        StoreRow(destination, partials, bias, g, split, co, p, a0, reduce);
        StoreRow(destination, partials, bias, g, split, co + 1, p, a1, reduce);
        StoreRow(destination, partials, bias, g, split, co + 2, p, a2, reduce);
        StoreRow(destination, partials, bias, g, split, co + 3, p, a3, reduce);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, Quad sums, bool reduce)
    {
        StoreOne(destination, partials, bias, g, split, co, p, sums.A, reduce);
        StoreOne(destination, partials, bias, g, split, co, p + 1, sums.B, reduce);
        StoreOne(destination, partials, bias, g, split, co, p + 2, sums.C, reduce);
        StoreOne(destination, partials, bias, g, split, co, p + 3, sums.D, reduce);
    }

    /// <summary>
    /// Output (<paramref name="co"/>, <paramref name="p"/>) of a conv: without a split, <paramref name="sum"/> goes to
    /// the destination with the bias and ReLU; with one, it is this slice's partial sum and goes to the scratch
    /// buffer, and with <paramref name="reduce"/> (the last slice, see <see cref="ArrivesLast"/>) the slices'
    /// partial sums are added in slice order and go to the destination instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreOne(ArrayView<float> destination, ArrayView<float> partials, ArrayView<float> bias,
        in TiledConvGeometry g, int split, int co, int p, float sum, bool reduce)
    {
        if (co >= g.OutChannels || p >= g.Pixels) return;
        long slice = (long)g.OutChannels * g.Pixels, at = (long)co * g.Pixels + p;
        if (reduce)
        {
            sum = 0f;
            for (int s = 0; s < g.Splits; s++)
                sum += ReadPartial(partials, s * slice + at);
            Store(destination, bias, g, co, p, sum);
        }
        else if (g.Splits > 1)
            partials[split * slice + at] = sum;
        else
            Store(destination, bias, g, co, p, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ArrayView<float> destination, ArrayView<float> bias, in TiledConvGeometry g, int co, int p, float sum)
    {
        int outPixels = g.OutPixels;
        int n = p / outPixels, q = p % outPixels;
        float v = sum + bias[co];
        destination[(n * g.DestinationCapacity + g.DestinationOffset + co) * outPixels + q] = g.Relu != 0 ? IntrinsicMath.Max(v, 0f) : v;
    }
}
