using DenseNetGen.GpuKernels;
using DenseNetGen.Kernels;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DenseNetGen.Execution;

/// <summary>
/// An ILGPU context and accelerator that models run on. Share one between models and threads: it runs one
/// model call at a time.
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
    private static readonly Lazy<ComputeDevice> s_default = new(() => Open(DeviceKindParser.FromEnvironment(), ComputeOptions.FromEnvironment()));
    private static readonly Lock s_driverGate = new();

    private readonly Context _context;
    private readonly Lazy<KernelSet> _kernels;
    private readonly Lazy<GpuKernelSet> _gpuKernels;
    private readonly string _description;
    private string? _graphsOff;
    private bool _disposed;

    private ComputeDevice(Context context, Accelerator accelerator, DeviceKind kind, string choice, KernelSetKind kernelSet, Precision precision)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        KernelSet = kernelSet;
        Precision = precision;
        _description = $"{kind} device '{accelerator.Name}' ({DeviceInfo.FormatMemory(accelerator.MemorySize)}){choice}";
        // The GPU set's launches go to a created stream: on CUDA, only such a stream can be captured as a graph.
        Stream = kernelSet == KernelSetKind.Gpu ? accelerator.CreateStream() : accelerator.DefaultStream;
        if (kernelSet == KernelSetKind.Gpu && accelerator.AcceleratorType == AcceleratorType.Cuda)
            _graphsOff = CudaGraphs.Unavailable;
        else
            _graphsOff = "";
        _kernels = new(() =>
        {
            lock (s_driverGate)
                return new KernelSet(accelerator);
        });
        _gpuKernels = new(() =>
        {
            lock (s_driverGate)
                return new GpuKernelSet(accelerator, precision);
        });
    }

    /// <summary>
    /// The process-wide device chosen by DENSENET_DEVICE (auto, cpu, opencl, cuda; default auto), opened on first
    /// use and kept for the life of the process: do not dispose it.
    /// </summary>
    public static ComputeDevice Default => s_default.Value;

    /// <summary>
    /// Opens a device. Auto takes CUDA, then OpenCL, then the CPU accelerator; naming a backend that is absent
    /// throws <see cref="DeviceUnavailableException"/> saying what was found, never falling back silently.
    /// </summary>
    /// <param name="options">Kernel set and precision; null for <see cref="ComputeOptions.Default"/> (not the
    /// environment: only <see cref="Default"/> reads DENSENET_KERNELS).</param>
    /// <exception cref="DeviceUnavailableException">The backend is absent, or TF32 was asked for where it cannot run.</exception>
    public static ComputeDevice Open(DeviceKind kind = DeviceKind.Auto, ComputeOptions? options = null)
    {
        options ??= ComputeOptions.Default;
        NativeDriverResolver.Register();
        lock (s_driverGate)
        {
            // ld.global/ld.shared (rather than generic loads) are inferred only at O2; only CUDA contexts need it.
            var level = kind is DeviceKind.Cuda or DeviceKind.Auto && NativeDriverResolver.CanLoad("cuda") ? OptimizationLevel.O2 : OptimizationLevel.O1;
            var cpu = options.KernelSet == KernelSetKind.Gpu ? GpuSetCpuConfiguration : CpuConfiguration;
            var context = Context.Create(builder => builder.Cuda().OpenCL().CPU(cpu).Optimize(level));
            try
            {
                var (device, choice) = Choose(context, kind);
                var kernelSet = ResolveKernelSet(device, options.KernelSet);
                if (options.Precision == Precision.Tf32 && (device.AcceleratorType != AcceleratorType.Cuda || kernelSet != KernelSetKind.Gpu))
                    throw new DeviceUnavailableException(kind,
                        $"tf32 precision runs on CUDA tensor cores with the GPU kernel set; the chosen device is {KindOf(device.AcceleratorType)} '{device.Name}' with the {kernelSet.ToString().ToLowerInvariant()} set.");
                var accelerator = device.CreateAccelerator(context);
                return new ComputeDevice(context, accelerator, KindOf(device.AcceleratorType), choice, kernelSet, options.Precision);
            }
            catch
            {
                context.Dispose();
                throw;
            }
        }
    }

    /// <summary>Auto: the GPU set on CUDA and OpenCL GPUs, the CPU set on CPU cores (see <see cref="KernelSetKind.Auto"/>).</summary>
    private static KernelSetKind ResolveKernelSet(Device device, KernelSetKind requested) => requested switch
    {
        KernelSetKind.Auto => device switch
        {
            CudaDevice => KernelSetKind.Gpu,
            CLDevice { DeviceType: CLDeviceType.CL_DEVICE_TYPE_GPU } => KernelSetKind.Gpu,
            _ => KernelSetKind.Cpu,
        },
        _ => requested,
    };

    /// <summary>Every device ILGPU sees, including OpenCL devices it cannot run kernels on.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        NativeDriverResolver.Register();
        lock (s_driverGate)
        {
            using var context = Context.Create(builder => builder.Cuda().OpenCL(_ => true).CPU(CpuConfiguration));
            return context.Devices.Select(Describe).ToArray();
        }
    }

    public DeviceKind Kind { get; }

    public string Name => Accelerator.Name;

    /// <summary>
    /// One line for logs: backend, device name, memory, for auto why it was chosen, whether CUDA graphs are used
    /// (GPU set on CUDA), the precision when not FP32, and last the kernel set ("kernel set: gpu" or "kernel set: cpu").
    /// </summary>
    public string Description
    {
        get
        {
            string graphs = _graphsOff switch
            {
                null => "; CUDA graphs: on",
                "" => "",
                var reason => $"; CUDA graphs: off, plain launches ({reason})",
            };
            string precision = Precision == Precision.Fp32 ? "" : "; precision: " + Precision.ToString().ToLowerInvariant();
            return $"{_description}{graphs}{precision}; kernel set: {KernelSet.ToString().ToLowerInvariant()}";
        }
    }

    /// <summary>The kernels this device runs (never Auto: resolved when opened).</summary>
    public KernelSetKind KernelSet { get; }

    public Precision Precision { get; }

    /// <summary>The stream every launch and copy of a model call goes to.</summary>
    internal AcceleratorStream Stream { get; }

    /// <summary>Whether forward passes are recorded once per shape as CUDA graphs and replayed.</summary>
    internal bool CapturesGraphs => _graphsOff is null;

    /// <summary>After a failed capture: plain launches from now on, and the description says why.</summary>
    internal void StopCapturingGraphs(string reason) => _graphsOff = reason;

    internal Accelerator Accelerator { get; }

    /// <summary>Held while anything is queued on this device or its buffers are allocated or freed.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The kernels compiled for this accelerator, loaded once on first use.</summary>
    internal KernelSet Kernels
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _kernels.Value;
        }
    }

    /// <summary>The GPU kernel set compiled for this accelerator, loaded once on first use.</summary>
    internal GpuKernelSet GpuKernels
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _gpuKernels.Value;
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
            if (Stream != Accelerator.DefaultStream) Stream.Dispose();
            Accelerator.Dispose();
            _context.Dispose();
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

    /// <summary>
    /// The CPU accelerator for the GPU kernel set (which tests and compares it without a GPU): one multiprocessor
    /// with groups of up to 256 threads in warps of 32, as on an NVIDIA GPU. Barriers are OS thread barriers
    /// there, so it is slow; it exists for correctness, not speed.
    /// </summary>
    private static CPUDevice GpuSetCpuConfiguration { get; } =
        new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: TiledConvKernels.GroupSize / 32, numMultiprocessors: 1);

    private static (Device Device, string Choice) Choose(Context context, DeviceKind kind)
    {
        switch (kind)
        {
            case DeviceKind.Cpu:
                return (context.GetCPUDevice(0), "");
            case DeviceKind.Cuda:
                return (First(context.GetCudaDevices()) ?? throw new DeviceUnavailableException(kind, MissingCuda()), "");
            case DeviceKind.OpenCL:
                return (First(context.GetCLDevices()) ?? throw new DeviceUnavailableException(kind, MissingOpenCL()), "");
            case DeviceKind.Auto:
                if (First(context.GetCudaDevices()) is { } cuda) return (cuda, ", chosen by auto");
                if (First(context.GetCLDevices()) is { } cl) return (cl, $", chosen by auto ({MissingCuda()})");
                return (context.GetCPUDevice(0), $", chosen by auto ({MissingCuda()}; {MissingOpenCL()})");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind.");
        }
    }

    private static T? First<T>(Context.DeviceCollection<T> devices) where T : Device =>
        devices.Count > 0 ? devices[0] : null;

    private static string MissingCuda() =>
        NativeDriverResolver.CanLoad("cuda")
            ? "no CUDA device: the driver library loaded but ILGPU found no device"
            : "no CUDA device: libcuda.so.1 not found";

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
            $"{cl.DeviceVersion}, OpenCL C {cl.CLStdVersion}, generic address space {(cl.Capabilities.GenericAddressSpace ? "yes" : "no")}",
            cl.Capabilities.GenericAddressSpace && cl.CLStdVersion >= CLCVersion.CL20),
        CPUDevice cpu => new(cpu.Name, DeviceKind.Cpu, cpu.MemorySize, $"{cpu.NumThreads} threads", true),
        _ => new(device.Name, DeviceKind.Auto, device.MemorySize, device.AcceleratorType.ToString(), false),
    };

    private static DeviceKind KindOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => DeviceKind.Cuda,
        AcceleratorType.OpenCL => DeviceKind.OpenCL,
        _ => DeviceKind.Cpu,
    };
}
