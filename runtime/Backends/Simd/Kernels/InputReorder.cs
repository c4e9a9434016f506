using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// NCHW input to the blocked layout; a tile is one (image, channel block) and a range of rows. Lanes past the input's
/// channels are written 0. <see cref="Source"/> is set before each run to the pinned caller input.
/// </summary>
/// <remarks>
/// Pixel by pixel, each destination pixel's 16 lanes written together: the blocked image (3.2 MB at 224x224) is
/// larger than L2, and lane by lane it was walked 16 times (DenseNet-121 b8, one thread: 6.0 ms, now 2.1 ms; see
/// benchmarks/README.md). Rows are cut into ranges so that a 3-channel image at batch 1 (one block) is still about
/// <see cref="TargetTiles"/> tiles and every thread gets some.
/// </remarks>
internal sealed unsafe class InputReorder<TVec> : ISimdLaunch where TVec : struct, IVec<TVec>
{
    private const int TargetTiles = 16;

    private readonly int _channels, _height, _width, _blocks, _rowChunks;
    private readonly float* _output;

    public InputReorder(int batch, int channels, int height, int width, float* output)
    {
        (_channels, _height, _width) = (channels, height, width);
        _output = output;
        _blocks = Blocked.Blocks(channels);
        _rowChunks = Math.Clamp(TargetTiles / (batch * _blocks), 1, height);
        TileCount = batch * _blocks * _rowChunks;
    }

    public float* Source { get; set; }

    public int TileCount { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int chunk = tile % _rowChunks, unit = tile / _rowChunks;
        int n = unit / _blocks, block = unit % _blocks;
        long pixels = (long)_height * _width;
        long first = (long)_height * chunk / _rowChunks * _width, end = (long)_height * (chunk + 1) / _rowChunks * _width;
        float* dst = _output + (((long)n * _blocks + block) * pixels + first) * Blocked.Lanes;
        int lanes = Math.Min(Blocked.Lanes, _channels - block * Blocked.Lanes);
        float* planes = Source + ((long)n * _channels + block * Blocked.Lanes) * pixels;
        for (long p = first; p < end; p++, dst += Blocked.Lanes)
        {
            // The whole pixel zeroed by vectors, then its channels: at 512 bits 4 stores for an RGB pixel rather than 16
            // (DenseNet-121 b8: 2.3 -> 1.6 ms on one thread, 2.5 -> 1.0 ms on two).
            if (lanes < Blocked.Lanes)
                for (int v = 0; v < Blocked.Lanes; v += TVec.Count) TVec.Store(dst + v, TVec.Zero);
            int lane = 0;
            for (float* s = planes + p; lane < lanes; lane++, s += pixels) dst[lane] = *s;
        }
    }
}
