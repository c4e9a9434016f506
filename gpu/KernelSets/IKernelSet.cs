using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The kernels compiled for one accelerator and the choice of kernel per op shape. Every set reads and writes
/// the same layouts (<see cref="ConvGeometry"/>, <see cref="PoolGeometry"/>), so sets differ only in how they
/// compute, and <see cref="KernelSetRegistry"/> picks one per accelerator. Each set brings its runner: the network
/// <see cref="Prepare"/> returns groups and launches the plan's ops the way the set's kernels want.
/// </summary>
internal interface IKernelSet
{
    /// <summary>Uploads <paramref name="weights"/> for <paramref name="plan"/> as this set's steps, run by this set's runner on <paramref name="device"/>.</summary>
    /// <param name="plan">The network's plan, channel ranges already checked.</param>
    /// <param name="weights">The checkpoint bound to the plan's parameter names.</param>
    /// <param name="device">The accelerator, stream and graph setting the network runs with.</param>
    /// <exception cref="CheckpointException">A tensor an op names is missing or has the wrong size.</exception>
    /// <exception cref="NotSupportedException">The plan has an op kind the ILGPU backend has no kernels for.</exception>
    IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights, IlgpuDevice device);

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
