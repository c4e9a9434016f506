using DenseNetGen.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The kernels compiled for one accelerator and the choice of kernel per op shape. Every set reads and writes
/// the same layouts (<see cref="ConvGeometry"/>, <see cref="PoolGeometry"/>), so sets differ only in how they
/// compute, and <see cref="KernelSetRegistry"/> picks one per accelerator.
/// </summary>
internal interface IKernelSet
{
    /// <summary>Queues the convolution <paramref name="g"/> describes, with bias and optional ReLU.</summary>
    /// <param name="stream">The stream the launch is queued on.</param>
    /// <param name="source">The input buffer, NCHW float32.</param>
    /// <param name="weights">[InChannels][K][K][OutPadded], see <see cref="ConvGeometry"/>.</param>
    /// <param name="bias">[OutPadded], the folded BatchNorm included.</param>
    /// <param name="destination">The output buffer, NCHW float32, written at the op's channel offset.</param>
    /// <param name="g">The conv's shape and buffer offsets.</param>
    void Conv(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, in ConvGeometry g);

    /// <summary>BatchNorm (as per-channel scale and shift) + ReLU + the non-overlapping average pool in <paramref name="g"/>.</summary>
    void BatchNormRelu(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, in PoolGeometry g);

    void MaxPool(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> destination, in PoolGeometry g);
}
