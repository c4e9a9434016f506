using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Gemm;

/// <summary>
/// A 1x1 convolution as a packed GEMM over pixels, bound to one input shape: each tile packs the input of a group of
/// at most <see cref="MicroKernel{TVec}.Rows"/> output pixels into its worker's scratch, applying the BN-ReLU prologue (and
/// the transition's 2x2 average) on the way, then runs the micro-kernel over its weight panels and writes bias,
/// ReLU and the op's own lanes to the blocked output.
/// </summary>
/// <remarks>
/// Tiles are pixel groups × shares of the panels (<see cref="PanelTiling"/>); the packing is repeated per share,
/// which costs 1/(2·Count) of the tile's FLOPs.
/// </remarks>
internal sealed unsafe class PointwiseConv<TVec> : ISimdLaunch where TVec : struct, IVec<TVec>
{
    private readonly PointwiseWeights<TVec> _w;
    private readonly bool _average2x2;
    private readonly bool _relu;
    private readonly float* _input;
    private readonly long _inImage, _inBlock;
    private readonly int _inWidth;
    private readonly float* _output;
    private readonly long _outImage, _outBlock;
    private readonly int _outWidth, _outPixels, _pixels;
    private readonly float* _scratch;
    private readonly long _scratchPerWorker;
    private readonly PanelTiling _tiling;

    /// <param name="weights">The packed weights and prologue; owned by the caller and outliving this op.</param>
    /// <param name="average2x2">The input is 2x the output size and each output pixel reads the 2x2 average of the prologue's result.</param>
    /// <param name="relu">Apply ReLU to the output.</param>
    /// <param name="batch">Images in the input.</param>
    /// <param name="input">The source buffer, channel-blocked (<see cref="Blocked"/>); caller-owned memory.</param>
    /// <param name="inCapacity">The source buffer's channel count, which sets its image stride.</param>
    /// <param name="inHeight">Source rows.</param>
    /// <param name="inWidth">Source columns.</param>
    /// <param name="output">The destination buffer, channel-blocked; caller-owned memory.</param>
    /// <param name="outCapacity">The destination buffer's channel count.</param>
    /// <param name="outHeight">Output rows.</param>
    /// <param name="outWidth">Output columns.</param>
    /// <param name="scratch">Per-worker packing space, <paramref name="scratchPerWorker"/> floats per worker.</param>
    /// <param name="scratchPerWorker">Floats per worker; at least <see cref="ScratchFloats"/>.</param>
    /// <param name="threads">Workers that will run the tiles; sets how finely panels are shared.</param>
    /// <exception cref="ArgumentException"><paramref name="scratchPerWorker"/> is too small.</exception>
    public PointwiseConv(PointwiseWeights<TVec> weights, bool average2x2, bool relu, int batch,
        float* input, int inCapacity, int inHeight, int inWidth,
        float* output, int outCapacity, int outHeight, int outWidth,
        float* scratch, long scratchPerWorker, int threads)
    {
        if (scratchPerWorker < ScratchFloats(weights)) throw new ArgumentException("scratch too small", nameof(scratchPerWorker));
        _w = weights;
        _average2x2 = average2x2;
        _relu = relu;
        _input = input;
        _inBlock = (long)inHeight * inWidth * Blocked.Lanes;
        _inImage = _inBlock * Blocked.Blocks(inCapacity);
        _inWidth = inWidth;
        _output = output;
        _outBlock = (long)outHeight * outWidth * Blocked.Lanes;
        _outImage = _outBlock * Blocked.Blocks(outCapacity);
        _outWidth = outWidth;
        _outPixels = outHeight * outWidth;
        _pixels = batch * _outPixels;
        _scratch = scratch;
        _scratchPerWorker = scratchPerWorker;
        _tiling = new PanelTiling(_pixels, Rows, weights.Panels, threads);
    }

    private static int Rows => MicroKernel<TVec>.Rows;

    public static long ScratchFloats(PointwiseWeights<TVec> weights) =>
        (long)Rows * weights.KBlocks * Blocked.Lanes + Rows * PointwiseWeights<TVec>.PanelWidth;

