using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Ops;

/// <summary>
/// Stand-in for the blocked max pool until it lands: scalar, one (image, channel) per tile, −∞ padding as
/// torch.nn.MaxPool2d. Reads source channels [0, channels), writes destination channels [0, channels).
/// </summary>
internal sealed unsafe class SimpleMaxPoolOp(
    int channels, int kernel, int stride, int padding, int batch,
    float* input, int inCapacity, int inHeight, int inWidth,
    float* output, int outCapacity, int outHeight, int outWidth) : ISimdOp
{
    public int TileCount => batch * channels;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int n = tile / channels, c = tile % channels;
        long inBlock = (long)inHeight * inWidth * Blocked.Lanes, outBlock = (long)outHeight * outWidth * Blocked.Lanes;
        float* src = input + n * inBlock * Blocked.Blocks(inCapacity) + c / Blocked.Lanes * inBlock + c % Blocked.Lanes;
        float* dst = output + n * outBlock * Blocked.Blocks(outCapacity) + c / Blocked.Lanes * outBlock + c % Blocked.Lanes;
        for (int oy = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++)
            {
                float best = float.NegativeInfinity;
                for (int ky = 0; ky < kernel; ky++)
                {
                    int iy = oy * stride - padding + ky;
                    if ((uint)iy >= (uint)inHeight) continue;
                    for (int kx = 0; kx < kernel; kx++)
                    {
                        int ix = ox * stride - padding + kx;
                        if ((uint)ix < (uint)inWidth) best = MathF.Max(best, src[(iy * inWidth + ix) * Blocked.Lanes]);
                    }
                }
                dst[(oy * outWidth + ox) * Blocked.Lanes] = best;
            }
    }
}
