namespace DenseNetGen.Execution;

/// <summary>Which backend runs the plan. Parsed from DENSENET_DEVICE and --device.</summary>
public enum DeviceKind
{
    /// <summary>CUDA, then an OpenCL GPU, then the SIMD CPU backend (an OpenCL CPU device only when asked for by name).</summary>
    Auto,
    /// <summary>The SIMD CPU backend: vectorised C# kernels on every physical core.</summary>
    Cpu,
    OpenCL,
    Cuda,
    /// <summary>ILGPU's CPU accelerator: the GPU kernels run as .NET code, so they can be checked without a GPU.</summary>
    IlgpuCpu,
}
