using System.Runtime.InteropServices;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// CUDA graphs through the driver API, which ILGPU does not wrap: a forward pass's launches, queued on a created
/// stream (the legacy default stream cannot be captured), are recorded once per input shape
/// (cuStreamBeginCapture_v2 … cuStreamEndCapture, cuGraphInstantiateWithFlags) and replayed with one
/// cuGraphLaunch, so batch-1 inference pays one launch instead of one per kernel.
/// </summary>
/// <remarks>
/// Entry points are looked up in libcuda at run time, so a driver without them (before CUDA 11.4) or a platform
/// without libcuda leaves graphs off with <see cref="Unavailable"/> saying why, and the caller launches plainly.
/// Capture runs in relaxed mode: ILGPU's launch path makes driver calls of its own (context binding), which the
/// global mode would flag as unsafe during capture. A graph holds raw device pointers, so its owner must drop
/// it whenever a buffer it reads or writes is reallocated.
/// </remarks>
internal static unsafe class CudaGraphs
{
    private const int CaptureModeRelaxed = 2; // CU_STREAM_CAPTURE_MODE_RELAXED

    private static readonly Lazy<Api?> s_api = new(Load);

    /// <summary>Null when graphs can be used; otherwise why not, for the device description.</summary>
    public static string? Unavailable => s_api.Value is null ? s_unavailable : null;

    /// <summary>DENSENET_CUDA_GRAPHS=off launches plainly: on a GPU, it tells a graph problem from a kernel problem.</summary>
    public const string EnvironmentVariable = "DENSENET_CUDA_GRAPHS";

    /// <summary>What DENSENET_CUDA_GRAPHS asks for: graphs where they work (unset), graphs or an error (on), none (off).</summary>
    public enum Setting
    {
        Default,
        On,
        Off,
    }

    private static readonly (string Name, Setting Value)[] s_settings = [("on", Setting.On), ("off", Setting.Off)];

    /// <summary><paramref name="setting"/> (<see cref="EnvironmentVariable"/>'s value): unset or blank, "on" or "off", any case.</summary>
    /// <exception cref="InvalidSettingException">The setting is neither blank, "on" nor "off".</exception>
    public static Setting Parse(string? setting) =>
        string.IsNullOrWhiteSpace(setting) ? Setting.Default : SettingParser.OneOf(EnvironmentVariable, setting, "value", s_settings);

    private static string s_unavailable = "libcuda not loaded";

    /// <summary>
    /// Records what <paramref name="enqueue"/> queues on <paramref name="stream"/> and instantiates it; nothing runs.
    /// Throws <see cref="InvalidOperationException"/> naming the failing driver call; the stream is left out of
    /// capture mode either way.
    /// </summary>
    public static CudaGraph Capture(Accelerator accelerator, AcceleratorStream stream, Action enqueue)
    {
        var api = s_api.Value ?? throw new InvalidOperationException("CUDA graphs are unavailable: " + s_unavailable);
        accelerator.Bind();
        var handle = ((CudaStream)stream).StreamPtr;
        Check(api.BeginCapture(handle, CaptureModeRelaxed), "cuStreamBeginCapture_v2");
        IntPtr graph = IntPtr.Zero;
        Exception? failure = null;
        try
        {
            enqueue();
        }
        catch (Exception e)
        {
            failure = e;
        }
        // Ending the capture is what takes the stream out of capture mode, also after a failed launch.
        int ended = api.EndCapture(handle, &graph);
        if (failure is not null)
        {
            if (graph != IntPtr.Zero) api.DestroyGraph(graph);
            throw new InvalidOperationException("a launch failed during CUDA graph capture: " + failure.Message, failure);
        }
        Check(ended, "cuStreamEndCapture");
        IntPtr exec;
        int instantiated = api.Instantiate(&exec, graph, 0);
        api.DestroyGraph(graph);
        Check(instantiated, "cuGraphInstantiateWithFlags");
        return new CudaGraph(api, exec);
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
            throw new InvalidOperationException($"{call} failed with CUresult {result}.");
    }

    private static Api? Load()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var library) && !NativeLibrary.TryLoad("nvcuda.dll", out library))
            return null;
        string[] names = ["cuStreamBeginCapture_v2", "cuStreamEndCapture", "cuGraphInstantiateWithFlags", "cuGraphLaunch", "cuGraphExecDestroy", "cuGraphDestroy"];
        var exports = new IntPtr[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (!NativeLibrary.TryGetExport(library, names[i], out exports[i]))
            {
                s_unavailable = $"the CUDA driver lacks {names[i]}";
                return null;
            }
        }
        return new Api(
            (delegate* unmanaged<IntPtr, int, int>)exports[0],
            (delegate* unmanaged<IntPtr, IntPtr*, int>)exports[1],
            (delegate* unmanaged<IntPtr*, IntPtr, ulong, int>)exports[2],
            (delegate* unmanaged<IntPtr, IntPtr, int>)exports[3],
            (delegate* unmanaged<IntPtr, int>)exports[4],
            (delegate* unmanaged<IntPtr, int>)exports[5]);
    }

    /// <summary>The driver entry points, as the CUDA driver API declares them (CUresult is an int, handles are pointers).</summary>
    internal sealed class Api(
        delegate* unmanaged<IntPtr, int, int> beginCapture,
        delegate* unmanaged<IntPtr, IntPtr*, int> endCapture,
        delegate* unmanaged<IntPtr*, IntPtr, ulong, int> instantiate,
        delegate* unmanaged<IntPtr, IntPtr, int> launch,
        delegate* unmanaged<IntPtr, int> destroyExec,
        delegate* unmanaged<IntPtr, int> destroyGraph)
    {
        public int BeginCapture(IntPtr stream, int mode) => beginCapture(stream, mode);
        public int EndCapture(IntPtr stream, IntPtr* graph) => endCapture(stream, graph);
        public int Instantiate(IntPtr* exec, IntPtr graph, ulong flags) => instantiate(exec, graph, flags);
        public int Launch(IntPtr exec, IntPtr stream) => launch(exec, stream);
        public int DestroyExec(IntPtr exec) => destroyExec(exec);
        public int DestroyGraph(IntPtr graph) => destroyGraph(graph);
    }
}

/// <summary>An instantiated CUDA graph (CUgraphExec); owned by whoever captured it, destroyed on dispose.</summary>
internal sealed unsafe class CudaGraph : IDisposable
{
    private readonly CudaGraphs.Api _api;
    private IntPtr _exec;

    internal CudaGraph(CudaGraphs.Api api, IntPtr exec)
    {
        _api = api;
        _exec = exec;
    }

    /// <summary>Queues the recorded launches on <paramref name="stream"/>.</summary>
    public void Launch(Accelerator accelerator, AcceleratorStream stream)
    {
        ObjectDisposedException.ThrowIf(_exec == IntPtr.Zero, this);
        accelerator.Bind();
        int result = _api.Launch(_exec, ((CudaStream)stream).StreamPtr);
        if (result != 0)
            throw new InvalidOperationException($"cuGraphLaunch failed with CUresult {result}.");
    }

    public void Dispose()
    {
        if (_exec == IntPtr.Zero) return;
        _api.DestroyExec(_exec);
        _exec = IntPtr.Zero;
    }
}
