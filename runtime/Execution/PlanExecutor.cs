using DenseNetGen.Backends;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>
/// Runs a <see cref="NetworkPlan"/> with bound weights on one device, whatever its backend: checks the plan and
/// the input, keeps the backend's network per input shape (the one cache of per-shape state: the plan's geometry,
/// memory plan, bound launches, launch plan and CUDA graphs all live in it), and holds the device's gate (see
/// <see cref="ComputeDevice"/>) around everything the backend does. Safe to call from several threads.
/// </summary>
internal sealed class PlanExecutor : IDisposable
{
    private readonly NetworkPlan _plan;
    private readonly ComputeDevice _device;
    private readonly IPreparedNetwork _network;
    private readonly Dictionary<(int Batch, int Height, int Width), IShapedNetwork> _shapes = [];
    private bool _disposed;

    /// <exception cref="CheckpointException">A tensor the plan needs is missing or has the wrong size.</exception>
    /// <exception cref="InvalidOperationException">An op reaches past a buffer's channels.</exception>
    public PlanExecutor(NetworkPlan plan, BoundCheckpoint weights, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(device);
        PlanGeometry.CheckChannels(plan);
        _plan = plan;
        _device = device;
        lock (device.Gate)
            _network = device.Backend.Prepare(plan, weights);
    }

    /// <summary>The backend's prepared network, for benchmarks that ask a backend-specific figure (the SIMD arena's size).</summary>
    internal IPreparedNetwork Prepared => _network;

    /// <summary>
    /// Runs the plan on NCHW input; returns logits [batch, NumClasses] or, with <paramref name="featuresOnly"/>,
    /// features [batch, FeatureChannels]. (Those buffers are 1x1 maps in a network; a hand-built plan whose result
    /// buffer is larger gets the whole buffer back, NCHW, which is how the kernel tests read spatial outputs.)
    /// </summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width, bool featuresOnly) =>
        featuresOnly
            ? Execute(input, batch, height, width, _plan.FeatureOpCount, [_plan.FeatureBuffer], null)[0]
            : Execute(input, batch, height, width, _plan.Ops.Count, [_plan.OutputBuffer], null)[0];

    /// <summary>Runs the whole plan once and returns both the logits and the pooled features.</summary>
    public (float[] Logits, float[] Features) RunWithFeatures(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        var results = Execute(input, batch, height, width, _plan.Ops.Count, [_plan.OutputBuffer, _plan.FeatureBuffer], null);
        return (results[0], results[1]);
    }

    /// <summary>
    /// Runs the whole plan, calling <paramref name="opFinished"/> with each op's index once the op has finished on
    /// the device (for `densenet-bench profile`, which times the ops one by one).
    /// </summary>
    internal void Trace(ReadOnlySpan<float> input, int batch, int height, int width, Action<int> opFinished) =>
        Execute(input, batch, height, width, _plan.Ops.Count, [], opFinished);

    private float[][] Execute(ReadOnlySpan<float> input, int batch, int height, int width, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
    {
        lock (_device.Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _device.ThrowIfDisposed();
            ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
            long expected = (long)batch * _plan.InChannels * height * width;
            if (input.Length != expected)
                throw new ArgumentException($"{_plan.Name} expects {expected} input values ({batch}×{_plan.InChannels}×{height}×{width}), got {input.Length}.", nameof(input));
            return Shape(batch, height, width).Run(input, opCount, read, opFinished);
        }
    }

    /// <summary>Device memory the prepared network holds (see <see cref="IPreparedNetwork.DeviceBytes"/>).</summary>
    internal long DeviceBytes
    {
        get
        {
            lock (_device.Gate)
                return _network.DeviceBytes;
        }
    }

    private IShapedNetwork Shape(int batch, int height, int width)
    {
        if (!_shapes.TryGetValue((batch, height, width), out var shape))
            _shapes[(batch, height, width)] = shape = _network.ForShape(PlanGeometry.Compute(_plan, batch, height, width));
        return shape;
    }

    public void Dispose()
    {
        lock (_device.Gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var shape in _shapes.Values) shape.Dispose();
            _network.Dispose();
        }
    }
}
