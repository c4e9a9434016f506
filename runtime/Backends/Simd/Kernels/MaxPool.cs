using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// Max pooling of any window, stride and padding on NCHW16c buffers, as torch.nn.MaxPool2d (padding is −∞, floor
/// mode), bound to one <see cref="ConvShape"/> whose In/OutChannels are the pooled channels.
/// </summary>
/// <remarks>
/// A tile is (image, channel block, range of output rows). Source and destination offsets must share a lane
/// (InOffset % 16 == OutOffset % 16) so a block maps onto a block; destination lanes outside the pooled channels are
/// never written. A window's maximum is the platform's one-instruction max (<see cref="IVec{TSelf}.MaxNative"/>), redone
/// with IEEE's maximum only where a tap is NaN or ±∞, so a NaN comes out as from PyTorch; a zero maximum may carry
/// either sign (PyTorch's own keeps the first zero's, which no later op can tell apart).
/// </remarks>
internal sealed unsafe class MaxPool<TVec> : ISimdLaunch where TVec : struct, IVec<TVec>
{
    private const int TargetTiles = 16;

    private readonly ConvShape _shape;
    private readonly float* _source, _destination;
    private readonly int _outHeight, _outWidth, _blocks, _firstLane, _lastEnd, _rowsPerTile, _chunks;

    /// <param name="shape">The pool; Kernel, Stride and Padding are the window's, validated here.</param>
    /// <param name="source">Batch × ceil(SourceChannels/16) × Height × Width × 16 floats, read only.</param>
    /// <param name="destination">Batch × ceil(DestinationChannels/16) × OutHeight × OutWidth × 16 floats.</param>
    public MaxPool(in ConvShape shape, float* source, float* destination)
    {
        shape.Validate();
        if (shape.InChannels != shape.OutChannels || shape.InOffset % Blocked.Lanes != shape.OutOffset % Blocked.Lanes)
            throw new ArgumentException($"A max pool keeps its channels and their lanes: {shape}.", nameof(shape));
        _shape = shape;
        _source = source;
        _destination = destination;
        _outHeight = shape.OutHeight;
        _outWidth = shape.OutWidth;
        _firstLane = shape.InOffset % Blocked.Lanes;
        _blocks = Blocked.Blocks(_firstLane + shape.InChannels);
        _lastEnd = (shape.InOffset + shape.InChannels - 1) % Blocked.Lanes + 1;
        int units = shape.Batch * _blocks;
        int chunks = Math.Clamp((TargetTiles + units - 1) / units, 1, _outHeight);
        _rowsPerTile = (_outHeight + chunks - 1) / chunks;
        _chunks = (_outHeight + _rowsPerTile - 1) / _rowsPerTile;
        TileCount = units * _chunks;
    }

    public int TileCount { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int chunk = tile % _chunks, unit = tile / _chunks;
        int block = unit % _blocks, image = unit / _blocks;
        int height = _shape.Height, width = _shape.Width, k = _shape.Kernel, s = _shape.Stride, padding = _shape.Padding;
        float* source = _source + (((long)image * Blocked.Blocks(_shape.SourceChannels) + _shape.InOffset / Blocked.Lanes + block) * height) * width * Blocked.Lanes;
        float* destination = _destination
            + (((long)image * Blocked.Blocks(_shape.DestinationChannels) + _shape.OutOffset / Blocked.Lanes + block) * _outHeight) * _outWidth * Blocked.Lanes;
        int lo = block == 0 ? _firstLane : 0, hi = block == _blocks - 1 ? _lastEnd : Blocked.Lanes;
        float* lanes = stackalloc float[Blocked.Lanes];
        var negativeInfinity = TVec.Broadcast(float.NegativeInfinity);
        int y1 = Math.Min(_outHeight, (chunk + 1) * _rowsPerTile);
        for (int y = chunk * _rowsPerTile; y < y1; y++)
        {
            int top = Math.Max(0, y * s - padding), bottom = Math.Min(height, y * s - padding + k);
            for (int x = 0; x < _outWidth; x++)
            {
                int left = Math.Max(0, x * s - padding), right = Math.Min(width, x * s - padding + k);
                float* to = destination + ((long)y * _outWidth + x) * Blocked.Lanes;
                for (int v = 0; v < Blocked.Lanes; v += TVec.Count)
                {
                    // x·0 + probe stays 0 unless a tap is NaN or ±∞; only then is the window redone with IEEE's maximum.
                    TVec max = negativeInfinity, probe = TVec.Zero;
                    for (int iy = top; iy < bottom; iy++)
                        for (int ix = left; ix < right; ix++)
                        {
                            var tap = TVec.Load(source + ((long)iy * width + ix) * Blocked.Lanes + v);
                            max = TVec.MaxNative(max, tap);
                            probe = TVec.Fma(tap, TVec.Zero, probe);
                        }
                    if (TVec.AnyNaN(probe))
                    {
                        max = negativeInfinity;
                        for (int iy = top; iy < bottom; iy++)
                            for (int ix = left; ix < right; ix++)
                                max = TVec.Max(max, TVec.Load(source + ((long)iy * width + ix) * Blocked.Lanes + v));
                    }
                    if (lo == 0 && hi == Blocked.Lanes) TVec.Store(to + v, max);
                    else TVec.Store(lanes + v, max);
                }
                // A block shared with other layers' channels: copy only the pooled lanes.
                if (lo != 0 || hi != Blocked.Lanes)
                    for (int lane = lo; lane < hi; lane++) to[lane] = lanes[lane];
            }
        }
    }
}
