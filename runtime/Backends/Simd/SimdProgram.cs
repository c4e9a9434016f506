using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Ops;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// A plan compiled for one vector width: the fused steps with their packed weights (built once, at load), and per
/// input shape the memory plan and the ops bound to it (built on the first call at that shape, then reused, so
/// later calls allocate nothing but their results). One call at a time: the owner serializes. The worker pool is
/// the device's, shared with other programs on it, and not disposed here.
/// </summary>
internal sealed unsafe class SimdProgram<TVec> : ISimdProgram where TVec : struct, IVec<TVec>
{
    private readonly NetworkPlan _plan;
    private readonly SimdStep[] _steps;
    private readonly WorkerPool _pool;
    private readonly long _scratchPerWorker;
    private readonly NativeBuffer _scratch;
    private readonly Dictionary<(int, int, int), Shape> _shapes = [];
    private NativeBuffer _arena = new(0);

    public SimdProgram(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Conv3x3Algorithm conv3x3)
    {
        _plan = plan;
        _steps = Compile(plan, weights, conv3x3);
        _scratchPerWorker = _steps.Select(s => s.ScratchFloats).DefaultIfEmpty(0).Max();
        _scratchPerWorker = (_scratchPerWorker + 15) / 16 * 16;
        _scratch = new NativeBuffer(_scratchPerWorker * pool.Threads);
        _pool = pool;
    }

    public int Threads => _pool.Threads;

    public IReadOnlyList<SimdStep> Steps => _steps;

    public long WeightBytes => _steps.Sum(s => s.WeightBytes);

    public long ScratchBytes => _scratch.Bytes;

    public long ActivationBytes(PlanGeometry geometry) => GetShape(geometry, bind: false).Memory.TotalBytes;

