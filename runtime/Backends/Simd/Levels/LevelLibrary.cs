using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// A loaded level library: its exports as function pointers, and the translation of its failures back into the
/// exceptions the in-process backend would have thrown. Libraries stay loaded for the life of the process.
/// </summary>
internal sealed unsafe class LevelLibrary
{
    /// <summary>
    /// Unset or <c>on</c>: a NativeAOT app looks for a level library beside it (<see cref="ForProcess"/>); <c>off</c>:
    /// never; a path to a level library: that one, in any process (the JIT's too), when this CPU has its level: how
    /// CI runs the parity suite through a library it built.
    /// </summary>
    public const string EnvironmentVariable = "DENSENET_LEVEL_LIBRARY";

    private readonly delegate* unmanaged<int, int, int, byte*, int, nint*, int> _open;
    private readonly delegate* unmanaged<nint, int, int, byte*, int, int> _text;
    private readonly delegate* unmanaged<nint, byte*, int, float**, int, byte*, int, nint*, int> _prepare;
    private readonly delegate* unmanaged<nint, long> _deviceBytes;
    private readonly delegate* unmanaged<nint, int, int, int, nint*, int> _shape;
    private readonly delegate* unmanaged<nint, float*, int, int, int*, int, float**, int*, delegate* unmanaged<nint, int, void>, nint, int> _run;
    private readonly delegate* unmanaged<nint, int> _free;

