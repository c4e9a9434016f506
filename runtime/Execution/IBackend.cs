using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>
/// One opened device of one backend: what a <see cref="ComputeDevice"/> delegates to. A backend prepares a plan's
/// weights in its own way (layout, packing, BatchNorm folding) and runs the plan's ops with its own kernels.
/// </summary>
/// <remarks>
/// Callers hold <see cref="ComputeDevice.Gate"/> around every call on a backend and on what it prepared, so a
/// backend needs no locking of its own for one device. <see cref="IDisposable.Dispose"/> releases the device;
/// it is called once, after every prepared network on it has been disposed or abandoned.
/// Backends are opened through <see cref="BackendRegistry"/>, the one place that maps device kinds to them.
/// </remarks>
internal interface IBackend : IDisposable
{
    DeviceKind Kind { get; }

    /// <summary>The device's own name, e.g. "CPUAccelerator" or an OpenCL device name.</summary>
    string DeviceName { get; }

    /// <summary>One line: kind, device name and memory, e.g. "Cpu device 'CPUAccelerator' (host memory)".</summary>
    string Description { get; }

    /// <summary>
    /// Uploads or packs <paramref name="weights"/> for <paramref name="plan"/>. The plan's channel ranges are already
    /// checked (<see cref="PlanGeometry.CheckChannels"/>).
    /// </summary>
    /// <exception cref="CheckpointException">A tensor an op names is missing or has the wrong size.</exception>
    /// <exception cref="NotSupportedException">The plan has an op kind this backend cannot run.</exception>
    IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights);
}

/// <summary>A plan with its weights prepared on one backend, and the activation memory it runs in.</summary>
internal interface IPreparedNetwork : IDisposable
{
    /// <summary>
    /// Runs ops [0, <paramref name="opCount"/>) of the plan on NCHW <paramref name="input"/> of the shape
    /// <paramref name="geometry"/> was computed for, and returns each buffer in <paramref name="read"/>, NCHW at its
    /// final size (<see cref="PlanGeometry.ResultLength"/>). Input length and shape are already checked.
    /// </summary>
    /// <param name="opFinished">
    /// When given, called with each op's index once the op has finished on the device (the backend waits for it),
    /// which is how `densenet-bench profile` times ops one by one.
    /// </param>
    float[][] Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished);
}
