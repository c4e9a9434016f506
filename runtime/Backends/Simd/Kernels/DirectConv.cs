using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// A direct convolution of any kernel, stride and padding on NCHW16c buffers, bound to one <see cref="ConvShape"/>:
/// out = [relu](conv(prologue(in)) + bias), where the optional prologue is relu(in·scale + shift) per input channel
/// and the zero padding is applied after it.
/// </summary>
/// <remarks>
/// A tile is (image, range of output columns, range of output rows, group of 32 output channels). It stages the input
/// rows and columns it needs into this thread's slab, padded, prologue-applied and split by stride phase (<see cref="StageRows"/>), then runs
/// <see cref="ConvTile"/> register tiles along each row. The channel loops run over the conv's actual input channels
/// only (a 3-channel stem does 3 per kernel position, not 16). Destination lanes outside [OutOffset, OutOffset +
/// OutChannels) are never written, so neighbouring layers' channels and the zero lanes past the capacity survive.
/// Memory: the slab of a tile stays under <see cref="SlabBudgetFloats"/> unless one window of rows exceeds it.
/// </remarks>
internal sealed unsafe class DirectConv<TVec> : ISimdLaunch where TVec : struct, IVec<TVec>
{
    /// <summary>Aim for this many tiles so two to a few dozen workers share the work evenly.</summary>
    private const int TargetTiles = 16;
    /// <summary>A slab this size (256 KiB) stays in L2 while the tile's rows are convolved.</summary>
    private const int SlabBudgetFloats = 64 * 1024;
    /// <summary>
    /// Output columns per tile at most: wider rows are cut into column ranges, so the k slab rows a register tile
    /// reads stay in L1 (measured: the 7x7 stem on 224 columns ran at a quarter of the speed of the same conv on 112).
    /// </summary>
    private const int MaxColumns = 64;

    private readonly ConvShape _shape;
    private readonly float* _source, _destination;
    private readonly ConvWeights _weights;
    private readonly PinnedFloats? _scale, _shift;
    private readonly bool _relu;
    private readonly int _outHeight, _outWidth;
    private readonly int _inBlock, _blocks, _firstLane, _lastEnd;
    private readonly int _paddedWidth, _phaseWidth, _blockStride, _rowStride;
    private readonly int[] _positions;
    private readonly int _rowsPerTile, _rowChunks, _columnsPerTile, _columnChunks, _maxPixels;

    /// <param name="shape">The conv; validated here.</param>
    /// <param name="source">Batch × ceil(SourceChannels/16) × Height × Width × 16 floats, read only.</param>
    /// <param name="destination">Batch × ceil(DestinationChannels/16) × OutHeight × OutWidth × 16 floats.</param>
    /// <param name="weights">Packed by <see cref="ConvWeights.Pack"/> for this shape's channels, kernel and OutOffset.</param>
    /// <param name="prologueScale">InChannels scales of the input BN-ReLU prologue, or empty for none.</param>
    /// <param name="prologueShift">InChannels shifts of the prologue, or empty for none.</param>
    /// <param name="relu">Whether the epilogue applies ReLU after the bias.</param>
    /// <remarks>The pointers must stay valid while the op runs; the op keeps <paramref name="weights"/> alive.</remarks>
    public DirectConv(in ConvShape shape, float* source, float* destination, ConvWeights weights,
        ReadOnlySpan<float> prologueScale, ReadOnlySpan<float> prologueShift, bool relu)
    {
        shape.Validate();
        if (weights.OutChannels != shape.OutChannels || weights.InChannels != shape.InChannels || weights.Kernel != shape.Kernel
            || weights.Shift != shape.OutOffset % Blocked.Lanes)
            throw new ArgumentException($"The packed weights ({weights.OutChannels}x{weights.InChannels}x{weights.Kernel}, lane {weights.Shift}) do not fit {shape}.", nameof(weights));
        if (prologueScale.Length != prologueShift.Length || (!prologueScale.IsEmpty && prologueScale.Length != shape.InChannels))
            throw new ArgumentException($"The prologue needs {shape.InChannels} scales and shifts.", nameof(prologueScale));

        _shape = shape;
        _source = source;
        _destination = destination;
        _weights = weights;
        _relu = relu;
        _outHeight = shape.OutHeight;
        _outWidth = shape.OutWidth;
        int k = shape.Kernel, s = shape.Stride;

        _inBlock = shape.InOffset / Blocked.Lanes;
        _firstLane = shape.InOffset % Blocked.Lanes;
        _blocks = Blocked.Blocks(_firstLane + shape.InChannels);
        _lastEnd = (shape.InOffset + shape.InChannels - 1) % Blocked.Lanes + 1;
        if (!prologueScale.IsEmpty)
        {
            _scale = new PinnedFloats(_blocks * Blocked.Lanes);
            _shift = new PinnedFloats(_blocks * Blocked.Lanes);
            prologueScale.CopyTo(_scale.Span[_firstLane..]);
            prologueShift.CopyTo(_shift.Span[_firstLane..]);
        }

        _columnChunks = (_outWidth + MaxColumns - 1) / MaxColumns;
        _columnsPerTile = (_outWidth + _columnChunks - 1) / _columnChunks;

        // Slab row: per input block, the padded columns a column range reads, phase c % s first, then c / s.
        _paddedWidth = (_columnsPerTile - 1) * s + k;
        _phaseWidth = (_paddedWidth + s - 1) / s;
        _blockStride = _phaseWidth * s * Blocked.Lanes;
        _rowStride = _blocks * _blockStride;
        _positions = GC.AllocateArray<int>(k * k, pinned: true);
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
                _positions[ky * k + kx] = ky * _rowStride + (kx % s * _phaseWidth + kx / s) * Blocked.Lanes;

        int units = shape.Batch * weights.Groups * _columnChunks;
        int maxRows = Math.Max(1, (Math.Max(k, SlabBudgetFloats / _rowStride) - k) / s + 1);
        int chunks = Math.Clamp((TargetTiles + units - 1) / units, 1, _outHeight);
        _rowsPerTile = Math.Min(maxRows, (_outHeight + chunks - 1) / chunks);
        _rowChunks = (_outHeight + _rowsPerTile - 1) / _rowsPerTile;
        TileCount = units * _rowChunks;
        _maxPixels = VectorWidth.Registers<TVec>() == 32 ? ConvTile.MaxPixels : 6; // 2·pixels accumulators + 2 weights fit 32 or 16 registers
    }

