using DenseNetGen.Backends.Ilgpu.Kernels;
using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;
using ConvLauncher = System.Action<ILGPU.Runtime.AcceleratorStream, ILGPU.KernelConfig, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<int>,
    DenseNetGen.Backends.Ilgpu.Kernels.Gpu.TiledConvGeometry>;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The kernels built for GPUs (see <see cref="TiledConvKernels"/>), compiled for one accelerator and loaded once.
/// Every conv is a tiled implicit GEMM, except 3x3 ones, which run over haloed blocks (<see cref="HaloConvKernels"/>);
/// in TF32 both on tensor cores (<see cref="Tf32ConvKernels"/>, <see cref="Tf32HaloConvKernels"/>). A dense layer's norm1 and a transition's norm and pool run inside the
/// conv that reads them (see <see cref="GpuLaunchPlan"/>, run by <see cref="GpuSetNetwork"/>). The head's
/// BatchNorm + ReLU + global pool and the stem's max pool reuse the element-wise kernels of the CPU set, one thread
/// per output. As an <see cref="IKernelSet"/> (one op at a time) a conv is one tiled launch without a prologue.
/// </summary>
internal sealed class GpuKernelSet : IKernelSet
{
    private readonly ConvLauncher _conv;
    private readonly ConvLauncher _haloConv;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry, int> _batchNormRelu;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry> _maxPool;

    /// <summary>
    /// Every kernel of the set as GPUs load it, for checks that compile them for a backend no device is at hand for
    /// (the TF32 conv's CPU-accelerator emulation, <see cref="EmulatedTensorCores"/>, is not among them).
    /// </summary>
    internal static IReadOnlyList<Delegate> Kernels { get; } =
        [TiledConvKernels.Conv, HaloConvKernels.Conv, Tf32ConvKernels.Conv<TensorCores>, Tf32HaloConvKernels.Conv<TensorCores>, NormKernels.BatchNormReluPoolRun, PoolKernels.MaxPool];

    /// <param name="accelerator">The device the kernels are compiled for; it outlives this set.</param>
    /// <param name="precision">
    /// Tf32 loads the tensor-core convs: on CUDA, or emulated lane by lane on ILGPU's CPU accelerator (see
    /// <see cref="EmulatedTensorCores"/>); never on OpenCL, which cannot compile warp shuffles for every vendor.
    /// </param>
    public GpuKernelSet(Accelerator accelerator, Precision precision)
    {
        // IlgpuBackend.Open refuses such a device with the same check before compiling anything.
        var fit = GpuSetFit.Check(GpuCapabilities.Of(accelerator.Device), precision);
        if (!fit.Fits)
            throw new NotSupportedException(fit.Refusal);
        Halo = fit.Halo;
        Precision = precision;
        Multiprocessors = Math.Max(1, accelerator.NumMultiprocessors);
        var (conv, haloConv) = precision == Precision.Tf32 ? Tf32Convs(accelerator) : (TiledConvKernels.Conv, HaloConvKernels.Conv);
        _conv = accelerator.LoadKernel<ConvLauncher>(conv.Method);
        _haloConv = accelerator.LoadKernel<ConvLauncher>(haloConv.Method);
        _batchNormRelu = accelerator.LoadAutoGroupedKernel<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolGeometry, int>>(
            ((Delegate)NormKernels.BatchNormReluPoolRun).Method);
        _maxPool = accelerator.LoadAutoGroupedKernel<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry>>(
            ((Delegate)PoolKernels.MaxPool).Method);
    }

