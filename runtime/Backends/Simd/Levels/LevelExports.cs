using System.Runtime.InteropServices;
using System.Text;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// The level library's side of <see cref="LevelAbi"/>: each export runs the in-process SIMD backend of the image it is
/// compiled into. Only a level library's build exports them (its project lists this assembly as an
/// <c>UnmanagedEntryPointsAssembly</c>); in an app they are unreferenced and trimmed away.
/// </summary>
/// <remarks>
/// No exception leaves an export: each becomes a <see cref="LevelStatus"/> and the thread's last error. The two that
/// return a value instead (<see cref="Abi"/>, <see cref="DeviceBytes"/>) read a constant or a property of a handle
/// this library gave.
/// </remarks>
internal static unsafe class LevelExports
{
    [ThreadStatic] private static Exception? t_error;

    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Abi)]
    private static int Abi() => LevelAbi.Version;

    /// <summary>Opens a backend with the app's resolved settings; <c>level</c> (UTF-8) is the level's name for the device line.</summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Open)]
    private static int Open(int threads, int spinning, int conv3x3, byte* level, int levelLength, nint* backend)
    {
        try
        {
            var settings = new SimdSettings(threads, spinning != 0, (Conv3x3Algorithm)conv3x3);
            *backend = Handle(SimdBackend.Open(settings, Encoding.UTF8.GetString(level, levelLength)));
            return (int)LevelStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// One <see cref="LevelText"/>: <c>handle</c> is the backend for <see cref="LevelText.Description"/> and
    /// <see cref="LevelText.Settings"/>, the shape for <see cref="LevelText.Kernel"/> (of <c>op</c>), unused otherwise.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Text)]
    private static int Text(nint handle, int what, int op, byte* buffer, int capacity)
    {
        try
        {
            string? text = (LevelText)what switch
            {
                LevelText.Description => Target<SimdBackend>(handle).Description,
                LevelText.Settings => Target<SimdBackend>(handle).Settings,
                LevelText.Width => VectorWidth.Name,
                LevelText.Kernel => Target<IShapedNetwork>(handle).Kernel(op),
                LevelText.ErrorMessage => t_error?.Message,
                LevelText.ErrorDetail => t_error switch
                {
                    InvalidSettingException s => s.Setting,
                    CheckpointException c => c.FileName,
                    _ => null,
                },
                _ => throw new ArgumentOutOfRangeException(nameof(what)),
            };
            return Utf8(text, buffer, capacity);
        }
        catch (Exception e)
        {
            return -Fail(e) - 1;
        }
    }

    /// <summary>
    /// Copies the plan's parameters (given in <see cref="NetworkPlan.Parameters"/> order, at their shapes' lengths)
    /// and prepares the plan; the copies are dropped once packed.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Prepare)]
    private static int Prepare(nint backend, byte* plan, int planLength, float** tensors, int tensorCount, byte* source, int sourceLength, nint* network)
    {
        try
        {
            var decoded = PlanCodec.Read(new ReadOnlySpan<byte>(plan, planLength));
            if (tensorCount != decoded.Parameters.Count)
                throw new ArgumentException($"{tensorCount} tensors for a plan of {decoded.Parameters.Count} parameters.", nameof(tensorCount));
            var named = new Dictionary<string, Tensor>(tensorCount, StringComparer.Ordinal);
            for (int i = 0; i < tensorCount; i++)
            {
                var p = decoded.Parameters[i];
                named[p.Name] = new Tensor(p.Name, [.. p.Shape], new ReadOnlySpan<float>(tensors[i], checked((int)p.ElementCount)).ToArray());
            }
            var weights = new BoundCheckpoint(named, Encoding.UTF8.GetString(source, sourceLength), "level library", "canonical");
            *network = Handle(new Prepared(Target<SimdBackend>(backend).Prepare(decoded, weights), decoded));
            // The copies are garbage now, as large as the model, in a heap that allocates little after this: return
            // them to the system at once rather than whenever the library's GC next runs.
            named.Clear();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return (int)LevelStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = LevelAbi.DeviceBytes)]
    private static long DeviceBytes(nint network) => Target<Prepared>(network).Network.DeviceBytes;

    /// <summary>The network at one input shape, its geometry computed here again from the same plan.</summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Shape)]
    private static int Shape(nint network, int batch, int height, int width, nint* shape)
    {
        try
        {
            var prepared = Target<Prepared>(network);
            *shape = Handle(prepared.Network.ForShape(PlanGeometry.Compute(prepared.Plan, batch, height, width)));
            return (int)LevelStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// <see cref="IShapedNetwork.Run"/>, each buffer read copied to the caller's array of its length;
    /// <paramref name="opFinished"/> (may be null) is called with <paramref name="context"/> and each op.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Run)]
    private static int Run(nint shape, float* input, int inputLength, int opCount, int* read, int readCount,
        float** outputs, int* outputLengths, delegate* unmanaged<nint, int, void> opFinished, nint context)
    {
        try
        {
            Action<int>? finished = opFinished == null ? null : op => opFinished(context, op);
            var results = Target<IShapedNetwork>(shape).Run(new ReadOnlySpan<float>(input, inputLength), opCount,
                new ReadOnlySpan<int>(read, readCount), finished);
            for (int i = 0; i < readCount; i++)
            {
                if (results[i].Length != outputLengths[i])
                    throw new ArgumentException($"Buffer {read[i]} holds {results[i].Length} values; the caller gave {outputLengths[i]}.", nameof(outputLengths));
                results[i].CopyTo(new Span<float>(outputs[i], outputLengths[i]));
            }
            return (int)LevelStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Disposes what a handle holds and releases the handle.</summary>
    [UnmanagedCallersOnly(EntryPoint = LevelAbi.Free)]
    private static int Free(nint handle)
    {
        try
        {
            var gc = GCHandle.FromIntPtr(handle);
            (gc.Target as IDisposable)?.Dispose();
            gc.Free();
            return (int)LevelStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>A prepared network with the plan its shapes are computed from.</summary>
    private sealed record Prepared(IPreparedNetwork Network, NetworkPlan Plan) : IDisposable
    {
        public void Dispose() => Network.Dispose();
    }

    private static nint Handle(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(target));

    private static T Target<T>(nint handle) where T : class => (T)GCHandle.FromIntPtr(handle).Target!;

    private static int Fail(Exception e)
    {
        t_error = e;
        return (int)(e switch
        {
            InvalidSettingException => LevelStatus.InvalidSetting,
            ArgumentException => LevelStatus.Argument,
            CheckpointException => LevelStatus.Checkpoint,
            NotSupportedException => LevelStatus.NotSupported,
            DeviceUnavailableException => LevelStatus.DeviceUnavailable,
            OutOfMemoryException or InsufficientExecutionStackException => LevelStatus.OutOfMemory,
            _ => LevelStatus.Other,
        });
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 when it fits; returns the bytes it needs, −1 for null.</summary>
    private static int Utf8(string? text, byte* buffer, int capacity)
    {
        if (text is null) return -1;
        int needed = Encoding.UTF8.GetByteCount(text);
        if (needed <= capacity) Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, capacity));
        return needed;
    }
}
