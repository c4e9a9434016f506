using DenseNetGen.Backends.Ilgpu.GpuKernels;
using DenseNetGen.Backends.Ilgpu.Ops;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// A plan on an ILGPU accelerator: each op's weights uploaded once in its kernels' layout, and the activation
/// buffers in one arena, kept between calls and only grown, laid out per input shape by what the launches touch.
/// </summary>
/// <remarks>
/// All launches and copies go to the backend's stream; the host waits once per call, after the results have been
/// queued for copying back (and after every launch when tracing). With the GPU kernel set,
/// <see cref="GpuPlanRunner"/> queues the ops, fused and on CUDA as a graph.
/// </remarks>
internal sealed class IlgpuNetwork : IPreparedNetwork
{
    private readonly NetworkPlan _plan;
    private readonly IlgpuBackend _backend;
    private readonly IIlgpuOp?[] _ops;
    private readonly ActivationBuffers _activations;
    private readonly GpuPlanRunner? _gpu;
    private readonly Dictionary<(int Batch, int Height, int Width), MemoryPlan> _layouts = [];

    public IlgpuNetwork(NetworkPlan plan, BoundCheckpoint weights, IlgpuBackend backend)
    {
        _plan = plan;
        _backend = backend;
        _ops = new IIlgpuOp?[plan.Ops.Count];
        _activations = new ActivationBuffers(backend.Accelerator);
        try
        {
            for (int i = 0; i < _ops.Length; i++)
                _ops[i] = IlgpuOps.Prepare(plan, i, weights, backend.Accelerator);
            if (backend.FusesOps)
                _gpu = new GpuPlanRunner(plan, _ops!, backend, (GpuKernelSet)backend.Kernels);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public float[][] Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
    {
        foreach (var count in geometry.BufferElements)
            if (count > int.MaxValue)
                throw new ArgumentException(
                    $"{_plan.Name}: batch {geometry.Batch} at {geometry.Height}x{geometry.Width} needs a buffer of {count} floats; kernels index with 32 bits. Use a smaller batch.");
        bool moved = _activations.Use(Layout(geometry));

        var stream = _backend.Stream;
        var launch = new IlgpuLaunch(stream, _backend.Kernels, _activations, geometry.Batch);
        _activations.View(0, input.Length).CopyFromCPU(stream, input);
        if (_gpu is not null)
            _gpu.Run(launch, geometry, opCount, moved, opFinished);
        else
            LaunchOps(launch, geometry, opCount, opFinished);

        var results = new float[read.Length][];
        for (int r = 0; r < read.Length; r++)
        {
            results[r] = new float[geometry.ResultLength(_plan, read[r])];
            _activations.View(read[r], results[r].Length).CopyToCPU(stream, results[r]);
        }
        stream.Synchronize();
        return results;
    }

    /// <summary>
    /// Where the shape's buffers live: laid out by the launches' lifetimes, the host's input copy first and the
    /// results (features and logits) kept to the end. The GPU set's launches leave the norm scratch of fused norms
    /// untouched, so it takes no memory there.
    /// </summary>
    internal MemoryPlan Layout(PlanGeometry geometry)
    {
        var key = (geometry.Batch, geometry.Height, geometry.Width);
        if (_layouts.TryGetValue(key, out var layout)) return layout;
        var touches = new List<(int[] Reads, int Write)> { ([], 0) };
        touches.AddRange(_gpu is not null
            ? _gpu.Touches(geometry)
            : _plan.Ops.Select(op => (new[] { op.Reads.Buffer }, op.Writes.Buffer)));
        layout = MemoryPlan.Compute([.. geometry.BufferElements], touches, [_plan.FeatureBuffer, _plan.OutputBuffer]);
        _layouts[key] = layout;
        return layout;
    }

    private void LaunchOps(in IlgpuLaunch launch, PlanGeometry geometry, int opCount, Action<int>? opFinished)
    {
        for (int i = 0; i < opCount; i++)
        {
            _ops[i]!.Launch(launch, geometry.Ops[i]);
            if (opFinished is not null)
            {
                launch.Stream.Synchronize();
                opFinished(i);
            }
        }
    }

    public long DeviceBytes => _ops.Sum(op => op?.Bytes ?? 0) + _activations.Bytes + (_gpu?.ScratchBytes ?? 0);

    public void Dispose()
    {
        _gpu?.Dispose();
        foreach (var op in _ops)
            op?.Dispose();
        _activations.Dispose();
    }
}
