namespace DenseNetGen.Execution;

/// <summary>The requested backend is not present; the message says what was found instead.</summary>
public sealed class DeviceUnavailableException(DeviceKind requested, string message)
    : InvalidOperationException(message)
{
    public DeviceKind Requested { get; } = requested;
}
