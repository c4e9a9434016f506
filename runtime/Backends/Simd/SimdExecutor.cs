using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// Runs a <see cref="NetworkPlan"/> with bound weights on the CPU with the SIMD backend: blocked NCHW16c
/// activations, weights packed at load with following BatchNorms folded, each dense layer's and transition's
/// BN-ReLU fused into its 1x1 conv, spinning worker threads, one arena shared by buffers whose lifetimes do not
/// overlap. Safe to call from several threads: calls run one at a time, under the gate of the device whose
/// worker threads they use.
/// </summary>
internal sealed class SimdExecutor : IPlanRunner
{
    private readonly NetworkPlan _plan;
    private readonly ISimdProgram _program;
    private readonly Lock _gate;
    private readonly WorkerPool? _ownPool;
    private bool _disposed;

    /// <summary>On a device's worker threads, holding <paramref name="gate"/> (the device's) during each call.</summary>
    public SimdExecutor(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Lock gate)
        : this(plan, weights, pool, gate, ownsPool: false)
    {
    }

    /// <summary>On worker threads of its own, stopped on dispose.</summary>
    public SimdExecutor(NetworkPlan plan, BoundCheckpoint weights, SimdOptions? options = null)
        : this(plan, weights, new WorkerPool((options ?? new SimdOptions()).ResolvedThreads), new Lock(), ownsPool: true)
    {
    }

    private SimdExecutor(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Lock gate, bool ownsPool)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(plan);
            ArgumentNullException.ThrowIfNull(weights);
            _plan = plan;
            _gate = gate;
            _program = VectorWidth.Bits switch
            {
                512 => new SimdProgram<Vec512>(plan, weights, pool),
                256 => new SimdProgram<Vec256>(plan, weights, pool),
                _ => new SimdProgram<Vec128>(plan, weights, pool),
            };
            _ownPool = ownsPool ? pool : null;
        }
        catch
        {
            if (ownsPool) pool.Dispose();
            throw;
        }
    }

    /// <summary>"SIMD CPU backend, Vector512, 2 threads".</summary>
    public string Description => $"SIMD CPU backend, {VectorWidth.Name}, {_program.Threads} thread{(_program.Threads == 1 ? "" : "s")}";

    public int Threads => _program.Threads;

    internal ISimdProgram Program => _program;

    /// <summary>Bytes of the activation arena at this shape: the memory plan's peak live set.</summary>
    public long ActivationBytes(int batch, int height, int width)
    {
        lock (_gate) return _program.ActivationBytes(batch, height, width);
    }

    /// <summary>Logits [batch, NumClasses], or features [batch, FeatureChannels] with <paramref name="featuresOnly"/>.</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width, bool featuresOnly)
    {
        lock (_gate)
        {
            Execute(input, batch, height, width, featuresOnly ? _plan.FeatureOpCount : _plan.Ops.Count, null);
            return _program.Read(featuresOnly ? _plan.FeatureBuffer : _plan.OutputBuffer, batch, height, width);
        }
    }

    public (float[] Logits, float[] Features) RunWithFeatures(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        lock (_gate)
        {
            Execute(input, batch, height, width, _plan.Ops.Count, null);
            return (_program.Read(_plan.OutputBuffer, batch, height, width), _program.Read(_plan.FeatureBuffer, batch, height, width));
        }
    }

    /// <summary>Runs the whole plan, calling <paramref name="afterStep"/> after each fused step (for profiles).</summary>
    internal void Trace(ReadOnlySpan<float> input, int batch, int height, int width, Action<int> afterStep)
    {
        lock (_gate) Execute(input, batch, height, width, _plan.Ops.Count, afterStep);
    }

    private void Execute(ReadOnlySpan<float> input, int batch, int height, int width, int opCount, Action<int>? afterStep)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)batch * _plan.InChannels * height * width;
        if (input.Length != expected)
            throw new ArgumentException($"{_plan.Name} expects {expected} input values ({batch}×{_plan.InChannels}×{height}×{width}), got {input.Length}.", nameof(input));
        _program.Run(input, batch, height, width, opCount, afterStep);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _program.Dispose();
            _ownPool?.Dispose();
        }
    }
}
