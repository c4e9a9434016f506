namespace DenseNetGen.Backends;

/// <summary>Which backend runs the plan. Parsed from DENSENET_DEVICE and --device (<c>DeviceKindParser</c>).</summary>
public enum DeviceKind
{
    /// <summary>The first that opens, in the order <c>BackendRegistry</c> gives: CUDA, then an OpenCL GPU (both with DenseNetGen.Gpu referenced), then the SIMD CPU backend.</summary>
    Auto,
    /// <summary>The SIMD CPU backend: vectorised C# kernels on every physical core.</summary>
    Cpu,
    /// <summary>An OpenCL device through ILGPU (OpenCL C 2.0+ with the generic address space).</summary>
    OpenCL,
    /// <summary>A CUDA device through ILGPU.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator: the GPU kernels run as .NET code, so they are checked without a GPU.</summary>
    IlgpuCpu,
}
