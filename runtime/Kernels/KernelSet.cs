using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Kernels;

/// <summary>
/// The kernels compiled for one accelerator, loaded once, and the one place that picks a kernel per op shape.
/// </summary>
/// <remarks>
/// Choice, by measurement (see the KernelThroughput test): the same register-tiled kernels serve every
/// backend. 1x1 stride-1 convs (most of DenseNet's MACs) use the flattened-pixel GEMM; everything else the
/// direct implicit-GEMM kernel. Shared-memory tiling was left out: on the CPU accelerator barriers run as OS
/// thread synchronisation and were ~50x slower, and on PoCL the barrier-free tile was faster too.
/// </remarks>
internal sealed class KernelSet
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _pointwise;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _direct;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry> _batchNormRelu;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry> _maxPool;

    public KernelSet(Accelerator accelerator)
    {
        _pointwise = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>(ConvKernels.Pointwise);
        _direct = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>(ConvKernels.Direct);
        _batchNormRelu = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry>(NormKernels.BatchNormReluPool);
        _maxPool = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry>(PoolKernels.MaxPool);
    }

    /// <param name="weights">[InChannels][K][K][OutPadded], see <see cref="ConvGeometry"/>.</param>
    public void Conv(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, in ConvGeometry g)
    {
        if (g.IsPointwise)
            _pointwise(stream, ConvKernels.PointwiseThreads(g), source, weights, bias, destination, g);
        else
            _direct(stream, ConvKernels.DirectThreads(g), source, weights, bias, destination, g);
    }

    public void BatchNormRelu(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, in PoolGeometry g) =>
        _batchNormRelu(stream, g.OutputCount, source, scale, shift, destination, g);

    public void MaxPool(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> destination, in PoolGeometry g) =>
        _maxPool(stream, g.OutputCount, source, destination, g);
}