    public int TileCount { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        // Output-channel groups vary fastest, so the groups of one range of rows run together (or side by side on
        // two threads) and the ones after the first find its input in cache: DenseNet-121's stem at batch 8 reads a
        // 26 MB blocked input, more than L3, once per group otherwise.
        int group = tile % _weights.Groups, unit = tile / _weights.Groups;
        int rowChunk = unit % _rowChunks;
        unit /= _rowChunks;
        int columnChunk = unit % _columnChunks, image = unit / _columnChunks;
        int y0 = rowChunk * _rowsPerTile, y1 = Math.Min(_outHeight, y0 + _rowsPerTile);
        int x0 = columnChunk * _columnsPerTile, columns = Math.Min(_outWidth, x0 + _columnsPerTile) - x0;
        // Register tiles of near-equal width: `segments` of `narrow` or narrow + 1 pixels.
        int segments = (columns + _maxPixels - 1) / _maxPixels, narrow = columns / segments, wider = columns % segments;
        int s = _shape.Stride, rows = (y1 - y0 - 1) * s + _shape.Kernel;
        float* slab = PinnedFloats.ThreadScratch((long)rows * _rowStride);
        StageRows(slab, image, y0 * s - _shape.Padding, rows, x0 * s - _shape.Padding);

        fixed (int* positions = _positions)
        {
            var args = new ConvTileArgs
            {
                Positions = positions, PositionCount = _positions.Length,
                Blocks = _blocks, BlockStride = _blockStride, FirstLane = _firstLane, LastEnd = _lastEnd, Relu = _relu,
            };
            int validStart = _weights.Shift, validEnd = _weights.Shift + _shape.OutChannels;
            int destinationBlocks = Blocked.Blocks(_shape.DestinationChannels);
            long plane = (long)_outHeight * _outWidth * Blocked.Lanes;
            float* image0 = _destination + (long)image * destinationBlocks * plane;
            int channel0 = _shape.OutOffset - _weights.Shift; // destination channel of packed channel 0, a multiple of 16
            for (int y = y0; y < y1; y++)
            {
                for (int segment = 0, x = x0; segment < segments; segment++)
                {
                    int pixels = narrow + (segment < wider ? 1 : 0);
                    args.Slab = slab + (long)(y - y0) * s * _rowStride + (x - x0) * Blocked.Lanes;
                    for (int q = group * ConvWeights.GroupChannels; q < (group + 1) * ConvWeights.GroupChannels && q < validEnd; q += 2 * TVec.Count)
                    {
                        int vectors = q + TVec.Count < validEnd ? 2 : 1;
                        args.Weights = _weights.Weights(group) + (q - group * ConvWeights.GroupChannels);
                        args.Bias = _weights.Bias + q;
                        args.Destination0 = Pixel(image0, plane, channel0 + q, y, x);
                        args.Destination1 = Pixel(image0, plane, channel0 + q + TVec.Count, y, x);
                        args.Lo0 = Math.Clamp(validStart - q, 0, TVec.Count);
                        args.Hi0 = Math.Clamp(validEnd - q, 0, TVec.Count);
                        args.Lo1 = Math.Clamp(validStart - q - TVec.Count, 0, TVec.Count);
                        args.Hi1 = Math.Clamp(validEnd - q - TVec.Count, 0, TVec.Count);
                        Dispatch(args, pixels, vectors);
                    }
                    x += pixels;
                }
            }
        }
    }

