using DenseNetGen.Backends.Ilgpu.Ops;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// A plan on an ILGPU accelerator: each op's weights uploaded once in its kernels' layout, and the activation
/// buffers, kept between calls and only grown.
/// </summary>
/// <remarks>
/// All launches and copies go to the accelerator's default stream; the host waits once per call, after the
/// results have been queued for copying back (and after every op when tracing).
/// </remarks>
internal sealed class IlgpuNetwork : IPreparedNetwork
{
    private readonly NetworkPlan _plan;
    private readonly IlgpuBackend _backend;
    private readonly IIlgpuOp?[] _ops;
    private readonly ActivationBuffers _activations;

    public IlgpuNetwork(NetworkPlan plan, BoundCheckpoint weights, IlgpuBackend backend)
    {
        _plan = plan;
        _backend = backend;
        _ops = new IIlgpuOp?[plan.Ops.Count];
        _activations = new ActivationBuffers(backend.Accelerator, plan.Buffers.Count);
        try
        {
            for (int i = 0; i < _ops.Length; i++)
                _ops[i] = IlgpuOps.Prepare(plan, i, weights, backend.Accelerator);
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
        _activations.EnsureCapacity(geometry.BufferElements);

        var stream = _backend.Accelerator.DefaultStream;
        var launch = new IlgpuLaunch(stream, _backend.Kernels, _activations, geometry.Batch);
        _activations.View(0, input.Length).CopyFromCPU(stream, input);
        for (int i = 0; i < opCount; i++)
        {
            _ops[i]!.Launch(launch, geometry.Ops[i]);
            if (opFinished is not null)
            {
                stream.Synchronize();
                opFinished(i);
            }
        }

        var results = new float[read.Length][];
        for (int r = 0; r < read.Length; r++)
        {
            results[r] = new float[geometry.ResultLength(_plan, read[r])];
            _activations.View(read[r], results[r].Length).CopyToCPU(stream, results[r]);
        }
        stream.Synchronize();
        return results;
    }

    public void Dispose()
    {
        foreach (var op in _ops)
            op?.Dispose();
        _activations.Dispose();
    }
}
