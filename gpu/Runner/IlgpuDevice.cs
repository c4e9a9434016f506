using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// What a network prepared on the ILGPU backend needs of its device: the accelerator, the stream every launch and
/// copy goes to, and whether forward passes are recorded as CUDA graphs. Owned by the backend, which disposes them.
/// </summary>
internal sealed record IlgpuDevice(Accelerator Accelerator, AcceleratorStream Stream, GraphCapture Graphs)
{
    /// <summary>Test-only: a fault the GPU set's runner injects (see <see cref="LaunchFault"/>); null otherwise.</summary>
    internal LaunchFault? Fault { get; set; }
}