    /// <summary>Norms fused into the convs after them, tiled launches split to fill the device, CUDA graphs (<see cref="GpuSetNetwork"/>).</summary>
    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights, IlgpuDevice device) => new GpuSetNetwork(plan, weights, device, this);

    /// <summary>The TF32 convs with the accelerator's arithmetic: tensor cores on CUDA, their emulation on the CPU accelerator.</summary>
    private static (Delegate Conv, Delegate HaloConv) Tf32Convs(Accelerator accelerator) => accelerator.AcceleratorType switch
    {
        AcceleratorType.Cuda => (Tf32ConvKernels.Conv<TensorCores>, Tf32HaloConvKernels.Conv<TensorCores>),
        AcceleratorType.CPU when accelerator.WarpSize == Tf32ConvKernels.WarpSize =>
            (Tf32ConvKernels.Conv<EmulatedTensorCores>, Tf32HaloConvKernels.Conv<EmulatedTensorCores>),
        AcceleratorType.CPU => throw new NotSupportedException(
            $"the TF32 conv's fragments are laid out for warps of {Tf32ConvKernels.WarpSize} lanes; '{accelerator.Name}' has warps of {accelerator.WarpSize}."),
        _ => throw new NotSupportedException($"the TF32 conv runs on CUDA or, emulated, on ILGPU's CPU accelerator; '{accelerator.Name}' is {accelerator.AcceleratorType}."),
    };

    /// <summary>The device's multiprocessors, which <see cref="GpuLaunchPlan"/> fills by splitting K.</summary>
    public int Multiprocessors { get; }

    /// <summary>The convs' arithmetic: FP32, or TF32 on tensor cores.</summary>
    public Precision Precision { get; }

    /// <summary>Whether 3x3 convs run over haloed blocks: false on a device with too little shared memory for them (<see cref="GpuSetFit"/>).</summary>
    public bool Halo { get; }

    /// <summary>
    /// <paramref name="g"/> as this set computes it: with a <see cref="HaloTile"/> where the conv fits
    /// <see cref="HaloConvKernels"/> and the device has the shared memory (<paramref name="halo"/>), otherwise the
    /// tiled GEMM's. Decide before splitting K: the two step differently.
    /// </summary>
    internal static TiledConvGeometry Shape(in TiledConvGeometry g, bool halo = true) =>
        halo && HaloTile.Fits(g) ? g with { Halo = HaloTile.For(g.OutHeight, g.OutWidth) } : g;

    /// <param name="stream">The stream the launch is queued on.</param>
    /// <param name="source">The input buffer, NCHW float32.</param>
    /// <param name="weights">The packed weights, laid out as <paramref name="g"/> says.</param>
    /// <param name="bias">[OutPadded], the folded BatchNorm included.</param>
    /// <param name="scale">Per-input-channel BatchNorm scale for the prologue (any view when there is none).</param>
    /// <param name="shift">Per-input-channel BatchNorm shift, with <paramref name="scale"/>.</param>
    /// <param name="destination">The output buffer, NCHW float32, written at the op's channel offset.</param>
    /// <param name="partials">Split-K scratch of at least <see cref="TiledConvGeometry.PartialElements"/> floats.</param>
    /// <param name="arrivals">At least <see cref="TiledConvGeometry.ArrivalCounts"/> counts, in any state: a split launch clears them first.</param>
    /// <param name="g">The conv's shape and tiling, from <see cref="Shape"/> and the launch plan's split.</param>
    /// <param name="groups">How many of the launch's groups run: all of them (0), or fewer only for the fault seam's aborted launch.</param>
    public void TiledConv(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> destination, ArrayView<float> partials, ArrayView<int> arrivals,
        in TiledConvGeometry g, int groups = 0)
    {
        // Cleared in the launch sequence (a memset node in a CUDA graph), not by the kernel: whatever an earlier
        // launch left behind, failed or aborted midway, this one counts its slices from zero.
        if (g.Splits > 1)
            arrivals.SubView(0, g.ArrivalCounts).MemSetToZero(stream);
        var conv = g.IsHalo ? _haloConv : _conv;
        conv(stream, new KernelConfig(groups > 0 ? groups : g.Groups, TiledConvKernels.GroupSize), source, weights, bias, scale, shift, destination, partials, arrivals, g);
    }

    /// <summary>One conv op alone: one K slice, no prologue, so neither scratch nor scale and shift are read (the
    /// bias stands in for them).</summary>
    public void Conv(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> destination, in ConvGeometry g) =>
        TiledConv(stream, source, weights, bias, bias, bias, destination, bias, bias.Cast<int>(),
            Shape(TiledConvGeometry.From(g, TiledPrologue.None, g.InHeight, g.InWidth), Halo));

    public void BatchNormRelu(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> scale, ArrayView<float> shift,
        ArrayView<float> destination, in PoolGeometry g) =>
        _batchNormRelu(stream, NormKernels.RunThreads(g, 1), source, scale, shift, destination, g, 1);

    public void MaxPool(AcceleratorStream stream, ArrayView<float> source, ArrayView<float> destination, in PoolGeometry g) =>
        _maxPool(stream, g.OutputCount, source, destination, g);
}
