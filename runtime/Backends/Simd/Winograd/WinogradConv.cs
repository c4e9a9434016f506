using System.Runtime.CompilerServices;
using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>
/// A 3x3, stride 1, padding 1 convolution by Winograd's <typeparamref name="TTile"/>, bound to one input shape:
/// out = [relu](conv(in) + bias) on NCHW16c buffers, reading the weights' input slots and writing only the conv's
/// own output channels (a dense layer's 3x3 conv appends to its block buffer at its channel offset).
/// </summary>
/// <remarks>
/// A tile is a group of at most <see cref="MicroKernel{TVec}.Rows"/> Winograd tiles (m×m output pixels each, numbered over
/// the batch row by row) and a share of the weight panels. It (1) transforms each Winograd tile's α×α input patch,
/// zero-padded at the map's edges, into its worker's scratch as α² GEMM operands [kBlock][Rows][16], the layout of
/// the 1x1 GEMM's packed input; (2) per panel, multiplies each element's operand by that element's transformed
/// weights with the 1x1 GEMM's micro-kernel; (3) applies the output transform, the bias and ReLU, and stores the
/// m×m pixels that lie inside the map straight into the destination. Input lanes outside the weights' own slots
/// are zeroed before the transform: they hold finite values of no meaning (see <see cref="Blocked"/>), and the
/// transform must not carry them anywhere weights would not zero them. In a dense layer the BN-ReLU before the 3x3
/// conv (norm2) is folded into the 1x1 conv before it, whose store applies the ReLU, so the input transform reads
/// activated values and has no prologue of its own. The stack buffers are written in full before they are read, so
/// they skip the zeroing C# gives stackalloc by default (TransformOutput's 2.6 KB were cleared per row and panel).
/// </remarks>
[SkipLocalsInit]
internal sealed unsafe class WinogradConv<TVec, TTile> : ISimdLaunch where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile
{
    private readonly WinogradWeights<TVec, TTile> _weights;
    private readonly PointwiseWeights<TVec> _layout;
    private readonly bool _relu;
    private readonly float* _input;
    private readonly long _inImage, _inBlock;
    private readonly float* _output;
    private readonly long _outImage, _outBlock;
    private readonly int _height, _width, _tilesX, _tilesPerImage, _tiles;
    private readonly float* _scratch;
    private readonly long _scratchPerWorker;
    private readonly PanelTiling _tiling;
    /// <summary>1 on the input slots the weights own, 0 elsewhere; used on the blocks that are partly the conv's.</summary>
    private readonly PinnedFloats _mask;

    public WinogradConv(WinogradWeights<TVec, TTile> weights, bool relu, int batch,
        float* input, int inCapacity, float* output, int outCapacity, int height, int width,
        float* scratch, long scratchPerWorker, int threads)
    {
        if (scratchPerWorker < ScratchFloats(weights.Layout.KBlocks)) throw new ArgumentException("scratch too small", nameof(scratchPerWorker));
        _weights = weights;
        _layout = weights.Layout;
        _relu = relu;
        _input = input;
        _inBlock = (long)height * width * Blocked.Lanes;
        _inImage = _inBlock * Blocked.Blocks(inCapacity);
        _output = output;
        _outBlock = _inBlock;
        _outImage = _outBlock * Blocked.Blocks(outCapacity);
        (_height, _width) = (height, width);
        int m = TTile.Output;
        _tilesX = (width + m - 1) / m;
        _tilesPerImage = (height + m - 1) / m * _tilesX;
        _tiles = batch * _tilesPerImage;
        _scratch = scratch;
        _scratchPerWorker = scratchPerWorker;
        _mask = new PinnedFloats(_layout.KBlocks * Blocked.Lanes);
        for (int k = _layout.InOffset - _layout.InBase; k < _layout.KSlots; k++) _mask.Pointer[k] = 1;
        _tiling = new PanelTiling(_tiles, Rows, _layout.Panels, threads);
    }