    public int TileCount => _tiling.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        var (p0, rows, firstPanel, endPanel) = _tiling.Split(tile);
        float* a = _scratch + WorkerPool.CurrentWorker * _scratchPerWorker;
        float* c = a + (long)Rows * _w.KBlocks * Blocked.Lanes;
        Pack(a, p0, rows);
        // Where each row's pixel sits in the output, computed once per tile, not per panel and vector.
        long* pixelOffsets = stackalloc long[Rows];
        for (int r = 0; r < rows; r++)
        {
            int p = p0 + r, n = p / _outPixels, q = p - n * _outPixels;
            pixelOffsets[r] = n * _outImage + (long)q * Blocked.Lanes;
        }
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            MicroKernel<TVec>.Run(a, _w.Panel(panel), _w.KSlots, c, _w.Vectors(panel), rows);
            Store(c, pixelOffsets, rows, panel);
        }
    }

    /// <summary>A = prologue(input) for pixels p0.., as [kBlock][Rows][16]; rows past <paramref name="rows"/> are left as they are (the micro-kernel reads only a group's own).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(float* a, int p0, int rows)
    {
        int kBlocks = _w.KBlocks, stride = Rows * Blocked.Lanes;
        float* scale = _w.Scale, shift = _w.Shift;
        bool prologue = scale != null;
        for (int r = 0; r < rows; r++)
        {
            float* dst = a + r * Blocked.Lanes;
            int p = p0 + r, n = p / _outPixels, q = p % _outPixels;
            float* src = _input + n * _inImage + _w.InBase / Blocked.Lanes * _inBlock;
            if (!_average2x2)
            {
                src += (long)q * Blocked.Lanes;
                for (int kb = 0; kb < kBlocks; kb++, src += _inBlock)
                    for (int v = 0; v < Blocked.Lanes; v += TVec.Count)
                    {
                        var x = TVec.Load(src + v);
                        if (prologue) x = Activate(x, scale + kb * Blocked.Lanes + v, shift + kb * Blocked.Lanes + v);
                        TVec.Store(dst + kb * stride + v, x);
                    }
            }
            else
            {
                int oy = q / _outWidth, ox = q % _outWidth;
                src += ((long)2 * oy * _inWidth + 2 * ox) * Blocked.Lanes;
                long down = (long)_inWidth * Blocked.Lanes;
                var quarter = TVec.Broadcast(0.25f);
                for (int kb = 0; kb < kBlocks; kb++, src += _inBlock)
                    for (int v = 0; v < Blocked.Lanes; v += TVec.Count)
                    {
                        float* s = src + v;
                        TVec x00 = TVec.Load(s), x01 = TVec.Load(s + Blocked.Lanes), x10 = TVec.Load(s + down), x11 = TVec.Load(s + down + Blocked.Lanes);
                        if (prologue)
                        {
                            float* sc = scale + kb * Blocked.Lanes + v, sh = shift + kb * Blocked.Lanes + v;
                            x00 = Activate(x00, sc, sh);
                            x01 = Activate(x01, sc, sh);
                            x10 = Activate(x10, sc, sh);
                            x11 = Activate(x11, sc, sh);
                        }
                        TVec.Store(dst + kb * stride + v, TVec.Multiply(TVec.Add(TVec.Add(x00, x01), TVec.Add(x10, x11)), quarter));
                    }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Activate(TVec x, float* scale, float* shift) =>
        TVec.Relu(TVec.Fma(x, TVec.Load(scale), TVec.Load(shift)));

    /// <summary>Output = C + bias (then ReLU) on the op's own lanes of one panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(float* c, long* pixelOffsets, int rows, int panel)
    {
        int width = PointwiseWeights<TVec>.PanelWidth;
        int ownFirst = _w.OutOffset - _w.OutBase, ownEnd = ownFirst + _w.OutChannels;
        float* lanes = stackalloc float[TVec.Count];
        for (int v = 0; v < width; v += TVec.Count)
        {
            int j = panel * width + v;
            if (j + TVec.Count <= ownFirst || j >= ownEnd) continue;
            bool whole = j >= ownFirst && j + TVec.Count <= ownEnd;
            int channel = _w.OutBase + j;
            var bias = TVec.Load(_w.Bias + j);
            float* column = _output + channel / Blocked.Lanes * _outBlock + channel % Blocked.Lanes;
            for (int r = 0; r < rows; r++)
            {
                var x = TVec.Add(TVec.Load(c + r * width + v), bias);
                if (_relu) x = TVec.Relu(x);
                float* dst = column + pixelOffsets[r];
                if (whole)
                {
                    TVec.Store(dst, x);
                    continue;
                }
                TVec.Store(lanes, x);
                for (int l = Math.Max(0, ownFirst - j); l < Math.Min(TVec.Count, ownEnd - j); l++)
                    dst[l] = lanes[l];
            }
        }
    }
}
