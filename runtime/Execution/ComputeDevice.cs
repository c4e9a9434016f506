using DenseNetGen.Backends.Simd;
using DenseNetGen.Kernels;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DenseNetGen.Execution;

/// <summary>
/// A device models run on: the SIMD CPU backend (its worker threads), or an ILGPU context and accelerator (CUDA,
/// OpenCL, ILGPU's CPU accelerator). Share one between models and threads: it runs one model call at a time.
/// </summary>
/// <remarks>
/// Two locks, always taken in the order <see cref="Gate"/> then <see cref="s_driverGate"/>. The gate serializes
/// everything queued on this device: OpenCL keeps kernel arguments on the kernel object (clSetKernelArg), which
/// every model on the device shares, and ILGPU sets them and enqueues without a lock, so two threads launching
/// at once swap each other's buffers (on PoCL: wrong outputs, then a corrupted heap). <see cref="s_driverGate"/>
/// serializes opening, listing and closing devices and compiling kernels: once, in the parallel test suite on PoCL,
/// opening a device found none while other threads were creating and releasing contexts. These calls are rare
/// and slow anyway, so serializing them costs nothing measurable.
/// </remarks>
public sealed class ComputeDevice : IDisposable
{
    private static readonly Lazy<ComputeDevice> s_default = new(() => Open(DeviceKindParser.FromEnvironment()));
    private static readonly Lock s_driverGate = new();

    private readonly Context? _context;
    private readonly Accelerator? _accelerator;
    private readonly Lazy<KernelSet>? _kernels;
    private readonly WorkerPool? _pool;
    private bool _disposed;

    private ComputeDevice(Context context, Accelerator accelerator, DeviceKind kind, string choice)
    {
        _context = context;
        _accelerator = accelerator;
        Kind = kind;
        Name = accelerator.Name;
        Description = $"{kind} device '{accelerator.Name}' ({DeviceInfo.FormatMemory(accelerator.MemorySize)}){choice}";
        _kernels = new(() =>
        {
            lock (s_driverGate)
                return new KernelSet(accelerator);
        });
    }

    private ComputeDevice(SimdOptions options, string choice)
    {
        _pool = new WorkerPool(options.ResolvedThreads);
        Kind = DeviceKind.Cpu;
        Name = SimdName;
        Description = $"Cpu device '{SimdName}' ({VectorWidth.Name}, {_pool.Threads} thread{(_pool.Threads == 1 ? "" : "s")}){choice}";
    }

    private const string SimdName = "SIMD CPU backend";

    /// <summary>
    /// The process-wide device chosen by DENSENET_DEVICE (auto, cpu, opencl, cuda, ilgpu-cpu; default auto), opened
    /// on first use and kept for the life of the process: do not dispose it.
    /// </summary>
    public static ComputeDevice Default => s_default.Value;

    /// <summary>
    /// Opens a device. Auto takes CUDA, then an OpenCL GPU, then the SIMD CPU backend (an OpenCL CPU device such as
    /// PoCL only when OpenCL is named); naming a backend that is absent throws
    /// <see cref="DeviceUnavailableException"/> saying what was found, never falling back silently.
    /// </summary>
    /// <param name="kind">Which backend.</param>
    /// <param name="cpu">How the SIMD CPU backend runs (its thread count), when it is the one opened.</param>
    public static ComputeDevice Open(DeviceKind kind = DeviceKind.Auto, SimdOptions? cpu = null)
    {
        if (kind == DeviceKind.Cpu) return new ComputeDevice(cpu ?? new SimdOptions(), "");
        NativeDriverResolver.Register();
        lock (s_driverGate)
        {
            var context = Context.Create(builder => builder.Cuda().OpenCL().CPU(CpuConfiguration));
            try
            {
                var (device, choice) = Choose(context, kind);
                if (device is null)
                {
                    context.Dispose();
                    return new ComputeDevice(cpu ?? new SimdOptions(), choice);
                }
                var accelerator = device.CreateAccelerator(context);
                return new ComputeDevice(context, accelerator, KindOf(device.AcceleratorType), choice);
            }
            catch
            {
                context.Dispose();
                throw;
            }
        }
    }

