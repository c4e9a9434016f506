using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// The ILGPU backend: one ILGPU context and accelerator (the CPU accelerator, OpenCL or CUDA), and the kernel
/// set compiled for it on first use, which prepares networks with its own runner.
/// </summary>
/// <remarks>
/// <see cref="DriverGate"/> serializes opening, listing and closing devices and compiling kernels, process-wide:
/// once, in the parallel test suite on PoCL, opening a device found none while other threads were creating and
/// releasing contexts. These calls are rare and slow anyway, so serializing them costs nothing measurable. It is
/// taken after a device's gate (see ComputeDevice), never before.
/// </remarks>
internal sealed class IlgpuBackend : IBackend
{
    private static readonly Lock DriverGate = new();

    private readonly Context _context;
    private readonly Lazy<IKernelSet> _kernels;
    private readonly string _kernelSetName;
    private readonly IlgpuDevice _device;

    private readonly string _setNote;

    private IlgpuBackend(Context context, Accelerator accelerator, DeviceKind kind, KernelSetRegistration kernelSet, Precision precision, string? setNote)
    {
        _setNote = setNote is null ? "" : "; " + setNote;
        // Before anything is created, so a bad DENSENET_CUDA_GRAPHS throws without a GPU too.
        var graphs = GraphCapture.For(kernelSet.RecordsGraphs, accelerator.AcceleratorType);
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Precision = precision;
        _kernelSetName = kernelSet.Name;
        Description = $"{kind} device '{accelerator.Name}' ({DeviceInfo.FormatMemory(accelerator.MemorySize)})";
        // Every set queues on a created stream: on CUDA only such a stream can be captured as a graph.
        Stream = accelerator.CreateStream();
        _device = new IlgpuDevice(accelerator, Stream, graphs);
        _kernels = new(() =>
        {
            lock (DriverGate)
                return kernelSet.Load(accelerator, precision);
        });
    }

    /// <summary>Opens the first device of <paramref name="kind"/> (IlgpuCpu, OpenCL or Cuda) with the kernel set and precision <paramref name="options"/> ask for.</summary>
    /// <param name="kind">IlgpuCpu, OpenCL or Cuda.</param>
    /// <param name="options">Kernel set and precision; <see cref="ComputeOptions.Threads"/> is ignored.</param>
    /// <param name="gpuOnly">For OpenCL: only a GPU device counts (auto's choice).</param>
    /// <exception cref="DeviceUnavailableException">There is none (the message says what was found), or TF32 was asked for off CUDA and the CPU accelerator, or off the GPU set.</exception>
    /// <exception cref="ArgumentException">DENSENET_KERNELS names no kernel set.</exception>
    public static IlgpuBackend Open(DeviceKind kind, ComputeOptions options, bool gpuOnly = false)
    {
        NativeDriverResolver.Register();
        lock (DriverGate)
        {
            // ld.global/ld.shared (rather than generic loads) are inferred only at O2; CUDA is where that matters.
            var level = kind == DeviceKind.Cuda ? OptimizationLevel.O2 : OptimizationLevel.O1;
            var requested = RequestedKernelSet(options);
            var cpu = requested == KernelSetKind.Gpu || requested == KernelSetKind.Auto && KernelSetFromEnvironmentIsGpu() ? GpuSetCpuConfiguration : CpuConfiguration;
            var context = Context.Create(builder => _ = kind switch
            {
                DeviceKind.IlgpuCpu => builder.CPU(cpu).Optimize(level),
                DeviceKind.OpenCL => builder.OpenCL().Optimize(level),
                DeviceKind.Cuda => builder.Cuda().Optimize(level),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "ILGPU runs on IlgpuCpu, OpenCL or Cuda."),
            });
            try
            {
                Device device = kind switch
                {
                    DeviceKind.Cuda => First(context.GetCudaDevices()) ?? throw Unavailable(kind, MissingCuda()),
                    DeviceKind.OpenCL when gpuOnly => FirstGpu(context.GetCLDevices()) ?? throw Unavailable(kind, MissingOpenCLGpu(context)),
                    DeviceKind.OpenCL => First(context.GetCLDevices()) ?? throw Unavailable(kind, MissingOpenCL()),
                    _ => context.GetCPUDevice(0),
                };
                var kernelSet = KernelSetRegistry.Choose(requested, device);
                string? setNote = null;
                if (kernelSet.Kind == KernelSetKind.Gpu)
                {
                    // Refused before anything is compiled or launched: one line naming the device and what it lacks.
                    var fit = GpuSetFit.Check(GpuCapabilities.Of(device), options.Precision);
                    if (fit.Fits)
                        setNote = fit.Note;
                    else if (KernelSetRegistry.IsDefault(requested) && options.Precision == Precision.Fp32)
                        (kernelSet, setNote) = (KernelSetRegistry.Cpu, "the GPU kernel set does not fit: " + fit.Refusal);
                    else
                        throw new DeviceUnavailableException(kind, fit.Refusal + ".");
                }
                if (options.Precision == Precision.Tf32 && (kind is not (DeviceKind.Cuda or DeviceKind.IlgpuCpu) || kernelSet.Kind != KernelSetKind.Gpu))
                    throw new DeviceUnavailableException(kind,
                        $"{ComputeOptions.Tf32Where}; this is a {kind} device '{device.Name}' with the {kernelSet.Name} set.");
                return new IlgpuBackend(context, device.CreateAccelerator(context), kind, kernelSet, options.Precision, setNote);
            }
            catch
            {
                context.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// The kernel set asked for, where TF32 on Auto means the GPU set (the only one with a TF32 conv) unless
    /// DENSENET_KERNELS names one: so --device ilgpu-cpu --precision tf32 runs the emulated check as it stands.
    /// </summary>
    private static KernelSetKind RequestedKernelSet(ComputeOptions options) =>
        options is { KernelSet: KernelSetKind.Auto, Precision: Precision.Tf32 } &&
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KernelSetRegistry.EnvironmentVariable))
            ? KernelSetKind.Gpu
            : options.KernelSet;

