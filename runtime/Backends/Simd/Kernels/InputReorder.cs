using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// NCHW input to the blocked layout, one (image, channel block) per tile. Lanes past the input's channels are
/// written 0. <see cref="Source"/> is set before each run to the pinned caller input.
/// </summary>
/// <remarks>
/// Pixel by pixel, each destination pixel's 16 lanes written together: the blocked image (3.2 MB at 224x224) is
/// larger than L2, and lane by lane it was walked 16 times (DenseNet-121 b8, one thread: 21 ms of 272 for the
/// reorder and stem together before, see benchmarks/README.md).
/// </remarks>
internal sealed unsafe class InputReorder(int batch, int channels, int height, int width, float* output) : ISimdLaunch
{
    private readonly int _blocks = Blocked.Blocks(channels);

    public float* Source { get; set; }

    public int TileCount => batch * _blocks;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int n = tile / _blocks, block = tile % _blocks;
        long pixels = (long)height * width;
        float* dst = output + ((long)n * _blocks + block) * pixels * Blocked.Lanes;
        int lanes = Math.Min(Blocked.Lanes, channels - block * Blocked.Lanes);
        float* planes = Source + ((long)n * channels + block * Blocked.Lanes) * pixels;
        for (long p = 0; p < pixels; p++, dst += Blocked.Lanes)
        {
            int lane = 0;
            for (float* s = planes + p; lane < lanes; lane++, s += pixels) dst[lane] = *s;
            for (; lane < Blocked.Lanes; lane++) dst[lane] = 0;
        }
    }
}
