using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends;

/// <summary>
/// One opened device of one backend: what the selection layer's <c>ComputeDevice</c> delegates to. A backend prepares a plan's
/// weights in its own way (layout, packing, BatchNorm folding) and runs the plan's ops with its own kernels.
/// </summary>
/// <remarks>
/// Callers hold the device's gate (<c>ComputeDevice.Gate</c>) around every call on a backend and on what it prepared, so a
/// backend needs no locking of its own for one device. <see cref="IDisposable.Dispose"/> releases the device;
/// it is called once, after every prepared network on it has been disposed or abandoned.
/// Backends are opened through the selection layer (<c>BackendRegistry</c>), which finds them in the core and in
/// <see cref="BackendFamilies"/>; nothing in a backend refers to that layer.
/// </remarks>
internal interface IBackend : IDisposable
{
    DeviceKind Kind { get; }

    /// <summary>The device's own name, e.g. "CPUAccelerator" or an OpenCL device name.</summary>
    string DeviceName { get; }

    /// <summary>One line: kind, device name and memory, e.g. "Cpu device 'CPUAccelerator' (host memory)".</summary>
    string Description { get; }

    /// <summary>
    /// How the backend runs models, appended to the device description after why auto chose it, e.g.
    /// "; kernel set: gpu"; empty when there is nothing to say. May change while the device is open.
    /// </summary>
    string Settings => "";

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
    /// <param name="input">The network input, NCHW float32, of the geometry's batch and size.</param>
    /// <param name="geometry">Every buffer's size for this input shape, from <see cref="PlanGeometry"/>.</param>
    /// <param name="opCount">How many leading ops to run (all of them, or <see cref="NetworkPlan.FeatureOpCount"/> for features).</param>
    /// <param name="read">Indices of the buffers to copy back, in the order they are returned.</param>
    /// <param name="opFinished">
    /// When given, called with each op's index once the op has finished on the device (the backend waits for it),
    /// which is how `densenet-bench profile` times ops one by one.
    /// </param>
    float[][] Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished);

    /// <summary>
    /// Device memory this network holds (parameters, activations, scratch), for the benchmarks; activations only
    /// grow, so after a call it is that call's peak. 0 where the backend does not count it.
    /// </summary>
    long DeviceBytes => 0;
}