    private float* Pixel(float* image, long plane, int channel, int y, int x) =>
        image + channel / Blocked.Lanes * plane + ((long)y * _outWidth + x) * Blocked.Lanes + channel % Blocked.Lanes;

    /// <summary>
    /// Writes input rows [firstRow, firstRow + rows), columns firstColumn + [0, paddedWidth) of one image into the
    /// slab: row r, block b, column c at slab[r][b][(c % s)·phaseWidth + c / s][16], zero where the row or column is
    /// padding, prologue applied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StageRows(float* slab, int image, int firstRow, int rows, int firstColumn)
    {
        int height = _shape.Height, width = _shape.Width, s = _shape.Stride;
        int sourceBlocks = Blocked.Blocks(_shape.SourceChannels);
        for (int r = 0; r < rows; r++)
        {
            int y = firstRow + r;
            float* row = slab + (long)r * _rowStride;
            if ((uint)y >= (uint)height)
            {
                new Span<float>(row, _rowStride).Clear();
                continue;
            }
            for (int b = 0; b < _blocks; b++)
            {
                float* source = _source + (((long)image * sourceBlocks + _inBlock + b) * height + y) * width * Blocked.Lanes;
                float* target = row + b * _blockStride;
                float* scale = _scale is null ? null : _scale.Pointer + b * Blocked.Lanes;
                float* shift = _shift is null ? null : _shift.Pointer + b * Blocked.Lanes;
                // Column c = j·s + phase goes to slot phase·phaseWidth + j: walking each phase needs no division.
                for (int phase = 0; phase < s; phase++)
                {
                    float* to = target + phase * _phaseWidth * Blocked.Lanes;
                    for (int c = phase; c < _paddedWidth; c += s, to += Blocked.Lanes)
                    {
                        int x = firstColumn + c;
                        if ((uint)x >= (uint)width)
                        {
                            for (int v = 0; v < Blocked.Lanes; v += TVec.Count) TVec.Store(to + v, TVec.Zero);
                            continue;
                        }
                        float* from = source + x * Blocked.Lanes;
                        for (int v = 0; v < Blocked.Lanes; v += TVec.Count)
                        {
                            var value = TVec.Load(from + v);
                            if (scale != null) value = TVec.Relu(TVec.Fma(value, TVec.Load(scale + v), TVec.Load(shift + v)));
                            TVec.Store(to + v, value);
                        }
                    }
                }
            }
        }
    }

    private static void Dispatch(in ConvTileArgs args, int pixels, int vectors)
    {
        if (vectors == 2) Dispatch<Count2>(args, pixels);
        else Dispatch<Count1>(args, pixels);
    }

    private static void Dispatch<TVectors>(in ConvTileArgs args, int pixels) where TVectors : struct, ICount
    {
        switch (pixels)
        {
            case 1: ConvTile.Run<TVec, Count1, TVectors>(args); break;
            case 2: ConvTile.Run<TVec, Count2, TVectors>(args); break;
            case 3: ConvTile.Run<TVec, Count3, TVectors>(args); break;
            case 4: ConvTile.Run<TVec, Count4, TVectors>(args); break;
            case 5: ConvTile.Run<TVec, Count5, TVectors>(args); break;
            case 6: ConvTile.Run<TVec, Count6, TVectors>(args); break;
            case 7: ConvTile.Run<TVec, Count7, TVectors>(args); break;
            case 8: ConvTile.Run<TVec, Count8, TVectors>(args); break;
            case 9: ConvTile.Run<TVec, Count9, TVectors>(args); break;
            case 10: ConvTile.Run<TVec, Count10, TVectors>(args); break;
            case 11: ConvTile.Run<TVec, Count11, TVectors>(args); break;
            case 12: ConvTile.Run<TVec, Count12, TVectors>(args); break;
            case 13: ConvTile.Run<TVec, Count13, TVectors>(args); break;
            case 14: ConvTile.Run<TVec, Count14, TVectors>(args); break;
            default: throw new InvalidOperationException($"No register tile of {pixels} pixels.");
        }
    }
}
