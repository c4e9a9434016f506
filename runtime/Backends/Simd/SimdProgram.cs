using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// A plan compiled for one vector width: the fused steps with their packed weights (built once, at load), the
/// per-worker scratch, and the activation arena every shape of it shares. Per input shape, <see cref="ForShape"/>
/// hands out the memory plan and the launches bound to it (bound on the shape's first run, then reused, so later
/// calls allocate nothing but their results). One call at a time: the owner serializes. The worker pool is the
/// device's, shared with other programs on it, and not disposed here.
/// </summary>
internal sealed unsafe class SimdProgram<TVec> : ISimdProgram where TVec : struct, IVec<TVec>
{
    private readonly NetworkPlan _plan;
    private readonly IReadOnlyList<PlanStep> _outline;
    private readonly SimdStep[] _steps;
    private readonly WorkerPool _pool;
    private readonly WorkerScratch _scratch;
    private NativeBuffer _arena = new(0);

    /// <summary>Counts arena reallocations: a shape bound at an older count holds pointers into freed memory.</summary>
    private int _arenaGeneration;

    public SimdProgram(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Conv3x3Algorithm conv3x3)
    {
        _plan = plan;
        _outline = PlanFusion.Steps(plan, IsPointwise);
        _steps = Compile(plan, _outline, weights, conv3x3, pool);
        _scratch = new WorkerScratch(_steps.Select(s => s.ScratchFloats).DefaultIfEmpty(0).Max(), pool.Threads);
        _pool = pool;
    }

    public int Threads => _pool.Threads;

    public IReadOnlyList<SimdStep> Steps => _steps;

    public long WeightBytes => _steps.Sum(s => s.WeightBytes);

    public long ScratchBytes => _scratch.Bytes;

    public BatchSlicing Slicing(PlanGeometry geometry) => BatchSlicing.Choose(_plan, geometry, _outline, _pool.Threads);

    public long ActivationBytes(PlanGeometry geometry, BatchSlicing? slicing = null) =>
        Memory(geometry, slicing ?? Slicing(geometry)).TotalBytes;

    /// <exception cref="InvalidOperationException">A given slicing ends where a buffer the slices share is seen at two map sizes.</exception>
    public IShapedNetwork ForShape(PlanGeometry geometry, BatchSlicing? slicing = null)
    {
        // Choose only ends where CanEndAt allows; a slicing given by a test or benchmark is checked here, once.
        if (slicing is { } given && !BatchSlicing.CanEndAt(_plan, geometry, _outline, given.Steps))
            throw new InvalidOperationException($"{_plan.Name}: the batch cannot be sliced through step {given.Steps} (a buffer the slices share is seen at two map sizes).");
        var chosen = slicing ?? Slicing(geometry);
        return new Shape(this, geometry, chosen, Memory(geometry, chosen));
    }

    public void Dispose()
    {
        foreach (var step in _steps) step.Dispose();
        _scratch.Dispose();
        _arena.Dispose();
    }

    /// <summary>The 1x1 stride-1 convs, the only ones the SIMD backend has a kernel with a norm prologue for.</summary>
    private static bool IsPointwise(ConvOp c) => c is { Kernel: 1, Stride: 1, Padding: 0 };

    /// <summary>Buffers stored blocked (channels rounded up to whole blocks), laid out by the steps' lifetimes.</summary>
    private MemoryPlan Memory(PlanGeometry geometry, BatchSlicing slicing) =>
        MemoryPlan.For(_plan, geometry, _outline, Blocked.Round, slicing.Steps, slicing.Images * slicing.Threads);

    /// <summary>Makes the arena hold <paramref name="floats"/>; returns its generation.</summary>
    private int Arena(long floats)
    {
        if (_arena.Length < floats)
        {
            _arena.Dispose();
            _arena = new NativeBuffer(floats);
            _arenaGeneration++;
        }
        return _arenaGeneration;
    }

    /// <summary>
    /// The steps of <paramref name="outline"/>, each with its weights packed, made on the pool's threads: packing
    /// touches every byte of the prepared weights for the first time (DenseNet-121: 43 MB; page faults and zeroing were
    /// nearly half of preparing, the Winograd transforms an eighth) and steps share nothing while they are made. The
    /// pool is the device's and its gate is held, as for a run.
    /// </summary>
    private static SimdStep[] Compile(NetworkPlan plan, IReadOnlyList<PlanStep> outline, BoundCheckpoint weights, Conv3x3Algorithm conv3x3, WorkerPool pool)
    {
        var compilation = new Compilation(plan, outline, weights, conv3x3);
        try
        {
            pool.Run(compilation);
        }
        catch
        {
            foreach (var step in compilation.Steps) step?.Dispose();
            throw;
        }
        return Array.ConvertAll(compilation.Steps, step => step!);
    }

