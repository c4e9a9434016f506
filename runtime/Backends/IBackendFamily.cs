namespace DenseNetGen.Backends;

/// <summary>
/// The devices one assembly brings: the kinds it opens, what auto tries from it, and its device listing. The core
/// brings the SIMD CPU backend; DenseNetGen.Gpu brings ILGPU's CUDA, OpenCL and CPU-accelerator devices and adds
/// itself through <see cref="BackendFamilies.Register"/> when an app references it.
/// </summary>
internal interface IBackendFamily
{
    /// <summary>Every kind this family opens by name (--device, DENSENET_DEVICE).</summary>
    IReadOnlyList<BackendRegistration> Kinds { get; }

    /// <summary>What auto tries from this family, first to last; each throws <see cref="DeviceUnavailableException"/> when absent.</summary>
    IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates { get; }

    /// <summary>Every device this family sees, usable or not, for <c>densenet info --devices</c>.</summary>
    IEnumerable<DeviceInfo> ListDevices();
}

/// <summary>A device kind a family opens by name.</summary>
/// <param name="Kind">The kind, as <see cref="DeviceNames"/> names it.</param>
/// <param name="Open">Opens the first device of this kind with the options; throws <see cref="DeviceUnavailableException"/> when there is none.</param>
internal sealed record BackendRegistration(DeviceKind Kind, Func<ComputeOptions, IBackend> Open);
