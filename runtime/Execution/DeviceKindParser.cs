namespace DenseNetGen.Execution;

/// <summary>Parses the device names users type (DENSENET_DEVICE, --device).</summary>
public static class DeviceKindParser
{
    public const string EnvironmentVariable = "DENSENET_DEVICE";

    /// <summary>auto, cpu, opencl, cuda or ilgpu-cpu, any case.</summary>
    /// <param name="origin">Where the text came from, for the error message (e.g. "DENSENET_DEVICE").</param>
    public static DeviceKind Parse(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "opencl" => DeviceKind.OpenCL,
        "cuda" => DeviceKind.Cuda,
        "ilgpu-cpu" => DeviceKind.IlgpuCpu,
        _ => throw new ArgumentException($"{origin}: unknown device '{text}'; expected auto, cpu, opencl, cuda or ilgpu-cpu."),
    };

    /// <summary>DENSENET_DEVICE, or Auto when it is unset.</summary>
    public static DeviceKind FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { } value
            ? Parse(value, EnvironmentVariable)
            : DeviceKind.Auto;
}