    /// <summary>DENSENET_KERNELS=gpu forces the GPU set on a CPU accelerator too, which then needs its 256-thread groups.</summary>
    private static bool KernelSetFromEnvironmentIsGpu() =>
        string.Equals(Environment.GetEnvironmentVariable(KernelSetRegistry.EnvironmentVariable)?.Trim(), "gpu", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every device ILGPU sees, including OpenCL devices it cannot run kernels on.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        NativeDriverResolver.Register();
        lock (DriverGate)
        {
            using var context = Context.Create(builder => builder.Cuda().OpenCL(_ => true).CPU(CpuConfiguration));
            return context.Devices.Select(Describe).ToArray();
        }
    }

    public DeviceKind Kind { get; }

    public string DeviceName => Accelerator.Name;

    public string Description { get; }

    /// <summary>
    /// "; CUDA graphs: ..." (GPU set on CUDA), "; precision: tf32" when not FP32 ("tf32 (emulated)" on the CPU
    /// accelerator), why 3x3 convs run as the tiled GEMM or why the GPU set did not fit, and last "; kernel set: NAME".
    /// </summary>
    public string Settings
    {
        get
        {
            string precision = Precision == Precision.Fp32 ? ""
                : "; precision: " + Precision.ToString().ToLowerInvariant() + (Kind == DeviceKind.IlgpuCpu ? " (emulated)" : "");
            return $"{_device.Graphs.Setting}{precision}{_setNote}; kernel set: {_kernelSetName}";
        }
    }

    /// <summary>Every ILGPU device is self-tested once per process, per kernel set and precision.</summary>
    public string SelfTestKey => $"{Kind} '{DeviceName}', kernel set {_kernelSetName}, {Precision}";

    /// <summary>The accelerator, stream, graph setting and test-only fault seam the networks run with.</summary>
    internal IlgpuDevice Device => _device;

    public Precision Precision { get; }

    internal Accelerator Accelerator { get; }