    /// <summary>The SIMD CPU backend, then every device ILGPU sees, including OpenCL devices it cannot run kernels on.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        NativeDriverResolver.Register();
        lock (s_driverGate)
        {
            using var context = Context.Create(builder => builder.Cuda().OpenCL(_ => true).CPU(CpuConfiguration));
            var simd = new DeviceInfo(SimdName, DeviceKind.Cpu, long.MaxValue, $"{VectorWidth.Name}, {SimdOptions.DefaultThreads} threads", true);
            return [simd, .. context.Devices.Select(Describe)];
        }
    }

    public DeviceKind Kind { get; }

    public string Name { get; }

    /// <summary>One line for logs: backend, device name, memory and, for auto, why it was chosen.</summary>
    public string Description { get; }

    /// <summary>The ILGPU accelerator; the SIMD CPU backend has none.</summary>
    internal Accelerator Accelerator =>
        _accelerator ?? throw new InvalidOperationException($"{Description} runs no ILGPU kernels.");

    /// <summary>The SIMD CPU backend's worker threads, or null on an ILGPU device.</summary>
    internal WorkerPool? Pool => _pool;

    /// <summary>Held while anything is queued on this device or its buffers are allocated or freed.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The kernels compiled for this accelerator, loaded once on first use.</summary>
    internal KernelSet Kernels
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return (_kernels ?? throw new InvalidOperationException($"{Description} runs no ILGPU kernels.")).Value;
        }
    }

    public override string ToString() => Description;

    public void Dispose()
    {
        lock (Gate)
        lock (s_driverGate)
        {
            if (_disposed) return;
            _disposed = true;
            _pool?.Dispose();
            _accelerator?.Dispose();
            _context?.Dispose();
        }
    }

    /// <summary>
    /// The CPU accelerator's thread layout: one multiprocessor per core. ILGPU runs a multiprocessor's groups one
    /// after another on its own OS threads, joining them at a barrier after every group, so
    /// <see cref="KernelSet"/> launches groups of one thread there and each core runs its share of a launch
    /// without synchronising (ILGPU's default, one multiprocessor of 4-thread groups, measured a DenseNet-121
    /// forward ~11× slower on a 2-core machine). A warp of 2 is the smallest ILGPU accepts.
    /// </summary>
    private static CPUDevice CpuConfiguration { get; } =
        new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: Environment.ProcessorCount);

    /// <summary>The ILGPU device to open, or null for the SIMD CPU backend.</summary>
    private static (Device? Device, string Choice) Choose(Context context, DeviceKind kind)
    {
        switch (kind)
        {
            case DeviceKind.IlgpuCpu:
                return (context.GetCPUDevice(0), "");
            case DeviceKind.Cuda:
                return (First(context.GetCudaDevices()) ?? throw new DeviceUnavailableException(kind, MissingCuda()), "");
            case DeviceKind.OpenCL:
                return (First(context.GetCLDevices()) ?? throw new DeviceUnavailableException(kind, MissingOpenCL()), "");
            case DeviceKind.Auto:
                if (First(context.GetCudaDevices()) is { } cuda) return (cuda, ", chosen by auto");
                if (All(context.GetCLDevices()).FirstOrDefault(d => d.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU)) is { } gpu)
                    return (gpu, $", chosen by auto ({MissingCuda()})");
                return (null, $", chosen by auto ({MissingCuda()}; {MissingOpenCLGpu(context)})");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind.");
        }
    }

    private static T? First<T>(Context.DeviceCollection<T> devices) where T : Device =>
        devices.Count > 0 ? devices[0] : null;

    private static T[] All<T>(Context.DeviceCollection<T> devices) where T : Device
    {
        var all = new T[devices.Count];
        for (int i = 0; i < all.Length; i++) all[i] = devices[i];
        return all;
    }

    private static string MissingCuda() =>
        NativeDriverResolver.CanLoad("cuda")
            ? "no CUDA device: the driver library loaded but ILGPU found no device"
            : "no CUDA device: libcuda.so.1 not found";

    private static string MissingOpenCLGpu(Context context)
    {
        var others = All(context.GetCLDevices());
        return others.Length == 0
            ? MissingOpenCL()
            : "no OpenCL GPU: " + string.Join(", ", others.Select(d => $"'{d.Name}'")) + " used only when OpenCL is asked for by name";
    }

    private static string MissingOpenCL()
    {
        if (!NativeDriverResolver.CanLoad("OpenCL"))
            return "no OpenCL device: libOpenCL.so.1 not found";
        var unusable = ListDevices().Where(d => d.Backend == DeviceKind.OpenCL).ToArray();
        return unusable.Length == 0
            ? "no OpenCL device: the OpenCL loader found no platform (is an ICD such as pocl-opencl-icd installed?)"
            : "no OpenCL device ILGPU can use: found " + string.Join(", ", unusable.Select(d => $"'{d.Name}' ({d.Capability})")) +
              ", but ILGPU needs OpenCL C 2.0+ with the generic address space (PoCL 3.x lacks it)";
    }

    private static DeviceInfo Describe(Device device) => device switch
    {
        CudaDevice cuda => new(cuda.Name, DeviceKind.Cuda, cuda.MemorySize,
            $"compute capability {cuda.Architecture?.ToString() ?? "unknown"}, driver {cuda.DriverVersion}", true),
        CLDevice cl => new(cl.Name, DeviceKind.OpenCL, cl.MemorySize,
            $"{(cl.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU) ? "GPU" : "not a GPU")}, {cl.DeviceVersion}, OpenCL C {cl.CLStdVersion}, generic address space {(cl.Capabilities.GenericAddressSpace ? "yes" : "no")}",
            cl.Capabilities.GenericAddressSpace && cl.CLStdVersion >= CLCVersion.CL20),
        CPUDevice cpu => new(cpu.Name, DeviceKind.IlgpuCpu, cpu.MemorySize, $"{cpu.NumThreads} threads", true),
        _ => new(device.Name, DeviceKind.Auto, device.MemorySize, device.AcceleratorType.ToString(), false),
    };

    private static DeviceKind KindOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => DeviceKind.Cuda,
        AcceleratorType.OpenCL => DeviceKind.OpenCL,
        _ => DeviceKind.IlgpuCpu,
    };
}
