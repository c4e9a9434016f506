using System.Runtime.CompilerServices;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>
/// Convolution kernels (layouts in <see cref="ConvGeometry"/>). Each thread computes a register tile of
/// <see cref="ChannelTile"/> output channels × <see cref="PixelTile"/> output pixels with no shared memory and
/// no barriers: ILGPU's CPU accelerator emulates barriers with OS threads, which costs far more than it saves.
/// Threads are numbered image slowest; within an image either pixel tile fastest (neighbouring GPU threads read
/// neighbouring pixels) or channel tile fastest (on CPUs, threads that run back to back re-read the same input
/// pixels from cache), as <see cref="ConvGeometry.ChannelsFastest"/> says.
/// The tile is 8 channels × 4 pixels (two weight quads and one input quad per input channel and tap), chosen by
/// `densenet-bench profile` against 4 × 4 and 8 × 8 (figures in benchmarks/README.md, "Kernel choices"); a larger
/// tile also leaves a GPU fewer threads for small layers.
/// </summary>
internal static class ConvKernels
{
    public const int ChannelTile = 8;
    public const int PixelTile = 4;

    /// <summary>Weight quads per channel tile: the tile's weights for one (ci, ky, kx) are two aligned quads.</summary>
    private const int WeightQuads = ChannelTile / 4;

    public static int PointwiseThreads(in ConvGeometry g) => g.Batch * g.ChannelTiles * DivUp(g.OutPixels, PixelTile);

    public static int DirectThreads(in ConvGeometry g) => g.Batch * g.ChannelTiles * g.OutHeight * DivUp(g.OutWidth, PixelTile);

