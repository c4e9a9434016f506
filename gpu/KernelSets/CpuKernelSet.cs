using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The kernels compiled for one accelerator, loaded once, and the one place that picks a kernel per op shape.
/// </summary>
/// <remarks>
/// Choices made with `densenet-bench profile` (figures in benchmarks/README.md, "Kernel choices"): the same
/// register-tiled kernels serve every accelerator. 1x1 stride-1 convs (most of DenseNet's MACs) use the
/// flattened-pixel GEMM; 3x3 stride-1 convs the sliding-window kernel, except on the CPU accelerator, where the
/// direct kernel is faster; everything else the direct implicit-GEMM kernel. No shared-memory tiling: the CPU
/// accelerator runs barriers as OS thread synchronisation, and on PoCL the barrier-free tile was faster too. On
/// CPU cores (the CPU accelerator, an OpenCL CPU device such as PoCL) threads are numbered output-channel tile
/// fastest, so threads that run back to back re-read the same input pixels from cache; GPUs keep pixel-fastest
/// order for coalesced loads and stores.
/// </remarks>
internal sealed class CpuKernelSet : IKernelSet
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _pointwise;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _direct;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _conv3x3;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry, int> _batchNormRelu;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry> _maxPool;

    private readonly int _channelsFastest;
    private readonly int _normRun;
    private readonly bool _slidingConv3x3;

    /// <summary>Every kernel a set loads, for checks that compile them for a backend no device is at hand for.</summary>
    internal static IReadOnlyList<Delegate> Kernels { get; } =
        [ConvKernels.Pointwise, ConvKernels.Direct, ConvKernels.Conv3x3, NormKernels.BatchNormReluPoolRun, PoolKernels.MaxPool];

    /// <summary>Outputs per BatchNorm+ReLU thread on CPU cores, where a thread launch has a fixed cost.</summary>
    private const int CpuNormRun = 256;

    public CpuKernelSet(Accelerator accelerator)
    {
        _channelsFastest = RunsOnCpuCores(accelerator) ? 1 : 0;
        _normRun = RunsOnCpuCores(accelerator) ? CpuNormRun : 1;
        _slidingConv3x3 = accelerator.AcceleratorType != AcceleratorType.CPU;
        _pointwise = Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>>(accelerator, ConvKernels.Pointwise);
        _direct = Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>>(accelerator, ConvKernels.Direct);
        _conv3x3 = Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>>(accelerator, ConvKernels.Conv3x3);
        _batchNormRelu = Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry, int>>(accelerator, NormKernels.BatchNormReluPoolRun);
        _maxPool = Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry>>(accelerator, PoolKernels.MaxPool);
    }

    /// <summary>
    /// ILGPU picks the group size, except on the CPU accelerator: it joins a group's OS threads at a barrier after
    /// every group, so there groups are one thread and each core (a multiprocessor there, see IlgpuBackend's CPU
    /// configuration) runs its share of the launch without synchronising.
    /// </summary>
    private static TDelegate Load<TDelegate>(Accelerator accelerator, Delegate kernel) where TDelegate : Delegate =>
        accelerator.AcceleratorType == AcceleratorType.CPU
            ? accelerator.LoadImplicitlyGroupedKernel<TDelegate>(kernel.Method, 1)
            : accelerator.LoadAutoGroupedKernel<TDelegate>(kernel.Method);

    private static bool RunsOnCpuCores(Accelerator accelerator) =>
        accelerator.AcceleratorType == AcceleratorType.CPU ||
        accelerator is CLAccelerator { DeviceType: CLDeviceType.CL_DEVICE_TYPE_CPU };

    /// <summary>One launch per op, in plan order (<see cref="CpuSetNetwork"/>).</summary>
    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights, IlgpuDevice device) => new CpuSetNetwork(plan, weights, device, this);

    public void Conv(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, in ConvGeometry g)
    {
        var launch = g with { ChannelsFastest = _channelsFastest };
        if (g.IsPointwise)
            _pointwise(stream, ConvKernels.PointwiseThreads(g), source, weights, bias, destination, launch);
        else if (_slidingConv3x3 && g.Kernel == 3 && g.Stride == 1)
            _conv3x3(stream, ConvKernels.DirectThreads(g), source, weights, bias, destination, launch);
        else
            _direct(stream, ConvKernels.DirectThreads(g), source, weights, bias, destination, launch);
    }

    public void BatchNormRelu(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, in PoolGeometry g) =>
        _batchNormRelu(stream, NormKernels.RunThreads(g, _normRun), source, scale, shift, destination, g, _normRun);

    public void MaxPool(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> destination, in PoolGeometry g) =>
        _maxPool(stream, g.OutputCount, source, destination, g);
}
