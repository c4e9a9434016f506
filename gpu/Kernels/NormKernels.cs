using ILGPU;

namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>
/// Inference BatchNorm + ReLU with a fused non-overlapping average pool (layout in <see cref="PoolGeometry"/>;
/// the window equals the stride and there is no padding). One kernel serves every <c>PoolKind</c>:
/// None is a 1x1 window, Average2x2 a 2x2 one, Global the whole map. Scale and shift are per channel,
/// precomputed on the host: scale = γ/√(var+ε), shift = β − mean·scale.
/// </summary>
internal static class NormKernels
{
    /// <summary>Threads for <see cref="BatchNormReluPoolRun"/>: each output plane split into runs of <paramref name="run"/>.</summary>
    internal static int RunThreads(in PoolGeometry g, int run) =>
        g.Batch * g.Channels * ConvKernels.DivUp(g.OutHeight * g.OutWidth, run);

    /// <summary>
    /// One thread per run of up to <paramref name="run"/> consecutive outputs of one channel plane. Long runs suit
    /// CPU cores, where each thread launch has a fixed cost; a run of 1 is one thread per element.
    /// </summary>
    internal static void BatchNormReluPoolRun(Index1D index, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, PoolGeometry g, int run)
    {
        int outPixels = g.OutHeight * g.OutWidth;
        int runs = (outPixels + run - 1) / run;
        int planeIndex = index / runs;
        int first = index % runs * run;
        int end = IntrinsicMath.Min(first + run, outPixels);
        int c = planeIndex % g.Channels;
        int n = planeIndex / g.Channels;

        float a = scale[c], b = shift[c];
        float area = g.WindowHeight * g.WindowWidth;
        int plane = (n * g.SourceCapacity + g.SourceOffset + c) * g.InHeight * g.InWidth;
        int o = (n * g.DestinationCapacity + c) * outPixels;
        int oy = first / g.OutWidth, ox = first % g.OutWidth;
        for (int p = first; p < end; p++)
        {
            int y0 = oy * g.WindowHeight, x0 = ox * g.WindowWidth;
            float sum = 0f;
            for (int y = 0; y < g.WindowHeight; y++)
            {
                int row = plane + (y0 + y) * g.InWidth + x0;
                for (int x = 0; x < g.WindowWidth; x++)
                    sum += IntrinsicMath.Max(source[row + x] * a + b, 0f);
            }
            destination[o + p] = sum / area;
            if (++ox == g.OutWidth)
            {
                ox = 0;
                oy++;
            }
        }
    }
}
