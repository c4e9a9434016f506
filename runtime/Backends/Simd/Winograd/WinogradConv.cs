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
/// <para>
/// The input transform's first pass (Bᵀd, down each pixel column) is done once per column of a run of tiles in one
/// tile row, into a band, not once per tile: neighbouring tiles share α − m columns, so a run of k tiles transforms
/// km + 2 columns rather than kα (a third fewer for F(4x4), half for F(2x2)), and a column outside the map is
/// zeros without being read. Each value is the same transform of the same pixels as a tile's own patch would give.
/// </para>
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

    /// <summary>Floats of one band: α vectors for each of the km + 2 pixel columns under a run of at most Rows tiles.</summary>
    private static int BandFloats => (Rows * TTile.Output + 2) * TTile.Alpha * TVec.Count;

    /// <summary>Per-worker scratch for <paramref name="kBlocks"/> input blocks: α² operands, α² results, then the band.</summary>
    public static long ScratchFloats(int kBlocks) => (long)Elements * (OperandFloats(kBlocks) + ResultFloats) + BandFloats;

    public int TileCount => _tiling.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        var (t0, rows, firstPanel, endPanel) = _tiling.Split(tile);
        float* operands = _scratch + WorkerPool.CurrentWorker * _scratchPerWorker;
        float* results = operands + (long)Elements * OperandFloats(_layout.KBlocks);
        float* band = results + Elements * ResultFloats;
        float* column = stackalloc float[TTile.Alpha * TVec.Count];
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
        // Within a block, run by run: consecutive tiles of one image and tile row (consecutive indices, so x0 grows by m).
        for (int kb = 0; kb < _layout.KBlocks; kb++)
            for (int r = 0, end; r < rows; r = end)
            {
                for (end = r + 1; end < rows && origins[3 * end] == origins[3 * r] && origins[3 * end + 1] == origins[3 * r + 1]; end++) { }
                TransformInput(operands, r, end, origins[3 * r], origins[3 * r + 1], origins[3 * r + 2], kb, band, column);
            }
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            int vectors = _layout.Vectors(panel);
            for (int e = 0; e < Elements; e++)
                MicroKernel<TVec>.Run(operands + (long)e * OperandFloats(_layout.KBlocks), _weights.Element(e).Panel(panel), _layout.KSlots, results + e * ResultFloats, vectors, rows);
            for (int r = 0; r < rows; r++) TransformOutput(results, r, t0 + r, panel);
        }
    }

    /// <summary>
    /// Block <paramref name="kb"/> of the input of rows [<paramref name="firstRow"/>, <paramref name="endRow"/>), a run
    /// of tiles in one tile row of image <paramref name="n"/> whose first α×α patch starts at (<paramref name="y0"/>,
    /// <paramref name="x0"/>), Bᵀ d B, into those rows of every element's operand. <paramref name="band"/> holds
    /// <see cref="BandFloats"/>, <paramref name="column"/> α vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformInput(float* operands, int firstRow, int endRow, int n, int y0, int x0, int kb, float* band, float* column)
    {
        int alpha = TTile.Alpha, m = TTile.Output, count = TVec.Count;
        int operandFloats = OperandFloats(_layout.KBlocks);
        int ownFirst = _layout.InOffset - _layout.InBase, ownEnd = _layout.KSlots;
        bool partial = kb * Blocked.Lanes < ownFirst || (kb + 1) * Blocked.Lanes > ownEnd;
        // The patch rows inside the map, [rowFirst, rowEnd); rows outside read as 0.
        int rowFirst = Math.Max(0, -y0), rowEnd = Math.Min(alpha, _height - y0);
        bool direct = rowFirst == 0 && rowEnd == alpha && !partial;
        long rowStride = (long)_width * Blocked.Lanes;
        float* block = _input + n * _inImage + (_layout.InBase / Blocked.Lanes + kb) * _inBlock;
        int columns = (endRow - firstRow) * m + 2;
        for (int v = 0; v < Blocked.Lanes; v += count)
        {
            var mask = partial ? TVec.Load(_mask.Pointer + kb * Blocked.Lanes + v) : default;
            // First pass: band[c][i] = (Bᵀ d)[i] of pixel column x0 + c, read in place when it needs no zeros or mask.
            for (int c = 0; c < columns; c++)
            {
                float* target = band + c * alpha * count;
                int x = x0 + c;
                if ((uint)x >= (uint)_width)
                {
                    for (int i = 0; i < alpha; i++) TVec.Store(target + i * count, TVec.Zero);
                    continue;
                }
                float* d = block + y0 * rowStride + (long)x * Blocked.Lanes + v; // y0 may be −1: rows outside are not read
                if (direct)
                {
                    TTile.Input<TVec>(d, (int)rowStride, target, count);
                    continue;
                }
                for (int i = 0; i < alpha; i++)
                {
                    var value = i >= rowFirst && i < rowEnd ? TVec.Load(d + i * rowStride) : TVec.Zero;
                    TVec.Store(column + i * count, partial ? TVec.Multiply(value, mask) : value);
                }
                TTile.Input<TVec>(column, count, target, count);
            }
            // Second pass: per tile, row i of its α band columns, (Bᵀ d) B, into elements iα .. iα + α − 1.
            for (int r = firstRow; r < endRow; r++)
            {
                float* source = band + (r - firstRow) * m * alpha * count;
                float* target = operands + kb * Rows * Blocked.Lanes + r * Blocked.Lanes + v;
                for (int i = 0; i < alpha; i++)
                    TTile.Input<TVec>(source + i * count, alpha * count, target + (long)i * alpha * operandFloats, operandFloats);
            }
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
