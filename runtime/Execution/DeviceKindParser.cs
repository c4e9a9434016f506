using DenseNetGen.Backends;

namespace DenseNetGen.Execution;

/// <summary>Parses the device names users type (DENSENET_DEVICE, --device).</summary>
public static class DeviceKindParser
{
    /// <summary>The environment variable that chooses <see cref="ComputeDevice.Default"/>'s backend: "DENSENET_DEVICE".</summary>
    public const string EnvironmentVariable = "DENSENET_DEVICE";

    private static readonly IReadOnlyList<(string Name, DeviceKind Kind)> s_choices = [("auto", DeviceKind.Auto), .. DeviceNames.All];

    /// <summary>auto or a name from <see cref="DeviceNames"/> (cpu, opencl, cuda, ilgpu-cpu), any case.</summary>
    /// <param name="text">The name typed; surrounding spaces are ignored, and empty means auto.</param>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_DEVICE" or "--device").</param>
    /// <exception cref="InvalidSettingException">An unknown name; the message lists every known one.</exception>
    public static DeviceKind Parse(string text, string origin) =>
        string.IsNullOrWhiteSpace(text) ? DeviceKind.Auto : SettingParser.OneOf(origin, text, "device", s_choices);

    /// <summary>DENSENET_DEVICE, or Auto when it is unset or blank.</summary>
    /// <exception cref="InvalidSettingException">DENSENET_DEVICE names no device.</exception>
    public static DeviceKind FromEnvironment() =>
        SettingParser.Read(EnvironmentVariable) is { } value ? Parse(value, EnvironmentVariable) : DeviceKind.Auto;
}
