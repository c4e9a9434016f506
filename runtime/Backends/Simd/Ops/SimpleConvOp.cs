using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Ops;

/// <summary>
/// Stand-in for the direct convolution kernels (stem, 3x3) until the blocked direct conv lands: scalar, one
/// (image, output channel) per tile, bias and ReLU in the epilogue. Weights [out][in][k][k], already folded.
/// </summary>
internal sealed unsafe class SimpleConvOp(
    float[] weights, float[] bias, int inChannels, int outChannels, int kernel, int stride, int padding, bool relu, int batch,
    float* input, int inCapacity, int inOffset, int inHeight, int inWidth,
    float* output, int outCapacity, int outOffset, int outHeight, int outWidth) : ISimdOp
{
    public int TileCount => batch * outChannels;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTile(int tile)
    {
        int n = tile / outChannels, co = tile % outChannels;
        long inBlock = (long)inHeight * inWidth * Blocked.Lanes, outBlock = (long)outHeight * outWidth * Blocked.Lanes;
        float* inImage = input + n * inBlock * Blocked.Blocks(inCapacity);
        int d = outOffset + co;
        float* dst = output + n * outBlock * Blocked.Blocks(outCapacity) + d / Blocked.Lanes * outBlock + d % Blocked.Lanes;
        for (int oy = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++)
            {
                float sum = bias[co];
                for (int ci = 0; ci < inChannels; ci++)
                {
                    int s = inOffset + ci;
                    float* plane = inImage + s / Blocked.Lanes * inBlock + s % Blocked.Lanes;
                    int w = (co * inChannels + ci) * kernel * kernel;
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        int iy = oy * stride - padding + ky;
                        if ((uint)iy >= (uint)inHeight) continue;
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            int ix = ox * stride - padding + kx;
                            if ((uint)ix >= (uint)inWidth) continue;
                            sum = MathF.FusedMultiplyAdd(plane[(iy * inWidth + ix) * Blocked.Lanes], weights[w + ky * kernel + kx], sum);
                        }
                    }
                }
                dst[(oy * outWidth + ox) * Blocked.Lanes] = relu ? MathF.Max(0, sum) : sum;
            }
    }
}
