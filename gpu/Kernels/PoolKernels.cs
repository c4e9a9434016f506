using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>Max pooling with implicit −∞ padding (layout in <see cref="PoolGeometry"/>; square window).</summary>
internal static class PoolKernels
{
    /// <summary>One thread per output element, numbered NCHW.</summary>
    public static void MaxPool(Index1D index, ArrayView<float> source, ArrayView<float> destination, PoolGeometry g)
    {
        int t = index;
        int ox = t % g.OutWidth;
        t /= g.OutWidth;
        int oy = t % g.OutHeight;
        t /= g.OutHeight;
        int c = t % g.Channels;
        int n = t / g.Channels;

        int plane = (n * g.SourceCapacity + g.SourceOffset + c) * g.InHeight * g.InWidth;
        int y0 = oy * g.Stride - g.Padding, x0 = ox * g.Stride - g.Padding;
        int yEnd = IntrinsicMath.Min(y0 + g.WindowHeight, g.InHeight), xEnd = IntrinsicMath.Min(x0 + g.WindowWidth, g.InWidth);
        float best = float.NegativeInfinity;
        for (int y = IntrinsicMath.Max(y0, 0); y < yEnd; y++)
        {
            int row = plane + y * g.InWidth;
            for (int x = IntrinsicMath.Max(x0, 0); x < xEnd; x++)
                best = IntrinsicMath.Max(best, source[row + x]);
        }
        int o = ((n * g.DestinationCapacity + c) * g.OutHeight + oy) * g.OutWidth + ox;
        destination[o] = best;
    }
}
