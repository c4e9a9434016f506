using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// Whether a device's networks record their forward passes as CUDA graphs (see <see cref="CudaGraphs"/>): only on
/// CUDA, only for a kernel set whose runner records them, not with DENSENET_CUDA_GRAPHS=off, and not after a
/// capture failed. Says which in the device description. A failed capture turns graphs off with a one-time
/// warning, or, when DENSENET_CUDA_GRAPHS=on asked for graphs, is an error.
/// </summary>
internal sealed class GraphCapture
{
    /// <summary>Null while graphs are on; "" where they never apply; otherwise why they are off.</summary>
    private string? _off;

    private readonly bool _required;
    private readonly TextWriter _warnings;

    /// <param name="off">Null for graphs on, "" where they never apply, otherwise why they are off.</param>
    /// <param name="required">DENSENET_CUDA_GRAPHS=on: a failed capture is an error rather than a warning.</param>
    /// <param name="warnings">Where the one-time warning goes (standard error).</param>
    internal GraphCapture(string? off, bool required, TextWriter warnings)
    {
        _off = off;
        _required = required;
        _warnings = warnings;
    }

    /// <summary>
    /// The setting for a device; reads DENSENET_CUDA_GRAPHS on every device whose set records graphs, so a bad value
    /// throws (a usage error, like DENSENET_KERNELS) without a GPU too.
    /// </summary>
    /// <exception cref="InvalidSettingException">DENSENET_CUDA_GRAPHS is neither empty, on nor off.</exception>
    /// <exception cref="DeviceUnavailableException">DENSENET_CUDA_GRAPHS=on on CUDA, and the driver cannot capture graphs.</exception>
    public static GraphCapture For(bool setRecordsGraphs, AcceleratorType accelerator)
    {
        var setting = setRecordsGraphs ? CudaGraphs.Parse(Environment.GetEnvironmentVariable(CudaGraphs.EnvironmentVariable)) : CudaGraphs.Setting.Off;
        bool required = setting == CudaGraphs.Setting.On;
        if (required && accelerator == AcceleratorType.Cuda && CudaGraphs.Unavailable is { } missing)
            throw new DeviceUnavailableException(DeviceKind.Cuda, $"{CudaGraphs.EnvironmentVariable}=on requires CUDA graphs, which are unavailable: {missing}");
        return new(!setRecordsGraphs || accelerator != AcceleratorType.Cuda ? ""
            : setting != CudaGraphs.Setting.Off ? CudaGraphs.Unavailable
            : CudaGraphs.EnvironmentVariable + "=off", required, Console.Error);
    }

    /// <summary>Whether forward passes are recorded once per shape and replayed.</summary>
    public bool On => _off is null;

    /// <summary>
    /// After a failed capture: plain launches from now on, the description says why, and standard error gets one
    /// warning line.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">DENSENET_CUDA_GRAPHS=on asked for graphs.</exception>
    public void Stop(string reason, string device)
    {
        if (_required)
            throw new DeviceUnavailableException(DeviceKind.Cuda,
                $"CUDA graph capture failed on '{device}' and {CudaGraphs.EnvironmentVariable}=on requires graphs: {reason}");
        bool first = _off is null;
        _off = reason;
        if (first)
            _warnings.WriteLine($"densenet: warning: CUDA graphs are off on '{device}', launching plainly: {reason} " +
                                $"({CudaGraphs.EnvironmentVariable}=on makes this an error)");
    }

    /// <summary>"; CUDA graphs: on", "; CUDA graphs: off, plain launches (why)", or "" where graphs never apply.</summary>
    public string Setting => _off switch
    {
        null => "; CUDA graphs: on",
        "" => "",
        var reason => $"; CUDA graphs: off, plain launches ({reason})",
    };
}
