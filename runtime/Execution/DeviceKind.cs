namespace DenseNetGen.Execution;

/// <summary>Which ILGPU backend runs the kernels. Parsed from DENSENET_DEVICE and --device.</summary>
public enum DeviceKind
{
    /// <summary>CUDA, then OpenCL, then the CPU accelerator.</summary>
    Auto,
    Cpu,
    OpenCL,
    Cuda,
}
