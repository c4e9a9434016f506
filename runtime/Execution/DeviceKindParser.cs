namespace DenseNetGen.Execution;

/// <summary>Parses the device names users type (DENSENET_DEVICE, --device).</summary>
public static class DeviceKindParser
{
    public const string EnvironmentVariable = "DENSENET_DEVICE";

    /// <summary>auto or a name from <see cref="BackendRegistry"/> (cpu, opencl, cuda), any case.</summary>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_DEVICE").</param>
    public static DeviceKind Parse(string text, string origin)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name is "auto" or "")
            return DeviceKind.Auto;
        return BackendRegistry.Backends.FirstOrDefault(b => b.Name == name)?.Kind
            ?? throw new ArgumentException($"{origin}: unknown device '{text}'; expected {Expected()}.");
    }

    /// <summary>DENSENET_DEVICE, or Auto when it is unset.</summary>
    public static DeviceKind FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { } value
            ? Parse(value, EnvironmentVariable)
            : DeviceKind.Auto;

    /// <summary>"auto, cpu, opencl or cuda".</summary>
    private static string Expected()
    {
        var names = BackendRegistry.Backends.Select(b => b.Name).Prepend("auto").ToArray();
        return string.Join(", ", names[..^1]) + " or " + names[^1];
    }
}