    /// <summary>
    /// One tile per step: tile t makes step t. Made steps stay in <see cref="Steps"/> when another tile throws, so the
    /// caller can dispose them. Not a kernel: it runs once, at load.
    /// </summary>
    private sealed class Compilation(NetworkPlan plan, IReadOnlyList<PlanStep> outline, BoundCheckpoint weights, Conv3x3Algorithm conv3x3) : ISimdLaunch
    {
        // A 3x3 conv's algorithm is chosen per input shape when the shape is bound; the spec's input size at batch 1 is
        // prepared here, at load. A hand-built plan without an input size (the kernel tests') keeps the direct conv,
        // whose FP32 bar those tests hold it to.
        private readonly PlanGeometry? _nominal = plan.InputSize > 0 ? PlanGeometry.Compute(plan, 1, plan.InputSize, plan.InputSize) : null;

        public SimdStep?[] Steps { get; } = new SimdStep?[outline.Count];

        public int TileCount => outline.Count;

        public void RunTile(int tile) => Steps[tile] = Compile(plan, outline[tile], weights, _nominal, conv3x3);
    }

    private static SimdStep Compile(NetworkPlan plan, PlanStep step, BoundCheckpoint weights, PlanGeometry? nominal, Conv3x3Algorithm conv3x3)
    {
        int i = step.FirstOp;
        switch (step)
        {
            case { Prologue: { } n, Main: ConvOp c }:
            {
                var (scale, shift) = FoldedConv.Norm(n, weights);
                var f = FoldedConv.Of(c, weights);
                var packed = new PointwiseWeights<TVec>(f.Weights, f.Bias, n.SourceChannelOffset, n.Channels,
                    c.DestinationChannelOffset, c.OutChannels, scale, shift);
                return new PointwiseStep<TVec>(i, step.LastOp, n.Source, c.Destination, packed, n.Pool == PoolKind.Average2x2, c.Relu);
            }
            case { Main: BatchNormReluOp n }:
            {
                var (scale, shift) = FoldedConv.Norm(n, weights);
                return new NormStep(i, n, scale, shift);
            }
            case { Main: ConvOp c } when IsPointwise(c):
            {
                var f = FoldedConv.Of(c, weights);
                var packed = new PointwiseWeights<TVec>(f.Weights, f.Bias, c.SourceChannelOffset, c.InChannels,
                    c.DestinationChannelOffset, c.OutChannels, null, null);
                return new PointwiseStep<TVec>(i, i, c.Source, c.Destination, packed, false, c.Relu);
            }
            case { Main: ConvOp c }:
            {
                var folded = FoldedConv.Of(c, weights);
                if (nominal is null || conv3x3 != Conv3x3Algorithm.Winograd || c is not { Kernel: 3, Stride: 1, Padding: 1 })
                    return new ConvStep<TVec>(i, c, folded);
                return new Conv3x3Step<TVec>(i, c, folded, Math.Min(nominal.Ops[i].InHeight, nominal.Ops[i].InWidth));
            }
            case { Main: MaxPoolOp m }:
                return new MaxPoolStep<TVec>(i, m);
            default:
                throw new NotSupportedException($"{plan.Name}: op #{i} ({plan.Ops[i].GetType().Name}) is not supported.");
        }
    }

    /// <summary>
    /// The program at one input shape: its memory plan, and its launches bound into the current arena. The input's
    /// reorder and the first <see cref="BatchSlicing.Steps"/> steps run slice by slice, each slice bound to its own
    /// images and to its thread's copy of the buffers only they touch (<see cref="SlicedSteps{TVec}"/>); the other steps
    /// run on the whole batch.
    /// </summary>
    private sealed class Shape(SimdProgram<TVec> program, PlanGeometry geometry, BatchSlicing slicing, MemoryPlan memory) : IShapedNetwork
    {
        /// <summary>The whole batch's launches of the steps after the sliced ones (null before them).</summary>
        private ISimdLaunch[] _ops = [];
        /// <summary>Per step, the weights of the step after it (null for the last), prefetched at its join.</summary>
        private WeightRange[]?[] _next = [];
        private SlicedSteps<TVec> _sliced = null!;
        private float*[] _pointers = [];
        private int _boundGeneration = -1;

        public PlanGeometry Geometry => geometry;

        public float[][] Run(ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
        {
            Bind();
            var steps = program._steps;
            fixed (float* source = input)
            {
                _sliced.Source = source;
                _sliced.OpCount = opCount;
                if (slicing.Steps == 0) _sliced.RunReorder(program._pool);
                else if (opFinished is null) program._pool.Run(_sliced);
                else _sliced.RunTraced(opFinished);
                _sliced.Source = null;
            }
            for (int s = slicing.Steps; s < steps.Length && steps[s].FirstOp < opCount; s++)
            {
                program._pool.Run(_ops[s], _next[s]);
                if (opFinished is not null) steps[s].ReportFinished(opFinished);
            }
            var results = new float[read.Length][];
            for (int r = 0; r < read.Length; r++) results[r] = Read(read[r]);
            return results;
        }

        /// <summary>A buffer as NCHW [batch][Channels][h][w], at its final spatial size.</summary>
        private float[] Read(int buffer)
        {
            var plan = program._plan;
            var (h, w) = geometry.FinalSizes[buffer]
                ?? throw new InvalidOperationException($"{plan.Name}: no op writes the result buffer '{plan.Buffers[buffer].Name}'.");
            int batch = geometry.Batch, channels = plan.Buffers[buffer].Channels, pixels = h * w;
            var result = new float[geometry.ResultLength(plan, buffer)];
            float* source = _pointers[buffer];
            long block = (long)pixels * Blocked.Lanes, image = block * Blocked.Blocks(channels);
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < channels; c++)
                    for (int p = 0; p < pixels; p++)
                        result[((long)n * channels + c) * pixels + p] = source[n * image + c / Blocked.Lanes * block + (long)p * Blocked.Lanes + c % Blocked.Lanes];
            return result;
        }

