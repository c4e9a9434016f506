using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// A BatchNormReluOp that is not fused into a 1x1 conv's prologue: the head (norm5, ReLU, global average) and any
/// hand-built plan's standalone BN-ReLU. Channel c reads source channel <c>sourceOffset + c</c> and writes
/// destination channel c; one (image, destination block) per tile. Scalar: it touches each input once and the
/// DenseNet plans only use it on the 7x7 head.
/// </summary>
internal sealed unsafe class NormReluPool(
    float* scale, float* shift, int channels, int batch,
    float* input, int inCapacity, int sourceOffset, int inHeight, int inWidth,
    float* output, int outCapacity, int outHeight, int outWidth, int window, int stride) : ISimdLaunch
{
    private readonly int _outBlocks = Blocked.Blocks(Math.Min(channels, outCapacity));

    public int TileCount => batch * _outBlocks;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int n = tile / _outBlocks, block = tile % _outBlocks;
        long inBlock = (long)inHeight * inWidth * Blocked.Lanes, outBlock = (long)outHeight * outWidth * Blocked.Lanes;
        float* inImage = input + n * inBlock * Blocked.Blocks(inCapacity);
        float* outImage = output + n * outBlock * Blocked.Blocks(outCapacity);
        int windowHeight = Math.Min(window, inHeight), windowWidth = Math.Min(window, inWidth);
        float inverse = 1f / (windowHeight * windowWidth);
        for (int lane = 0; lane < Blocked.Lanes; lane++)
        {
            int c = block * Blocked.Lanes + lane;
            if (c >= channels) break;
            int s = sourceOffset + c;
            float sc = scale[c], sh = shift[c];
            float* src = inImage + s / Blocked.Lanes * inBlock + s % Blocked.Lanes;
            float* dst = outImage + block * outBlock + lane;
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float sum = 0;
                    for (int dy = 0; dy < windowHeight; dy++)
                        for (int dx = 0; dx < windowWidth; dx++)
                            sum += MathF.Max(0, MathF.FusedMultiplyAdd(src[((oy * stride + dy) * inWidth + ox * stride + dx) * Blocked.Lanes], sc, sh));
                    dst[(oy * outWidth + ox) * Blocked.Lanes] = sum * inverse;
                }
        }
    }
}
