using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// One step of a compiled program: one plan op, or a BatchNormReluOp fused with the 1x1 ConvOp after it. Holds the
/// packed weights (made once at load) and binds itself to buffers for one input shape.
/// </summary>
internal abstract unsafe class SimdStep : IDisposable
{
    protected SimdStep(int firstOp, int lastOp, int source, int destination)
    {
        FirstOp = firstOp;
        LastOp = lastOp;
        Source = source;
        Destination = destination;
    }

    /// <summary>Plan ops covered, inclusive.</summary>
    public int FirstOp { get; }
    public int LastOp { get; }
    public int Source { get; }
    public int Destination { get; }

    /// <summary>Per-worker scratch floats this step needs.</summary>
    public virtual long ScratchFloats => 0;

    /// <summary>Bytes of packed weights this step holds.</summary>
    public virtual long WeightBytes => 0;

    /// <summary>
    /// The packed weights a launch of this step streams, for the threads that wait at the step before to prefetch
    /// (<see cref="WorkerPool.Run"/>); none for steps whose weights are a few per-channel values.
    /// </summary>
    public virtual IEnumerable<WeightRange> WeightRanges => [];

    /// <summary>A short name for profiles: the op kind.</summary>
    public abstract string Kind { get; }

    public abstract ISimdLaunch Bind(in StepBinding b);

    /// <summary>Reports every op of the step finished: the ops of a fused step finish together.</summary>
    public void ReportFinished(Action<int> opFinished)
    {
        for (int op = FirstOp; op <= LastOp; op++) opFinished(op);
    }

    public virtual void Dispose() { }
}

/// <summary>What a step needs to bind: the shape's layout, the buffer pointers and the scratch.</summary>
internal readonly unsafe ref struct StepBinding(PlanGeometry geometry, NetworkPlan plan, float*[] buffers, float* scratch, long scratchPerWorker, int threads)
{
    public PlanGeometry Geometry => geometry;
    public int Batch => geometry.Batch;
    public NetworkPlan Plan => plan;
    public float* Buffer(int index) => buffers[index];
    public int Capacity(int index) => plan.Buffers[index].Channels;
    public float* Scratch => scratch;
    /// <summary>Floats from one worker's scratch to the next (<see cref="WorkerScratch.Stride"/>), at least every step's <see cref="SimdStep.ScratchFloats"/>.</summary>
    public long ScratchPerWorker => scratchPerWorker;
    public int Threads => threads;
}

/// <summary>A 1x1 conv, alone or with the BN-ReLU (and 2x2 average) before it as its packing prologue.</summary>
internal sealed unsafe class PointwiseStep<TVec>(int firstOp, int lastOp, int source, int destination, PointwiseWeights<TVec> weights,
    bool average2x2, bool relu) : SimdStep(firstOp, lastOp, source, destination) where TVec : struct, IVec<TVec>
{
    public override long ScratchFloats => PointwiseConv<TVec>.ScratchFloats(weights);
    public override long WeightBytes => weights.Bytes;
    public override IEnumerable<WeightRange> WeightRanges => [weights.Range];
    public override string Kind => FirstOp != LastOp ? (average2x2 ? "transition (BN-ReLU-avgpool + 1x1)" : "BN-ReLU + 1x1 conv") : "1x1 conv";

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var first = b.Geometry.Ops[FirstOp];
        var conv = b.Geometry.Ops[LastOp];
        return new PointwiseConv<TVec>(weights, average2x2, relu, b.Batch,
            b.Buffer(Source), b.Capacity(Source), first.InHeight, first.InWidth,
            b.Buffer(Destination), b.Capacity(Destination), conv.OutHeight, conv.OutWidth,
            b.Scratch, b.ScratchPerWorker, b.Threads);
    }

    public override void Dispose() => weights.Dispose();
}

/// <summary>A BatchNormReluOp on its own: the head's global pool, or an unfused norm of a hand-built plan.</summary>
internal sealed unsafe class NormStep(int op, BatchNormReluOp n, float[] scale, float[] shift) : SimdStep(op, op, n.Source, n.Destination)
{
    private readonly NativeBuffer _scale = NativeBuffer.From(scale, scale.Length);
    private readonly NativeBuffer _shift = NativeBuffer.From(shift, shift.Length);

    public override string Kind => n.Pool == PoolKind.Global ? "BN-ReLU-global pool" : "BN-ReLU";
    public override long WeightBytes => _scale.Bytes + _shift.Bytes;

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        return new NormReluPool(_scale.Pointer, _shift.Pointer, n.Channels, b.Batch,
            b.Buffer(Source), b.Capacity(Source), n.SourceChannelOffset, g.InHeight, g.InWidth,
            b.Buffer(Destination), b.Capacity(Destination), g.OutHeight, g.OutWidth, Math.Max(g.Window.Height, g.Window.Width), g.Window.StrideY);
    }

    public override void Dispose()
    {
        _scale.Dispose();
        _shift.Dispose();
    }
}

/// <summary>Any other convolution: the stem and the 3x3 convs, as the blocked direct conv.</summary>
internal sealed unsafe class ConvStep<TVec>(int op, ConvOp c, FoldedConv folded) : SimdStep(op, op, c.Source, c.Destination)
    where TVec : struct, IVec<TVec>
{
    private readonly ConvWeights _weights = ConvWeights.Pack(folded.Weights, folded.Bias, c.OutChannels, c.InChannels, c.Kernel, c.DestinationChannelOffset);

    public override string Kind => $"{c.Kernel}x{c.Kernel}/{c.Stride} conv";
    public override long WeightBytes => _weights.Bytes;
    public override IEnumerable<WeightRange> WeightRanges => [_weights.Range];

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        var shape = new ConvShape(b.Batch, g.InHeight, g.InWidth, b.Capacity(Source), c.SourceChannelOffset, c.InChannels,
            b.Capacity(Destination), c.DestinationChannelOffset, c.OutChannels, c.Kernel, c.Stride, c.Padding);
        return new DirectConv<TVec>(shape, b.Buffer(Source), b.Buffer(Destination), _weights, [], [], c.Relu);
    }
}

internal sealed unsafe class MaxPoolStep<TVec>(int op, MaxPoolOp m) : SimdStep(op, op, m.Source, m.Destination)
    where TVec : struct, IVec<TVec>
{
    public override string Kind => "max pool";

    public override ISimdLaunch Bind(in StepBinding b)
    {
        var g = b.Geometry.Ops[FirstOp];
        var shape = new ConvShape(b.Batch, g.InHeight, g.InWidth, b.Capacity(Source), 0, m.Channels,
            b.Capacity(Destination), 0, m.Channels, m.Kernel, m.Stride, m.Padding);
        return new MaxPool<TVec>(shape, b.Buffer(Source), b.Buffer(Destination));
    }
}