    private static int Rows => MicroKernel<TVec>.Rows;
    private static int Elements => TTile.Alpha * TTile.Alpha;

    /// <summary>Floats of one element's GEMM operand, [kBlocks][Rows][16].</summary>
    private static int OperandFloats(int kBlocks) => kBlocks * Rows * Blocked.Lanes;

    /// <summary>Floats of one element's GEMM result, [Rows][PanelWidth].</summary>
    private static int ResultFloats => Rows * PointwiseWeights<TVec>.PanelWidth;

    /// <summary>Per-worker scratch for <paramref name="kBlocks"/> input blocks: α² operands, then α² results.</summary>
    public static long ScratchFloats(int kBlocks) => (long)Elements * (OperandFloats(kBlocks) + ResultFloats);

    public int TileCount => _tiling.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        var (t0, rows, firstPanel, endPanel) = _tiling.Split(tile);
        float* operands = _scratch + WorkerPool.CurrentWorker * _scratchPerWorker;
        float* results = operands + (long)Elements * OperandFloats(_layout.KBlocks);
        int alpha = TTile.Alpha, count = TVec.Count;
        float* patch = stackalloc float[alpha * alpha * count];
        float* columns = stackalloc float[alpha * alpha * count];
        // Each Winograd tile's image and input origin, worked out once rather than per block (three divisions).
        int* origins = stackalloc int[3 * Rows];
        for (int r = 0; r < rows; r++)
        {
            int index = t0 + r, t = index % _tilesPerImage;
            origins[3 * r] = index / _tilesPerImage;
            origins[3 * r + 1] = t / _tilesX * TTile.Output - 1;
            origins[3 * r + 2] = t % _tilesX * TTile.Output - 1;
        }
        // Block by block, so the source is read as α row streams at a time rather than α·kBlocks, more than the
        // hardware prefetchers follow (DenseNet-121 b8, one thread: the 56x56 convs took 35 ms tile by tile, 30 ms so).
        for (int kb = 0; kb < _layout.KBlocks; kb++)
            for (int r = 0; r < rows; r++)
                TransformInput(operands, r, origins[3 * r], origins[3 * r + 1], origins[3 * r + 2], kb, patch, columns);
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            int vectors = _layout.Vectors(panel);
            for (int e = 0; e < Elements; e++)
                MicroKernel<TVec>.Run(operands + (long)e * OperandFloats(_layout.KBlocks), _weights.Element(e).Panel(panel), _layout.KSlots, results + e * ResultFloats, vectors, rows);
            for (int r = 0; r < rows; r++) TransformOutput(results, r, t0 + r, panel);
        }
    }

    /// <summary>
    /// Block <paramref name="kb"/> of the input of the Winograd tile whose α×α patch starts at (<paramref name="y0"/>,
    /// <paramref name="x0"/>) of image <paramref name="n"/>, Bᵀ d B, into row <paramref name="row"/> of every element's
    /// operand; <paramref name="patch"/> and <paramref name="columns"/> hold α² vectors each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformInput(float* operands, int row, int n, int y0, int x0, int kb, float* patch, float* columns)
    {
        int alpha = TTile.Alpha, count = TVec.Count;
        bool inside = y0 >= 0 && x0 >= 0 && y0 + alpha <= _height && x0 + alpha <= _width;
        int operandFloats = OperandFloats(_layout.KBlocks);
        int ownFirst = _layout.InOffset - _layout.InBase, ownEnd = _layout.KSlots;
        float* block = _input + n * _inImage + (_layout.InBase / Blocked.Lanes + kb) * _inBlock;
        bool partial = kb * Blocked.Lanes < ownFirst || (kb + 1) * Blocked.Lanes > ownEnd;
        for (int v = 0; v < Blocked.Lanes; v += count)
        {
            // d: the α×α patch of this vector of channels, read in place when it lies inside the map and needs no mask.
            float* d;
            int dRow, dColumn;
            if (inside && !partial)
            {
                d = block + ((long)y0 * _width + x0) * Blocked.Lanes + v;
                dRow = _width * Blocked.Lanes;
                dColumn = Blocked.Lanes;
            }
            else
            {
                Gather(patch, block, y0, x0, partial ? _mask.Pointer + kb * Blocked.Lanes + v : null, v);
                d = patch;
                dRow = alpha * count;
                dColumn = count;
            }
            for (int j = 0; j < alpha; j++) TTile.Input<TVec>(d + j * dColumn, dRow, columns + j * count, alpha * count);
            float* target = operands + kb * Rows * Blocked.Lanes + row * Blocked.Lanes + v;
            for (int i = 0; i < alpha; i++) TTile.Input<TVec>(columns + i * alpha * count, count, target + (long)i * alpha * operandFloats, operandFloats);
        }
    }

    /// <summary>The α×α patch at (y0, x0) of one vector of channels, 0 outside the map, masked when <paramref name="mask"/> is set.</summary>
    private void Gather(float* patch, float* block, int y0, int x0, float* mask, int v)
    {
        int alpha = TTile.Alpha, count = TVec.Count;
        for (int i = 0; i < alpha; i++)
            for (int j = 0; j < alpha; j++)
            {
                int y = y0 + i, x = x0 + j;
                var value = (uint)y < (uint)_height && (uint)x < (uint)_width ? TVec.Load(block + ((long)y * _width + x) * Blocked.Lanes + v) : TVec.Zero;
                if (mask != null) value = TVec.Multiply(value, TVec.Load(mask));
                TVec.Store(patch + (i * alpha + j) * count, value);
            }
    }

    /// <summary>Aᵀ M A of Winograd tile <paramref name="index"/> for one panel, plus bias and ReLU, into the m×m pixels inside the map.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformOutput(float* results, int row, int index, int panel)
    {
        int alpha = TTile.Alpha, m = TTile.Output, count = TVec.Count, width = PointwiseWeights<TVec>.PanelWidth;
        int n = index / _tilesPerImage, t = index % _tilesPerImage;
        int y0 = t / _tilesX * m, x0 = t % _tilesX * m;
        int ownFirst = _layout.OutOffset - _layout.OutBase, ownEnd = ownFirst + _layout.OutChannels;
        float* columns = stackalloc float[m * alpha * count];
        float* pixels = stackalloc float[m * m * count];
        float* lanes = stackalloc float[count];
        for (int v = 0; v < width; v += count)
        {
            int j0 = panel * width + v;
            if (j0 + count <= ownFirst || j0 >= ownEnd) continue;
            bool whole = j0 >= ownFirst && j0 + count <= ownEnd;
            float* source = results + row * width + v;
            int resultFloats = ResultFloats;
            for (int j = 0; j < alpha; j++) TTile.OutputTransform<TVec>(source + j * resultFloats, alpha * resultFloats, columns + j * count, alpha * count);
            for (int i = 0; i < m; i++) TTile.OutputTransform<TVec>(columns + i * alpha * count, count, pixels + i * m * count, count);
            int channel = _layout.OutBase + j0;
            var bias = TVec.Load(_layout.Bias + j0);
            float* plane = _output + n * _outImage + channel / Blocked.Lanes * _outBlock + channel % Blocked.Lanes;
            for (int i = 0; i < m && y0 + i < _height; i++)
                for (int j = 0; j < m && x0 + j < _width; j++)
                {
                    var value = TVec.Add(TVec.Load(pixels + (i * m + j) * count), bias);
                    if (_relu) value = TVec.Relu(value);
                    float* destination = plane + ((long)(y0 + i) * _width + x0 + j) * Blocked.Lanes;
                    if (whole)
                    {
                        TVec.Store(destination, value);
                        continue;
                    }
                    // A vector straddling the conv's first or last channel: lanes outside belong to other layers.
                    TVec.Store(lanes, value);
                    for (int l = Math.Max(0, ownFirst - j0); l < Math.Min(count, ownEnd - j0); l++) destination[l] = lanes[l];
                }
        }
    }
}
