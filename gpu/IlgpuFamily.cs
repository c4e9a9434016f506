using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// ILGPU's devices as a backend family: cuda, opencl and ilgpu-cpu by name, and for auto CUDA then an OpenCL GPU
/// (an OpenCL CPU device such as PoCL only when named: the SIMD backend is faster there).
/// </summary>
/// <remarks>
/// ILGPU compiles kernels to IL and PTX/OpenCL C at run time, which needs dynamic code: under NativeAOT its
/// <c>Context</c> cannot even be created. So every open first checks <see cref="RuntimeFeature.IsDynamicCodeSupported"/>
/// and reports the device unavailable, which auto passes over (saying why in the device line) and a named device
/// turns into a clear error.
/// </remarks>
internal sealed class IlgpuFamily : IBackendFamily
{
    public IReadOnlyList<BackendRegistration> Kinds { get; } =
    [
        new(DeviceKind.OpenCL, options => Open(DeviceKind.OpenCL, options)),
        new(DeviceKind.Cuda, options => Open(DeviceKind.Cuda, options)),
        new(DeviceKind.IlgpuCpu, options => Open(DeviceKind.IlgpuCpu, options)),
    ];

    /// <summary>CUDA, then an OpenCL GPU; without dynamic code one candidate that says why once.</summary>
    public IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates { get; } = RuntimeFeature.IsDynamicCodeSupported
        ?
        [
            options => IlgpuBackend.Open(DeviceKind.Cuda, options),
            options => IlgpuBackend.Open(DeviceKind.OpenCL, options, gpuOnly: true),
        ]
        : [_ => throw new DeviceUnavailableException(DeviceKind.Auto, $"no GPU device: {NoDynamicCode}")];

    public IEnumerable<DeviceInfo> ListDevices() => RuntimeFeature.IsDynamicCodeSupported ? IlgpuBackend.ListDevices() : [];

    private const string NoDynamicCode = "ILGPU compiles kernels at run time, which this NativeAOT build cannot";

    private static IlgpuBackend Open(DeviceKind kind, ComputeOptions options) =>
        RuntimeFeature.IsDynamicCodeSupported
            ? IlgpuBackend.Open(kind, options)
            : throw new DeviceUnavailableException(kind, $"no {DeviceNames.Of(kind)} device: {NoDynamicCode}");
}