    /// <summary>
    /// 1x1 stride-1 conv as a GEMM per image, out[co, p] = Σ_ci W[ci, co]·X[ci, p], pixels flattened over H·W.
    /// The tail tile re-reads the last pixel instead of branching in the inner loop; those lanes are not stored.
    /// </summary>
    public static void Pointwise(Index1D index, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, ConvGeometry g)
    {
        int pixels = g.OutPixels;
        var (n, co0, pixelTile) = Split(index, g, DivUp(pixels, PixelTile));
        int p0 = pixelTile * PixelTile;

        int last = pixels - 1;
        int p1 = IntrinsicMath.Min(p0 + 1, last), p2 = IntrinsicMath.Min(p0 + 2, last), p3 = IntrinsicMath.Min(p0 + 3, last);
        // Whole-tile loads where every pixel tile is four aligned floats: one view access instead of four.
        bool quadPixels = (pixels & 3) == 0;
        var sourceQuads = source.Cast<Quad>();
        var weightQuads = weights.Cast<Quad>();
        Quad a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int row = (n * g.SourceCapacity + g.SourceOffset) * pixels;
        int w = co0 / ChannelTile * WeightQuads, wStep = g.ChannelTiles * WeightQuads;
        for (int ci = 0; ci < g.InChannels; ci++, row += pixels, w += wStep)
        {
            Quad x;
            if (quadPixels)
            {
                x = sourceQuads[(row + p0) >> 2];
            }
            else
            {
                x.A = source[row + p0];
                x.B = source[row + p1];
                x.C = source[row + p2];
                x.D = source[row + p3];
            }
            MultiplyAdd(weightQuads, w, x, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
        }
        int outRow = (n * g.DestinationCapacity + g.DestinationOffset + co0) * pixels + p0;
        int lanes = IntrinsicMath.Min(PixelTile, pixels - p0);
        Store(destination, bias, g, co0, outRow, pixels, lanes, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /// <summary>
    /// Any k/stride/padding as an implicit GEMM over (ci, ky, kx); the pixel tile is consecutive output columns
    /// of one output row. Taps that fall in the zero padding read 0.
    /// </summary>
    public static void Direct(Index1D index, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, ConvGeometry g)
    {
        var (n, co0, oy, ox0) = RowTile(index, g);

        int k = g.Kernel, s = g.Stride, inH = g.InHeight, inW = g.InWidth;
        int ix0 = ox0 * s - g.Padding;
        int iyTop = oy * s - g.Padding;
        var weightQuads = weights.Cast<Quad>();
        Quad a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int plane = (n * g.SourceCapacity + g.SourceOffset) * g.InPixels;
        int w = co0 / ChannelTile * WeightQuads, wStep = g.ChannelTiles * WeightQuads;
        for (int ci = 0; ci < g.InChannels; ci++, plane += g.InPixels)
        {
            for (int ky = 0; ky < k; ky++)
            {
                int iy = iyTop + ky;
                if (iy < 0 || iy >= inH)
                {
                    w += k * wStep;
                    continue;
                }
                int row = plane + iy * inW;
                for (int kx = 0; kx < k; kx++, w += wStep)
                {
                    int ix = ix0 + kx;
                    Quad x;
                    x.A = Tap(source, row, ix, inW);
                    x.B = Tap(source, row, ix + s, inW);
                    x.C = Tap(source, row, ix + 2 * s, inW);
                    x.D = Tap(source, row, ix + 3 * s, inW);
                    MultiplyAdd(weightQuads, w, x, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                }
            }
        }
        int outRow = ((n * g.DestinationCapacity + g.DestinationOffset + co0) * g.OutHeight + oy) * g.OutWidth + ox0;
        Store(destination, bias, g, co0, outRow, g.OutPixels, IntrinsicMath.Min(PixelTile, g.OutWidth - ox0), a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /// <summary>
    /// 3x3 stride-1 conv (every dense layer's second conv, most of DenseNet's non-pointwise MACs): per input row,
    /// the PixelTile + 2 inputs under the tile are loaded and bounds-checked once and shared by the three column
    /// taps, where <see cref="Direct"/> loads 3 × PixelTile. Thread order and tile as in <see cref="Direct"/>.
    /// </summary>
    public static void Conv3x3(Index1D index, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, ConvGeometry g)
    {
        var (n, co0, oy, ox0) = RowTile(index, g);

        int inH = g.InHeight, inW = g.InWidth;
        int ix0 = ox0 - g.Padding;
        int iyTop = oy - g.Padding;
        var weightQuads = weights.Cast<Quad>();
        Quad a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int plane = (n * g.SourceCapacity + g.SourceOffset) * g.InPixels;
        int w = co0 / ChannelTile * WeightQuads, wStep = g.ChannelTiles * WeightQuads;
        for (int ci = 0; ci < g.InChannels; ci++, plane += g.InPixels)
        {
            for (int ky = 0; ky < 3; ky++)
            {
                int iy = iyTop + ky;
                if (iy < 0 || iy >= inH)
                {
                    w += 3 * wStep;
                    continue;
                }
                int row = plane + iy * inW;
                Quad x;
                x.A = Tap(source, row, ix0, inW);
                x.B = Tap(source, row, ix0 + 1, inW);
                x.C = Tap(source, row, ix0 + 2, inW);
                x.D = Tap(source, row, ix0 + 3, inW);
                float next = Tap(source, row, ix0 + 4, inW), last = Tap(source, row, ix0 + 5, inW);
                MultiplyAdd(weightQuads, w, x, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                w += wStep;
                x = x.Shift(next);
                MultiplyAdd(weightQuads, w, x, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                w += wStep;
                x = x.Shift(last);
                MultiplyAdd(weightQuads, w, x, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                w += wStep;
            }
        }
        int outRow = ((n * g.DestinationCapacity + g.DestinationOffset + co0) * g.OutHeight + oy) * g.OutWidth + ox0;
        Store(destination, bias, g, co0, outRow, g.OutPixels, IntrinsicMath.Min(PixelTile, g.OutWidth - ox0), a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /// <summary>
    /// One tap into the tile: channel j's sums += weight j × the inputs <paramref name="x"/>, the weights being the two
    /// quads at <paramref name="w"/>. Eight locals by reference rather than one struct of eight quads, which the CPU
    /// accelerator (kernels run as .NET code) runs slower; one shared helper rather than its lines written out in each
    /// kernel, at a small measured cost (benchmarks/README.md, "Kernel choices"), so there is one copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(ArrayView<Quad> weightQuads, int w, Quad x,
        ref Quad a0, ref Quad a1, ref Quad a2, ref Quad a3, ref Quad a4, ref Quad a5, ref Quad a6, ref Quad a7)
    {
        var low = weightQuads[w];
        var high = weightQuads[w + 1];
        a0.MultiplyAdd(low.A, x);
        a1.MultiplyAdd(low.B, x);
        a2.MultiplyAdd(low.C, x);
        a3.MultiplyAdd(low.D, x);
        a4.MultiplyAdd(high.A, x);
        a5.MultiplyAdd(high.B, x);
        a6.MultiplyAdd(high.C, x);
        a7.MultiplyAdd(high.D, x);
    }

    /// <summary>A thread of a row-tiled conv → (image, first output channel, output row, first output column).</summary>
    private static (int Image, int Channel, int Row, int Column) RowTile(int thread, in ConvGeometry g)
    {
        int xTiles = DivUp(g.OutWidth, PixelTile);
        var (n, co0, pixelTile) = Split(thread, g, g.OutHeight * xTiles);
        return (n, co0, pixelTile / xTiles, pixelTile % xTiles * PixelTile);
    }

    /// <summary>A thread number → (image, first output channel, pixel tile within the image).</summary>
    private static (int Image, int Channel, int PixelTile) Split(int thread, in ConvGeometry g, int pixelTiles)
    {
        int perImage = pixelTiles * g.ChannelTiles;
        int n = thread / perImage, t = thread % perImage;
        return g.ChannelsFastest != 0
            ? (n, t % g.ChannelTiles * ChannelTile, t / g.ChannelTiles)
            : (n, t / pixelTiles * ChannelTile, t % pixelTiles);
    }

    private static float Tap(ArrayView<float> source, int row, int ix, int width) =>
        ix >= 0 && ix < width ? source[row + ix] : 0f;

    /// <summary>Bias + optional ReLU, then the valid lanes of the tile; <paramref name="planeStride"/> steps one channel.</summary>
    private static void Store(ArrayView<float> destination, ArrayView<float> bias, in ConvGeometry g, int co0, int first,
        int planeStride, int lanes, Quad a0, Quad a1, Quad a2, Quad a3, Quad a4, Quad a5, Quad a6, Quad a7)
    {
        int channels = IntrinsicMath.Min(ChannelTile, g.OutChannels - co0);
        for (int j = 0; j < channels; j++)
        {
            var a = j switch { 0 => a0, 1 => a1, 2 => a2, 3 => a3, 4 => a4, 5 => a5, 6 => a6, _ => a7 };
            float b = bias[co0 + j];
            int o = first + j * planeStride;
            for (int lane = 0; lane < lanes; lane++)
            {
                float v = a.Get(lane) + b;
                destination[o + lane] = g.Relu != 0 ? IntrinsicMath.Max(v, 0f) : v;
            }
        }
    }

    internal static int DivUp(int value, int divisor) => (value + divisor - 1) / divisor;
}
