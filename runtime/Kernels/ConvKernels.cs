using ILGPU;

namespace DenseNetGen.Kernels;

/// <summary>
/// Convolution kernels (layouts in <see cref="ConvGeometry"/>). Each thread computes a register tile of
/// <see cref="ChannelTile"/> output channels × <see cref="PixelTile"/> output pixels with no shared memory and
/// no barriers: ILGPU's CPU accelerator emulates barriers with OS threads, which costs far more than it saves.
/// Threads are numbered image slowest; within an image either pixel tile fastest (neighbouring GPU threads read
/// neighbouring pixels) or channel tile fastest (on CPUs, threads that run back to back re-read the same input
/// pixels from cache), as <see cref="ConvGeometry.ChannelsFastest"/> says.
/// The tile is 8 channels × 4 pixels (two weight quads and one input quad per input channel and tap): against
/// 4 × 4 it cut DenseNet-121's forward from 1011 to 787 ms on the CPU accelerator and its convs from 320 to
/// 224 ms on PoCL (2 cores, `densenet-bench profile`); 8 × 8 measured no better on either and leaves a GPU
/// fewer threads for small layers.
/// </summary>
public static class ConvKernels
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
            var wq = weightQuads[w];
            var wr = weightQuads[w + 1];
            a0.MultiplyAdd(wq.A, x);
            a1.MultiplyAdd(wq.B, x);
            a2.MultiplyAdd(wq.C, x);
            a3.MultiplyAdd(wq.D, x);
            a4.MultiplyAdd(wr.A, x);
            a5.MultiplyAdd(wr.B, x);
            a6.MultiplyAdd(wr.C, x);
            a7.MultiplyAdd(wr.D, x);
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
        int xTiles = DivUp(g.OutWidth, PixelTile);
        var (n, co0, pixelTile) = Split(index, g, g.OutHeight * xTiles);
        int oy = pixelTile / xTiles;
        int ox0 = pixelTile % xTiles * PixelTile;

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
                    var wq = weightQuads[w];
                    var wr = weightQuads[w + 1];
                    a0.MultiplyAdd(wq.A, x);
                    a1.MultiplyAdd(wq.B, x);
                    a2.MultiplyAdd(wq.C, x);
                    a3.MultiplyAdd(wq.D, x);
                    a4.MultiplyAdd(wr.A, x);
                    a5.MultiplyAdd(wr.B, x);
                    a6.MultiplyAdd(wr.C, x);
                    a7.MultiplyAdd(wr.D, x);
                }
            }
        }
        int outRow = ((n * g.DestinationCapacity + g.DestinationOffset + co0) * g.OutHeight + oy) * g.OutWidth + ox0;
        int lanes = IntrinsicMath.Min(PixelTile, g.OutWidth - ox0);
        Store(destination, bias, g, co0, outRow, g.OutPixels, lanes, a0, a1, a2, a3, a4, a5, a6, a7);
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
            Quad a = j == 0 ? a0 : j == 1 ? a1 : j == 2 ? a2 : j == 3 ? a3 : j == 4 ? a4 : j == 5 ? a5 : j == 6 ? a6 : a7;
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
