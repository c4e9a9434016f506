namespace DenseNetGen.Backends;

/// <summary>
/// The names users type for each device kind (--device, DENSENET_DEVICE), known whether or not the package that
/// opens a kind is referenced, so naming an absent one says which package to add instead of "unknown device".
/// </summary>
internal static class DeviceNames
{
    /// <summary>Every kind a user can name, in the order usage messages list them.</summary>
    public static IReadOnlyList<(string Name, DeviceKind Kind)> All { get; } =
    [
        ("cpu", DeviceKind.Cpu),
        ("opencl", DeviceKind.OpenCL),
        ("cuda", DeviceKind.Cuda),
        ("ilgpu-cpu", DeviceKind.IlgpuCpu),
    ];

    /// <summary>"cuda" for <see cref="DeviceKind.Cuda"/>; "auto" for <see cref="DeviceKind.Auto"/>.</summary>
    public static string Of(DeviceKind kind) =>
        kind == DeviceKind.Auto ? "auto" : All.First(n => n.Kind == kind).Name;
}
