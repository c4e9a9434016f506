using System.Runtime.CompilerServices;
using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// One thread's share of staging a tiled conv's K step (see <see cref="TiledConvKernels"/>): column
/// <c>t % 64</c> of rows <c>t / 64 + 4j</c> of the weight slice [Depth][64 channels] and of the input slice
/// [Depth][64 pixels], held in registers between the global load and the shared-memory store. The thread's
/// pixel is decoded once; rows past the K range and columns past the channels or pixels stage zeros, so the
/// multiply needs no bounds checks.
/// </summary>
internal struct Staging
{
    private const int Rows = TiledConvKernels.Depth / 4;

    private int _row, _column, _channel;
    private int _plane, _iy, _ix;
    private bool _pixelValid;
    private float _w0, _w1, _w2, _w3, _x0, _x1, _x2, _x3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Staging Begin(in TiledConvGeometry g, in TiledConvKernels.TileOrigin tile)
    {
        int t = Group.IdxX;
        var s = new Staging { _row = t >> 6, _column = t & 63 };
        s._channel = tile.Channel + s._column;
        int p = tile.Pixel + s._column;
        s._pixelValid = p < g.Pixels;
        int outPixels = g.OutPixels;
        int n = p / outPixels, q = p % outPixels;
        int oy = q / g.OutWidth, ox = q % g.OutWidth;
        s._plane = (n * g.SourceCapacity + g.SourceOffset) * g.SourceHeight * g.SourceWidth;
        s._iy = oy * g.Stride - g.Padding;
        s._ix = ox * g.Stride - g.Padding;
        return s;
    }

    /// <summary>Loads the thread's values of the K step starting at row <paramref name="k0"/> into registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Load(ArrayView<float> source, ArrayView<float> weights, ArrayView<float> scale, ArrayView<float> shift,
        in TiledConvGeometry g, int k0)
    {
        int k = k0 + _row;
        _w0 = Weight(weights, g, k);
        _x0 = Input(source, scale, shift, g, k);
        _w1 = Weight(weights, g, k + Rows);
        _x1 = Input(source, scale, shift, g, k + Rows);
        _w2 = Weight(weights, g, k + 2 * Rows);
        _x2 = Input(source, scale, shift, g, k + 2 * Rows);
        _w3 = Weight(weights, g, k + 3 * Rows);
        _x3 = Input(source, scale, shift, g, k + 3 * Rows);
    }

    /// <summary>
    /// Stores the registers into slice buffer <paramref name="buffer"/> (0 or 1), each rounded by
    /// <typeparamref name="TOperands"/> (TF32 for the TF32 kernel, cvt.rna, so the tensor cores see correctly
    /// rounded operands rather than truncated ones).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store<TOperands>(ArrayView<float> weightSlices, ArrayView<float> inputSlices, int buffer)
        where TOperands : struct, IOperandRounding
    {
        var operands = default(TOperands);
        int at = buffer * TiledConvKernels.SliceFloats + _row * TiledConvKernels.TileChannels + _column;
        const int step = Rows * TiledConvKernels.TileChannels;
        weightSlices[at] = operands.Round(_w0);
        inputSlices[at] = operands.Round(_x0);
        weightSlices[at + step] = operands.Round(_w1);
        inputSlices[at + step] = operands.Round(_x1);
        weightSlices[at + 2 * step] = operands.Round(_w2);
        inputSlices[at + 2 * step] = operands.Round(_x2);
        weightSlices[at + 3 * step] = operands.Round(_w3);
        inputSlices[at + 3 * step] = operands.Round(_x3);
    }

    private readonly float Weight(ArrayView<float> weights, in TiledConvGeometry g, int k) =>
        k < g.Depth && _channel < g.OutPadded ? weights[k * g.OutPadded + _channel] : 0f;

    /// <summary>Input value of K row <paramref name="k"/> = (ci, ky, kx) at the thread's pixel, after the prologue.</summary>
    private readonly float Input(ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift, in TiledConvGeometry g, int k)
    {
        if (!_pixelValid || k >= g.Depth) return 0f;
        int taps = g.Kernel * g.Kernel;
        int ci = k / taps, tap = k % taps;
        return Prologue(source, scale, shift, g, _plane, ci, _iy + tap / g.Kernel, _ix + tap % g.Kernel);
    }

    /// <summary>
    /// Input pixel (<paramref name="iy"/>, <paramref name="ix"/>) of channel <paramref name="ci"/> as the conv reads
    /// it, after <see cref="TiledConvGeometry.Prologue"/>; 0 in the padding, whatever the prologue.
    /// </summary>
    /// <param name="source">The input buffer, NCHW float32.</param>
    /// <param name="scale">Per-input-channel BatchNorm scale, read when the geometry has a prologue.</param>
    /// <param name="shift">Per-input-channel BatchNorm shift.</param>
    /// <param name="g">The conv's shape, which says the prologue and the padding.</param>
    /// <param name="plane">Offset of the image's first input channel in the source.</param>
    /// <param name="ci">Input channel, relative to the conv's first.</param>
    /// <param name="iy">Input row, before padding is removed (negative or past the height in the padding).</param>
    /// <param name="ix">Input column, likewise.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Prologue(ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift, in TiledConvGeometry g,
        int plane, int ci, int iy, int ix)
    {
        if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) return 0f;
        int sourceWidth = g.SourceWidth;
        plane += ci * g.SourceHeight * sourceWidth;
        if (g.Prologue == TiledPrologue.None)
            return source[plane + iy * sourceWidth + ix];
        float a = scale[ci], b = shift[ci];
        if (g.Prologue == TiledPrologue.NormRelu)
            return IntrinsicMath.Max(source[plane + iy * sourceWidth + ix] * a + b, 0f);
        int at = plane + 2 * iy * sourceWidth + 2 * ix;
        float sum = IntrinsicMath.Max(source[at] * a + b, 0f) + IntrinsicMath.Max(source[at + 1] * a + b, 0f) +
            IntrinsicMath.Max(source[at + sourceWidth] * a + b, 0f) + IntrinsicMath.Max(source[at + sourceWidth + 1] * a + b, 0f);
        return sum * 0.25f;
    }
}
