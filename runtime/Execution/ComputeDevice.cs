using DenseNetGen.Backends;

namespace DenseNetGen.Execution;

/// <summary>
/// A device that models run on, opened on one backend. Share one between models and threads: it runs one model
/// call at a time. The caller that opens a device owns it and disposes it after the models on it.
/// </summary>
/// <remarks>
/// <see cref="Gate"/> serializes everything queued on this device: OpenCL keeps kernel arguments on the kernel
/// object (clSetKernelArg), which every model on the device shares, and ILGPU sets them and enqueues without a
/// lock, so two threads launching at once swap each other's buffers (on PoCL: wrong outputs, then a corrupted
/// heap). Backends rely on it and take no lock of their own per device; a backend's process-wide locks are taken
/// after the gate, never before.
/// </remarks>
public sealed class ComputeDevice : IDisposable
{
    private static readonly RetryingLazy<ComputeDevice> s_default = new(() => Open(DeviceKindParser.FromEnvironment()));

    private readonly IBackend _backend;
    private readonly string _choice;
    private bool _disposed;

    private ComputeDevice(IBackend backend, string choice)
    {
        _backend = backend;
        _choice = choice;
    }

    /// <summary>
    /// The process-wide device chosen by DENSENET_DEVICE (auto, cpu, opencl, cuda, ilgpu-cpu; default auto), opened on first
    /// use and kept for the life of the process: do not dispose it. A failed opening is not kept: once the setting
    /// that made it fail is fixed, the next use opens the device.
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_DEVICE or a setting the backend reads as it opens is invalid.</exception>
    /// <exception cref="DeviceUnavailableException">DENSENET_DEVICE names a backend that is absent.</exception>
    public static ComputeDevice Default => s_default.Value;

    /// <summary>
    /// Opens a device. Auto takes CUDA, then an OpenCL GPU, then the SIMD CPU backend (an OpenCL CPU device such as
    /// PoCL only when OpenCL is named); naming a backend that is absent throws
    /// <see cref="DeviceUnavailableException"/> saying what was found, never falling back silently.
    /// </summary>
    /// <param name="kind">Which backend: <see cref="DeviceKind.Auto"/> picks the fastest present (parse user text with <see cref="DeviceKindParser"/>).</param>
    /// <param name="options">Kernel set, precision, the SIMD backend's threads; null for <see cref="ComputeOptions.Default"/>.</param>
    /// <exception cref="DeviceUnavailableException">The backend is absent, or the options ask for what it cannot do (TF32 off CUDA and the CPU accelerator).</exception>
    /// <exception cref="ArgumentException">An ILGPU device is opened and DENSENET_KERNELS or DENSENET_CUDA_GRAPHS has an unknown value.</exception>
    public static ComputeDevice Open(DeviceKind kind = DeviceKind.Auto, ComputeOptions? options = null)
    {
        var (backend, choice) = BackendRegistry.Open(kind, options ?? ComputeOptions.Default);
        return new ComputeDevice(backend, choice);
    }

    /// <summary>
    /// Every device the backends see, including OpenCL devices ILGPU cannot run kernels on; the SIMD CPU backend's
    /// line gives the threads a device opened with the default options gets (DENSENET_THREADS when set).
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_THREADS or DENSENET_SPIN is invalid.</exception>
    public static IReadOnlyList<DeviceInfo> ListDevices() => BackendRegistry.ListDevices();

    /// <summary>The backend actually opened: never <see cref="DeviceKind.Auto"/>, whatever was asked for.</summary>
    public DeviceKind Kind => _backend.Kind;

    /// <summary>The device's name as its backend reports it (a GPU's product name, or the CPU's model).</summary>
    public string Name => _backend.DeviceName;

    /// <summary>
    /// One line for logs: backend, device name, memory, for auto why it was chosen, then the backend's own notes
    /// (for ILGPU: CUDA graphs, precision, and last "kernel set: gpu" or "kernel set: cpu").
    /// </summary>
    public string Description => _backend.Description + _choice + _backend.Settings;

    /// <summary>Held while anything is queued on this device or its memory is allocated or freed.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The backend this device delegates to; callers hold <see cref="Gate"/> while using it.</summary>
    internal IBackend Backend
    {
        get
        {
            ThrowIfDisposed();
            return _backend;
        }
    }

    /// <summary>Models outlive their device only to fail clearly: nothing is queued on a released device.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The <see cref="Description"/> line.</summary>
    public override string ToString() => Description;

    /// <summary>
    /// Releases the backend's device memory and contexts; waits for a call in progress. Models on the device then
    /// throw <see cref="ObjectDisposedException"/>. Idempotent. Never dispose <see cref="Default"/>.
    /// </summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            _backend.Dispose();
        }
    }
}
