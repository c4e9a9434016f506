using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// Whether a device's networks record their forward passes as CUDA graphs (see <see cref="CudaGraphs"/>): only on
/// CUDA, only for a kernel set whose runner records them, not with DENSENET_CUDA_GRAPHS=off, and not after a
/// capture failed. Says which in the device description.
/// </summary>
internal sealed class GraphCapture
{
    /// <summary>Null while graphs are on; "" where they never apply; otherwise why they are off.</summary>
    private string? _off;

    private GraphCapture(string? off) => _off = off;

    /// <summary>
    /// The setting for a device; reads DENSENET_CUDA_GRAPHS on every device whose set records graphs, so a bad value
    /// throws (a usage error, like DENSENET_KERNELS) without a GPU too.
    /// </summary>
    /// <exception cref="ArgumentException">DENSENET_CUDA_GRAPHS is neither empty, on nor off.</exception>
    public static GraphCapture For(bool setRecordsGraphs, AcceleratorType accelerator)
    {
        bool wanted = !setRecordsGraphs || CudaGraphs.Wanted(Environment.GetEnvironmentVariable(CudaGraphs.EnvironmentVariable));
        return new(!setRecordsGraphs || accelerator != AcceleratorType.Cuda ? ""
            : wanted ? CudaGraphs.Unavailable
            : CudaGraphs.EnvironmentVariable + "=off");
    }

    /// <summary>Whether forward passes are recorded once per shape and replayed.</summary>
    public bool On => _off is null;

    /// <summary>After a failed capture: plain launches from now on, and the description says why.</summary>
    public void Stop(string reason) => _off = reason;

    /// <summary>"; CUDA graphs: on", "; CUDA graphs: off, plain launches (why)", or "" where graphs never apply.</summary>
    public string Setting => _off switch
    {
        null => "; CUDA graphs: on",
        "" => "",
        var reason => $"; CUDA graphs: off, plain launches ({reason})",
    };
}
