using DenseNetGen.Backends;

namespace DenseNetGen.Execution;

/// <summary>Parses the device names users type (DENSENET_DEVICE, --device).</summary>
public static class DeviceKindParser
{
    /// <summary>The environment variable that chooses <see cref="ComputeDevice.Default"/>'s backend: "DENSENET_DEVICE".</summary>
    public const string EnvironmentVariable = "DENSENET_DEVICE";

    /// <summary>auto or a name from <see cref="DeviceNames"/> (cpu, opencl, cuda, ilgpu-cpu), any case.</summary>
    /// <param name="text">The name typed; surrounding spaces are ignored, and empty means auto.</param>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_DEVICE").</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists every known one.</exception>
    public static DeviceKind Parse(string text, string origin)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name is "auto" or "")
            return DeviceKind.Auto;
        foreach (var (known, kind) in DeviceNames.All)
            if (known == name)
                return kind;
        throw new ArgumentException($"{origin}: unknown device '{text}'; expected {Expected()}.");
    }

    /// <summary>DENSENET_DEVICE, or Auto when it is unset.</summary>
    public static DeviceKind FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { } value
            ? Parse(value, EnvironmentVariable)
            : DeviceKind.Auto;

    /// <summary>"auto, cpu, opencl, cuda or ilgpu-cpu".</summary>
    private static string Expected()
    {
        var names = DeviceNames.All.Select(n => n.Name).Prepend("auto").ToArray();
        return string.Join(", ", names[..^1]) + " or " + names[^1];
    }
}