    /// <summary>The created stream every launch and copy goes to.</summary>
    internal AcceleratorStream Stream { get; }

    /// <summary>The kernels compiled for this accelerator, loaded once on first use.</summary>
    internal IKernelSet Kernels => _kernels.Value;

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => Kernels.Prepare(plan, weights, _device);

    public void Dispose()
    {
        lock (DriverGate)
        {
            Stream.Dispose();
            Accelerator.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>
    /// The CPU accelerator's thread layout: one multiprocessor per core. ILGPU runs a multiprocessor's groups one
    /// after another on its own OS threads, joining them at a barrier after every group, so kernel sets launch
    /// groups of one thread there and each core runs its share of a launch without synchronising (ILGPU's default,
    /// one multiprocessor of 4-thread groups, is many times slower: benchmarks/README.md, "Kernel choices").
    /// A warp of 2 is the smallest ILGPU accepts.
    /// </summary>
    private static CPUDevice CpuConfiguration { get; } =
        new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: Environment.ProcessorCount);

    private static DeviceUnavailableException Unavailable(DeviceKind kind, string why) =>
        new(kind, why, [.. ListDevices().Where(d => d.Backend == kind)]);

    /// <summary>
    /// The CPU accelerator for the GPU kernel set (which tests it without a GPU): one multiprocessor with groups of
    /// up to 256 threads in warps of 32, as on an NVIDIA GPU. Its barriers are OS thread barriers, so it is for
    /// correctness, not speed.
    /// </summary>
    private static CPUDevice GpuSetCpuConfiguration { get; } =
        new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: TiledConvKernels.GroupSize / 32, numMultiprocessors: 1);

    private static T? First<T>(Context.DeviceCollection<T> devices) where T : Device =>
        devices.Count > 0 ? devices[0] : null;

    private static string MissingCuda() =>
        NativeDriverResolver.CanLoad("cuda")
            ? "no CUDA device: the driver library loaded but ILGPU found no device"
            : "no CUDA device: libcuda.so.1 not found";

    private static CLDevice? FirstGpu(Context.DeviceCollection<CLDevice> devices)
    {
        for (int i = 0; i < devices.Count; i++)
            if (devices[i].DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU)) return devices[i];
        return null;
    }

    private static string MissingOpenCLGpu(Context context)
    {
        var devices = context.GetCLDevices();
        if (devices.Count == 0) return MissingOpenCL();
        var names = new List<string>();
        for (int i = 0; i < devices.Count; i++) names.Add($"'{devices[i].Name}'");
        return $"no OpenCL GPU ({string.Join(", ", names)} runs only when opencl is asked for by name)";
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
            $"compute capability {cuda.Architecture?.ToString() ?? "unknown"}, driver {cuda.DriverVersion}", true, GpuSetFitOf(cuda)),
        CLDevice cl => new(cl.Name, DeviceKind.OpenCL, cl.MemorySize,
            $"{(cl.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU) ? "GPU" : "not a GPU")}, {cl.DeviceVersion}, OpenCL C {cl.CLStdVersion}, generic address space {(cl.Capabilities.GenericAddressSpace ? "yes" : "no")}",
            cl.Capabilities.GenericAddressSpace && cl.CLStdVersion >= CLCVersion.CL20, GpuSetFitOf(cl)),
        // The GPU set runs on the CPU accelerator in its own thread layout (DENSENET_KERNELS=gpu), so that is the one checked.
        CPUDevice cpu => new(cpu.Name, DeviceKind.IlgpuCpu, cpu.MemorySize, $"{cpu.NumThreads} threads", true, GpuSetFitOf(GpuSetCpuConfiguration)),
        _ => new(device.Name, DeviceKind.Auto, device.MemorySize, device.AcceleratorType.ToString(), false),
    };

    /// <summary>Whether the GPU kernel set fits <paramref name="device"/> in FP32 (<see cref="GpuSetFit.Summary"/>).</summary>
    private static string GpuSetFitOf(Device device) => GpuSetFit.Check(GpuCapabilities.Of(device), Precision.Fp32).Summary;
}
