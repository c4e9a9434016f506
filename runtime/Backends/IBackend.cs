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

    /// <summary>The convolutions' arithmetic the backend was opened with.</summary>
    Precision Precision => Precision.Fp32;

    /// <summary>
    /// Null for a backend whose kernels are trusted without a self-test (the SIMD CPU backend, the reference);
    /// otherwise what the self-test's result is remembered under for the rest of the process: one device with one
    /// kernel set and precision, whose kernels the selection layer checks against the SIMD backend once, on open.
    /// </summary>
    string? SelfTestKey => null;
}

/// <summary>
/// A plan with its weights prepared on one backend (XNNPACK's "create"). Everything that depends on the input shape
/// lives in what <see cref="ForShape"/> hands out, which the caller keeps per shape (the selection layer's
/// <c>PlanExecutor</c> is the one cache).
/// </summary>
internal interface IPreparedNetwork : IDisposable
{
    /// <summary>
    /// The network at one input shape (XNNPACK's "reshape"): its memory plan and whatever else the backend derives
    /// from the shape (bound launches, a launch plan, a recorded CUDA graph), built now or on its first run.
    /// </summary>
    /// <param name="geometry">Every buffer's size for this input shape, from <see cref="PlanGeometry"/>.</param>
    /// <exception cref="ArgumentException">The shape is too large for this backend's kernels.</exception>
    IShapedNetwork ForShape(PlanGeometry geometry);

    /// <summary>
    /// Device memory this network holds (parameters, activations, scratch), for the benchmarks; activations only
    /// grow, so after a call it is that call's peak. 0 where the backend does not count it.
    /// </summary>
    long DeviceBytes => 0;
}

/// <summary>
/// A prepared network bound to one <see cref="PlanGeometry"/>: owns that shape's state and runs it (XNNPACK's
/// "setup" and "run"). Shapes of one network share its arena; a shape whose memory moved since its last run
/// rebinds itself. Disposed before its network.
/// </summary>
internal interface IShapedNetwork : IDisposable
{
    /// <summary>The input shape this was made for.</summary>
    PlanGeometry Geometry { get; }

    /// <summary>
    /// Runs ops [0, <paramref name="opCount"/>) of the plan on NCHW <paramref name="input"/> of this shape and returns
    /// each buffer in <paramref name="read"/>, NCHW at its final size (<see cref="PlanGeometry.ResultLength"/>).
    /// Input length and shape are already checked.
    /// </summary>
    /// <param name="input">The network input, NCHW float32, of this shape's batch and size.</param>
    /// <param name="opCount">How many leading ops to run (all of them, or <see cref="NetworkPlan.FeatureOpCount"/> for features).</param>
    /// <param name="read">Indices of the buffers to copy back, in the order they are returned.</param>
    /// <param name="opFinished">
    /// When given, called with each op's index once the op has finished on the device (the backend waits for it),
    /// which is how `densenet-bench profile` times ops one by one. A backend that runs leading ops on groups of the
    /// batch's images one group after another may call it once per group, each time the op has finished on that
    /// group's images.
    /// </param>
    float[][] Run(ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished);

    /// <summary>
    /// The kernel that computes plan op <paramref name="op"/> at this shape ("haloed 3x3 conv, split-K 2"), for the
    /// self-test's report of a wrong result; null where the backend does not say.
    /// </summary>
    string? Kernel(int op) => null;
}
