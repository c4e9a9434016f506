using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// NCHW input to the blocked layout, one (image, channel block) per tile. Lanes past the input's channels are
/// written 0. <see cref="Source"/> is set before each run to the pinned caller input.
/// </summary>
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
        for (int lane = 0; lane < Blocked.Lanes; lane++)
        {
            int c = block * Blocked.Lanes + lane;
            float* d = dst + lane;
            if (c >= channels)
            {
                for (long p = 0; p < pixels; p++) d[p * Blocked.Lanes] = 0;
                continue;
            }
            float* s = Source + ((long)n * channels + c) * pixels;
            for (long p = 0; p < pixels; p++) d[p * Blocked.Lanes] = s[p];
        }
    }
}