    public void Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, Action<int>? afterStep)
    {
        var shape = GetShape(geometry, bind: true);
        fixed (float* source = input)
        {
            shape.Reorder!.Source = source;
            _pool.Run(shape.Reorder);
            shape.Reorder.Source = null;
        }
        for (int s = 0; s < _steps.Length && _steps[s].FirstOp < opCount; s++)
        {
            _pool.Run(shape.Ops![s]);
            afterStep?.Invoke(s);
        }
    }

    /// <summary>A buffer as NCHW [batch][Channels][h][w], at its final spatial size.</summary>
    public float[] Read(int buffer, PlanGeometry geometry)
    {
        var shape = GetShape(geometry, bind: true);
        var (h, w) = geometry.FinalSizes[buffer]
            ?? throw new InvalidOperationException($"{_plan.Name}: no op writes the result buffer '{_plan.Buffers[buffer].Name}'.");
        int batch = geometry.Batch, channels = _plan.Buffers[buffer].Channels, pixels = h * w;
        var result = new float[geometry.ResultLength(_plan, buffer)];
        float* source = shape.Pointers![buffer];
        long block = (long)pixels * Blocked.Lanes, image = block * Blocked.Blocks(channels);
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < pixels; p++)
                    result[((long)n * channels + c) * pixels + p] = source[n * image + c / Blocked.Lanes * block + (long)p * Blocked.Lanes + c % Blocked.Lanes];
        return result;
    }

    public void Dispose()
    {
        foreach (var step in _steps) step.Dispose();
        _scratch.Dispose();
        _arena.Dispose();
    }

    private Shape GetShape(PlanGeometry geometry, bool bind)
    {
        var key = (geometry.Batch, geometry.Height, geometry.Width);
        if (!_shapes.TryGetValue(key, out var shape))
        {
            var sizes = new long[_plan.Buffers.Count];
            for (int b = 0; b < sizes.Length; b++)
                sizes[b] = geometry.BufferElements[b] / _plan.Buffers[b].Channels * Blocked.Round(_plan.Buffers[b].Channels);
            var touches = new List<(int[], int)> { ([], 0) };
            touches.AddRange(_steps.Select(s => (new[] { s.Source }, s.Destination)));
            var memory = MemoryPlan.Compute(sizes, touches, [_plan.FeatureBuffer, _plan.OutputBuffer]);
            _shapes[key] = shape = new Shape(geometry, memory);
        }
        if (bind && shape.Ops is null) Bind(shape);
        return shape;
    }

    private void Bind(Shape shape)
    {
        var geometry = shape.Geometry;
        if (_arena.Length < shape.Memory.TotalFloats)
        {
            _arena.Dispose();
            _arena = new NativeBuffer(shape.Memory.TotalFloats);
            foreach (var other in _shapes.Values) other.Unbind(); // their pointers were into the old arena
        }
        var pointers = new float*[_plan.Buffers.Count];
        for (int b = 0; b < pointers.Length; b++)
            pointers[b] = shape.Memory.Offsets[b] < 0 ? null : _arena.Pointer + shape.Memory.Offsets[b];
        var binding = new StepBinding(geometry, _plan, pointers, _scratch.Pointer, _scratchPerWorker, _pool.Threads);
        var ops = new ISimdOp[_steps.Length];
        for (int s = 0; s < ops.Length; s++) ops[s] = _steps[s].Bind(binding);
        shape.Bound(ops, new InputReorderOp(geometry.Batch, _plan.InChannels, geometry.Height, geometry.Width, pointers[0]), pointers);
    }

    private static SimdStep[] Compile(NetworkPlan plan, BoundCheckpoint weights, Conv3x3Algorithm conv3x3)
    {
        var steps = new List<SimdStep>();
        // Winograd tiles are chosen by each conv's map at the spec's input size: weights are transformed here, once.
        var nominal = PlanGeometry.Compute(plan, 1, plan.InputSize, plan.InputSize);
        try
        {
            for (int i = 0; i < plan.Ops.Count; i++)
            {
                switch (plan.Ops[i])
                {
                    case BatchNormReluOp n when PlanFusion.ConvTakingNorm(plan, i) is { Kernel: 1, Stride: 1, Padding: 0 } c:
                    {
                        var (scale, shift) = FoldedConv.Norm(n, weights);
                        var f = FoldedConv.Of(c, weights);
                        var packed = new PointwiseWeights<TVec>(f.Weights, f.Bias, n.SourceChannelOffset, n.Channels,
                            c.DestinationChannelOffset, c.OutChannels, scale, shift);
                        steps.Add(new PointwiseStep<TVec>(i, i + 1, n.Source, c.Destination, packed, n.Pool == PoolKind.Average2x2, c.Relu));
                        i++;
                        break;
                    }
                    case BatchNormReluOp n:
                    {
                        var (scale, shift) = FoldedConv.Norm(n, weights);
                        steps.Add(new NormStep(i, n, scale, shift));
                        break;
                    }
                    case ConvOp c when c is { Kernel: 1, Stride: 1, Padding: 0 }:
                    {
                        var f = FoldedConv.Of(c, weights);
                        var packed = new PointwiseWeights<TVec>(f.Weights, f.Bias, c.SourceChannelOffset, c.InChannels,
                            c.DestinationChannelOffset, c.OutChannels, null, null);
                        steps.Add(new PointwiseStep<TVec>(i, i, c.Source, c.Destination, packed, false, c.Relu));
                        break;
                    }
                    case ConvOp c:
                    {
                        var folded = FoldedConv.Of(c, weights);
                        int map = Math.Min(nominal.Ops[i].InHeight, nominal.Ops[i].InWidth);
                        steps.Add(WinogradChoice.Step<TVec>(i, c, folded, map, conv3x3) ?? new ConvStep<TVec>(i, c, folded));
                        break;
                    }
                    case MaxPoolOp m:
                        steps.Add(new MaxPoolStep<TVec>(i, m));
                        break;
                    default:
                        throw new NotSupportedException($"{plan.Name}: op #{i} ({plan.Ops[i].GetType().Name}) is not supported.");
                }
            }
        }
        catch
        {
            foreach (var step in steps) step.Dispose();
            throw;
        }
        return [.. steps];
    }

    private sealed class Shape(PlanGeometry geometry, MemoryPlan memory)
    {
        public PlanGeometry Geometry => geometry;
        public MemoryPlan Memory => memory;
        public ISimdOp[]? Ops { get; private set; }
        public InputReorderOp? Reorder { get; private set; }
        public float*[]? Pointers { get; private set; }

        public void Bound(ISimdOp[] ops, InputReorderOp reorder, float*[] pointers)
        {
            Ops = ops;
            Reorder = reorder;
            Pointers = pointers;
        }

        public void Unbind()
        {
            Ops = null;
            Reorder = null;
            Pointers = null;
        }
    }
}

/// <summary>A <see cref="SimdProgram{TVec}"/> seen without its width.</summary>
internal interface ISimdProgram : IDisposable
{
    int Threads { get; }
    IReadOnlyList<SimdStep> Steps { get; }
    long WeightBytes { get; }
    long ScratchBytes { get; }
    long ActivationBytes(PlanGeometry geometry);
    void Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, Action<int>? afterStep);
    float[] Read(int buffer, PlanGeometry geometry);
}
