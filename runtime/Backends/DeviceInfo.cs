namespace DenseNetGen.Backends;

/// <summary>One device a backend can see, for <c>densenet info --devices</c>.</summary>
/// <param name="Name">The device's name as its driver reports it.</param>
/// <param name="Backend">Cpu, OpenCL or Cuda.</param>
/// <param name="MemoryBytes">Device memory in bytes as the backend reports it; <see cref="long.MaxValue"/> for a device that allocates from host memory.</param>
/// <param name="Capability">CUDA compute capability, OpenCL C version, or the CPU accelerator's thread count.</param>
/// <param name="Usable">Whether ILGPU can run kernels on it (an OpenCL device without generic address space cannot).</param>
/// <param name="GpuKernelSet">For ILGPU devices, whether the GPU kernel set fits it ("fits", or "does not fit: why"); null for the SIMD backend.</param>
public sealed record DeviceInfo(string Name, DeviceKind Backend, long MemoryBytes, string Capability, bool Usable, string? GpuKernelSet = null)
{
    /// <summary>One aligned line: backend, name, memory (GiB or "host memory"), capability, whether it is usable, and whether the GPU kernel set fits it.</summary>
    public override string ToString() =>
        $"{Backend,-6} {Name}  {Memory}  {Capability}{(Usable ? "" : "  (not usable by ILGPU)")}{(GpuKernelSet is null ? "" : $"  GPU kernel set: {GpuKernelSet}")}";

    private string Memory => FormatMemory(MemoryBytes);

    // The CPU accelerator reports long.MaxValue: it allocates from host memory.
    internal static string FormatMemory(long bytes) =>
        bytes >= long.MaxValue / 2 ? "host memory" : $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB";
}
