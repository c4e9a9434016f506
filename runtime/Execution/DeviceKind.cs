namespace DenseNetGen.Execution;

/// <summary>Which backend runs the plan. Parsed from DENSENET_DEVICE and --device (see <see cref="DeviceKindParser"/>).</summary>
public enum DeviceKind
{
    /// <summary>The first kind that opens, in the order <c>BackendRegistry</c> gives: CUDA, then OpenCL, then the CPU.</summary>
    Auto,
    /// <summary>ILGPU's CPU accelerator.</summary>
    Cpu,
    /// <summary>An OpenCL device through ILGPU (OpenCL C 2.0+ with the generic address space).</summary>
    OpenCL,
    /// <summary>A CUDA device through ILGPU.</summary>
    Cuda,
}