    private LevelLibrary(X86Level level, nint library)
    {
        Level = level;
        var abi = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, LevelAbi.Abi);
        if (abi() != LevelAbi.Version)
            throw new InvalidOperationException($"The {level.Name} level library speaks interface {abi()}; this runtime speaks {LevelAbi.Version}.");
        _open = (delegate* unmanaged<int, int, int, byte*, int, nint*, int>)NativeLibrary.GetExport(library, LevelAbi.Open);
        _text = (delegate* unmanaged<nint, int, int, byte*, int, int>)NativeLibrary.GetExport(library, LevelAbi.Text);
        _prepare = (delegate* unmanaged<nint, byte*, int, float**, int, byte*, int, nint*, int>)NativeLibrary.GetExport(library, LevelAbi.Prepare);
        _deviceBytes = (delegate* unmanaged<nint, long>)NativeLibrary.GetExport(library, LevelAbi.DeviceBytes);
        _shape = (delegate* unmanaged<nint, int, int, int, nint*, int>)NativeLibrary.GetExport(library, LevelAbi.Shape);
        _run = (delegate* unmanaged<nint, float*, int, int, int*, int, float**, int*, delegate* unmanaged<nint, int, void>, nint, int>)
            NativeLibrary.GetExport(library, LevelAbi.Run);
        _free = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, LevelAbi.Free);
        Width = Text(0, LevelText.Width) ?? throw new InvalidOperationException("The level library names no width.");
    }

    /// <summary>The level it was compiled for.</summary>
    public X86Level Level { get; }

    /// <summary>The vector width it runs at, as the device line names it ("Vector512").</summary>
    public string Width { get; }

    /// <summary>
    /// The library this process runs the SIMD backend in, or null to run it in-process. Unless DENSENET_LEVEL_LIBRARY
    /// names one, only a NativeAOT app on x64 looks for one (the JIT already compiles for the CPU it runs on): the
    /// widest level whose file lies beside the app and whose features this CPU has, and only when that level is wider
    /// than the app's image, or fuses where the image does not. Decided once per process.
    /// </summary>
    /// <exception cref="InvalidSettingException">
    /// DENSENET_LEVEL_LIBRARY is not on, off or a level library's path, names a level this CPU lacks, or cannot be loaded.
    /// </exception>
    public static LevelLibrary? ForProcess => s_forProcess.Value;

    private static readonly Lazy<LevelLibrary?> s_forProcess = new(() => FromSetting(SettingParser.Read(EnvironmentVariable)));

    /// <summary>What <see cref="ForProcess"/> is for a value of DENSENET_LEVEL_LIBRARY (null: unset).</summary>
    /// <exception cref="InvalidSettingException">The value is not on, off or a level library's path, names a level this CPU lacks, or cannot be loaded.</exception>
    internal static LevelLibrary? FromSetting(string? value) => value?.Trim() switch
    {
        null => Automatic(),
        var text when text.Equals("on", StringComparison.OrdinalIgnoreCase) => Automatic(),
        var text when text.Equals("off", StringComparison.OrdinalIgnoreCase) => null,
        var path => Named(path),
    };

    private static LevelLibrary? Automatic() =>
        RuntimeFeature.IsDynamicCodeSupported || RuntimeInformation.ProcessArchitecture != Architecture.X64 ? null : BesideApp();

    private static LevelLibrary? BesideApp()
    {
        foreach (var level in X86Level.All)
        {
            if (level.Bits < VectorWidth.Bits || level.Bits == VectorWidth.Bits && VectorWidth.Fused) break;
            string path = Path.Combine(AppContext.BaseDirectory, level.FileName);
            if (!File.Exists(path) || !level.IsSupported()) continue;
            try
            {
                return Load(level, path);
            }
            catch (Exception e) when (CannotLoad(e))
            {
                // A library this runtime cannot use (another interface version, a damaged file): the next level, or
                // the in-process backend, whose device line then shows the narrower width.
            }
        }
        return null;
    }

    private static LevelLibrary Named(string path)
    {
        var level = X86Level.All.FirstOrDefault(l => l.FileName == Path.GetFileName(path))
            ?? throw new InvalidSettingException(EnvironmentVariable,
                $"{EnvironmentVariable}: '{path}' is not on, off or a level library ({string.Join(", ", X86Level.All.Select(l => l.FileName))}).");
        if (!level.IsSupported())
            throw new InvalidSettingException(EnvironmentVariable, $"{EnvironmentVariable}: this CPU lacks {level.Name} ({string.Join(", ", level.Missing())}).");
        try
        {
            return Load(level, Path.GetFullPath(path));
        }
        catch (Exception e) when (CannotLoad(e))
        {
            throw new InvalidSettingException(EnvironmentVariable, $"{EnvironmentVariable}: '{path}' cannot be loaded: {e.Message}");
        }
    }

    /// <summary>What <see cref="Load"/> throws for a file that is no library this runtime can use.</summary>
    private static bool CannotLoad(Exception e) =>
        e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or InvalidOperationException;

    /// <summary>Loads the library at <paramref name="path"/>, built for <paramref name="level"/> (which the caller has checked this CPU has).</summary>
    /// <exception cref="DllNotFoundException">It cannot be loaded.</exception>
    /// <exception cref="InvalidOperationException">It speaks another interface version.</exception>
    public static LevelLibrary Load(X86Level level, string path) => new(level, NativeLibrary.Load(path));

    /// <summary>Opens the backend in the library with settings the app resolved.</summary>
    public nint Open(SimdSettings settings)
    {
        nint backend;
        var name = Encoding.UTF8.GetBytes(Level.Name);
        fixed (byte* n = name)
            Check(_open(settings.Threads, settings.Spinning ? 1 : 0, (int)settings.Conv3x3, n, name.Length, &backend));
        return backend;
    }

    /// <summary>Prepares <paramref name="plan"/> (encoded by <see cref="PlanCodec"/>) with <paramref name="tensors"/> in the plan's parameter order.</summary>
    public nint Prepare(nint backend, byte[] plan, float[][] tensors, string source)
    {
        using var pinned = new PinnedArrays(tensors);
        var sourceBytes = Encoding.UTF8.GetBytes(source);
        nint network;
        fixed (byte* p = plan, s = sourceBytes)
        fixed (float** t = pinned.Pointers)
            Check(_prepare(backend, p, plan.Length, t, tensors.Length, s, sourceBytes.Length, &network));
        return network;
    }

    public long DeviceBytes(nint network) => _deviceBytes(network);

    public nint Shape(nint network, int batch, int height, int width)
    {
        nint shape;
        Check(_shape(network, batch, height, width, &shape));
        return shape;
    }

    /// <summary>Runs a shape into <paramref name="results"/> (one array per buffer read, each at its result length).</summary>
    public void Run(nint shape, ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, float[][] results, Action<int>? opFinished)
    {
        using var pinned = new PinnedArrays(results);
        var lengths = Array.ConvertAll(results, r => r.Length);
        var callback = opFinished is null ? default : GCHandle.Alloc(new OpCallback(opFinished));
        try
        {
            int status;
            delegate* unmanaged<nint, int, void> report = opFinished is null ? null : &OpFinished;
            fixed (float* i = input)
            fixed (int* r = read, l = lengths)
            fixed (float** o = pinned.Pointers)
                status = _run(shape, i, input.Length, opCount, r, read.Length, o, l, report, callback.IsAllocated ? GCHandle.ToIntPtr(callback) : 0);
            if (callback.IsAllocated && ((OpCallback)callback.Target!).Failure is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            Check(status);
        }
        finally
        {
            if (callback.IsAllocated) callback.Free();
        }
    }

    /// <summary>A shape's kernel for <paramref name="op"/>, or a backend's description or settings.</summary>
    public string? Text(nint handle, LevelText what, int op = 0)
    {
        Span<byte> small = stackalloc byte[256];
        int needed = Text(handle, what, op, small);
        if (needed <= small.Length) return needed < 0 ? null : Encoding.UTF8.GetString(small[..needed]);
        var large = new byte[needed];
        Text(handle, what, op, large);
        return Encoding.UTF8.GetString(large);
    }

    /// <summary>Disposes and releases a handle the library gave.</summary>
    public void Free(nint handle) => Check(_free(handle));

    private int Text(nint handle, LevelText what, int op, Span<byte> buffer)
    {
        int needed;
        fixed (byte* b = buffer)
            needed = _text(handle, (int)what, op, b, buffer.Length);
        if (needed < -1) Check(-needed - 1);
        return needed;
    }

    /// <summary>Throws what the library's call threw, as the same exception family.</summary>
    private void Check(int status)
    {
        if (status == (int)LevelStatus.Ok) return;
        string message = Text(0, LevelText.ErrorMessage) ?? "(no message)";
        string? detail = Text(0, LevelText.ErrorDetail);
        throw (LevelStatus)status switch
        {
            LevelStatus.InvalidSetting => new InvalidSettingException(detail ?? "", message),
            LevelStatus.Argument => new ArgumentException(message), // the message already names the parameter
            LevelStatus.Checkpoint => new CheckpointException(detail ?? "", message),
            LevelStatus.NotSupported => new NotSupportedException(message),
            LevelStatus.DeviceUnavailable => new DeviceUnavailableException(DeviceKind.Cpu, message),
            LevelStatus.OutOfMemory => new OutOfMemoryException(message),
            _ => new InvalidOperationException($"The {Level.Name} level library failed: {message}"),
        };
    }

    /// <summary>Arrays pinned for one call, with their addresses in the order given.</summary>
    private sealed class PinnedArrays : IDisposable
    {
        private readonly GCHandle[] _pins;

        public PinnedArrays(float[][] arrays)
        {
            _pins = new GCHandle[arrays.Length];
            Pointers = new float*[arrays.Length];
            try
            {
                for (int i = 0; i < arrays.Length; i++)
                {
                    _pins[i] = GCHandle.Alloc(arrays[i], GCHandleType.Pinned);
                    Pointers[i] = (float*)_pins[i].AddrOfPinnedObject();
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public float*[] Pointers { get; }

        public void Dispose()
        {
            foreach (var pin in _pins)
                if (pin.IsAllocated) pin.Free();
        }
    }

    /// <summary>The callback a run reports finished ops through; what it throws is rethrown after the run.</summary>
    private sealed class OpCallback(Action<int> finished)
    {
        public Exception? Failure;

        public void Call(int op)
        {
            if (Failure is not null) return;
            try { finished(op); }
            catch (Exception e) { Failure = e; }
        }
    }

    [UnmanagedCallersOnly]
    private static void OpFinished(nint context, int op) => ((OpCallback)GCHandle.FromIntPtr(context).Target!).Call(op);
}
