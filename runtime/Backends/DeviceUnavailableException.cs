namespace DenseNetGen.Backends;

/// <summary>The requested backend is not present; the message says what was found instead.</summary>
public sealed class DeviceUnavailableException(DeviceKind requested, string message, IReadOnlyList<DeviceInfo>? found = null)
    : DenseNetException(message)
{
    /// <summary>The kind that was asked for (<see cref="DeviceKind.Auto"/> when no backend at all could open).</summary>
    public DeviceKind Requested { get; } = requested;

    /// <summary>The devices that backend saw, usable or not (e.g. an OpenCL device without the generic address space).</summary>
    public IReadOnlyList<DeviceInfo> Found { get; } = found ?? [];
}