        /// <summary>Binds the launches to the arena unless they already point into its current allocation.</summary>
        private void Bind()
        {
            int generation = program.Arena(memory.TotalFloats);
            if (generation == _boundGeneration) return;
            var plan = program._plan;
            var pointers = new float*[plan.Buffers.Count];
            for (int b = 0; b < pointers.Length; b++)
                pointers[b] = memory.Offsets[b] < 0 ? null : program._arena.Pointer + memory.Offsets[b];
            var ops = new ISimdLaunch[program._steps.Length];
            var binding = new StepBinding(geometry, plan, pointers, program._scratch.Pointer, program._scratch.Stride, program._pool.Threads);
            for (int s = slicing.Steps; s < ops.Length; s++) ops[s] = program._steps[s].Bind(binding);
            // After binding: a 3x3 conv's ranges are those of the variant this shape chose.
            var next = new WeightRange[]?[ops.Length];
            for (int s = slicing.Steps; s + 1 < ops.Length; s++)
                next[s] = program._steps[s + 1].WeightRanges.ToArray() is { Length: > 0 } ranges ? ranges : null;
            var slices = slicing.Slices(geometry.Batch).ToArray();
            _sliced = new SlicedSteps<TVec>(program._steps, (long)plan.InChannels * geometry.Height * geometry.Width, slicing.Threads,
                [.. slices.Select((slice, i) => BindSlice(pointers, slice.First, slice.Count, copy: SlicedSteps<TVec>.TileOf(i, slices.Length, slicing.Threads)))]);
            _ops = ops;
            _next = next;
            _pointers = pointers;
            _boundGeneration = generation;
        }

        /// <summary>
        /// The reorder and sliced steps of <paramref name="images"/> images from <paramref name="first"/>, bound to their
        /// part of each batch buffer and to copy <paramref name="copy"/> of each per-slice buffer.
        /// </summary>
        private SlicedSteps<TVec>.Slice BindSlice(float*[] pointers, int first, int images, int copy)
        {
            var plan = program._plan;
            var slice = PlanGeometry.Compute(plan, images, geometry.Height, geometry.Width);
            // A batch buffer is the batch's images one after another, each at the size the step sees it. A per-slice
            // buffer is one copy per thread running slices, each a slice's images at the largest size any step sees
            // them: copies at the size of each step would overlap where one thread is at a larger map than another.
            float* Part(int buffer, int height, int width) => memory.PerSlice[buffer]
                ? pointers[buffer] + (long)copy * slicing.Images * (geometry.BufferElements[buffer] / geometry.Batch / plan.Buffers[buffer].Channels * Blocked.Round(plan.Buffers[buffer].Channels))
                : pointers[buffer] + (long)first * Blocked.Round(plan.Buffers[buffer].Channels) * height * width;
            var ops = new ISimdLaunch[slicing.Steps];
            for (int s = 0; s < ops.Length; s++)
            {
                var step = program._steps[s];
                var (source, destination) = (geometry.Ops[step.FirstOp], geometry.Ops[step.LastOp]);
                var parts = (float*[])pointers.Clone();
                parts[step.Source] = Part(step.Source, source.InHeight, source.InWidth);
                parts[step.Destination] = Part(step.Destination, destination.OutHeight, destination.OutWidth);
                // One thread runs the slice: its launches are cut for one.
                ops[s] = step.Bind(new StepBinding(slice, plan, parts, program._scratch.Pointer, program._scratch.Stride, threads: 1));
            }
            var reorder = new InputReorder<TVec>(images, plan.InChannels, geometry.Height, geometry.Width, Part(0, geometry.Height, geometry.Width));
            return new SlicedSteps<TVec>.Slice(first, reorder, ops);
        }

        /// <summary>Nothing of its own to free: the arena and the weights are the program's.</summary>
        public void Dispose()
        {
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
    /// <summary>The slicing <see cref="ForShape"/> chooses for <paramref name="geometry"/> when given none.</summary>
    BatchSlicing Slicing(PlanGeometry geometry);
    long ActivationBytes(PlanGeometry geometry, BatchSlicing? slicing = null);
    /// <param name="geometry">The input shape.</param>
    /// <param name="slicing">How to run the batch; null for <see cref="Slicing"/>'s choice (tests and benchmarks set it).</param>
    IShapedNetwork ForShape(PlanGeometry geometry, BatchSlicing? slicing = null);
}
