using ILGPU;

namespace DenseNetGen.Kernels;

/// <summary>
/// Inference BatchNorm + ReLU with a fused non-overlapping average pool (layout in <see cref="PoolGeometry"/>;
/// the window equals the stride and there is no padding). One kernel serves every <c>PoolKind</c>:
/// None is a 1x1 window, Average2x2 a 2x2 one, Global the whole map. Scale and shift are per channel,
/// precomputed on the host: scale = γ/√(var+ε), shift = β − mean·scale.
/// </summary>
public static class NormKernels
{
    /// <summary>One thread per output element, numbered NCHW.</summary>
    public static void BatchNormReluPool(Index1D index, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, PoolGeometry g)
    {
        int t = index;
        int ox = t % g.OutWidth;
        t /= g.OutWidth;
        int oy = t % g.OutHeight;
        t /= g.OutHeight;
        int c = t % g.Channels;
        int n = t / g.Channels;

        float a = scale[c], b = shift[c];
        int plane = (n * g.SourceCapacity + g.SourceOffset + c) * g.InHeight * g.InWidth;
        int y0 = oy * g.WindowHeight, x0 = ox * g.WindowWidth;
        float sum = 0f;
        for (int y = 0; y < g.WindowHeight; y++)
        {
            int row = plane + (y0 + y) * g.InWidth + x0;
            for (int x = 0; x < g.WindowWidth; x++)
                sum += IntrinsicMath.Max(source[row + x] * a + b, 0f);
        }
        int o = ((n * g.DestinationCapacity + c) * g.OutHeight + oy) * g.OutWidth + ox;
        destination[o] = sum / (g.WindowHeight * g.WindowWidth);
    }
}
