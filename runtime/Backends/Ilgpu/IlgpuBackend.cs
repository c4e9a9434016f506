using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
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
/// set compiled for it on first use.
/// </summary>
/// <remarks>
/// <see cref="DriverGate"/> serializes opening, listing and closing devices and compiling kernels, process-wide:
/// once, in the parallel test suite on PoCL, opening a device found none while other threads were creating and
/// releasing contexts. These calls are rare and slow anyway, so serializing them costs nothing measurable. It is
/// taken after a device's gate (see <see cref="ComputeDevice"/>), never before.
/// </remarks>
internal sealed class IlgpuBackend : IBackend
{
    private static readonly Lock DriverGate = new();

    private readonly Context _context;
    private readonly Lazy<IKernelSet> _kernels;

    private IlgpuBackend(Context context, Accelerator accelerator, DeviceKind kind, KernelSetRegistration? kernelSet)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Description = $"{kind} device '{accelerator.Name}' ({DeviceInfo.FormatMemory(accelerator.MemorySize)})";
        _kernels = new(() =>
        {
            lock (DriverGate)
                return KernelSetRegistry.Load(accelerator, kernelSet);
        });
    }

    /// <summary>Opens the first device of <paramref name="kind"/> (IlgpuCpu, OpenCL or Cuda).</summary>
    /// <param name="gpuOnly">For OpenCL: only a GPU device counts (auto's choice).</param>
    /// <exception cref="DeviceUnavailableException">There is none; the message says what was found.</exception>
    /// <exception cref="ArgumentException">DENSENET_KERNELS names no kernel set.</exception>
    public static IlgpuBackend Open(DeviceKind kind, bool gpuOnly = false)
    {
        var kernelSet = KernelSetRegistry.FromEnvironment();
        NativeDriverResolver.Register();
        lock (DriverGate)
        {
            var context = Context.Create(builder => _ = kind switch
            {
                DeviceKind.IlgpuCpu => builder.CPU(CpuConfiguration),
                DeviceKind.OpenCL => builder.OpenCL(),
                DeviceKind.Cuda => builder.Cuda(),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "ILGPU runs on IlgpuCpu, OpenCL or Cuda."),
            });
            try
            {
                Device device = kind switch
                {
                    DeviceKind.Cuda => First(context.GetCudaDevices()) ?? throw new DeviceUnavailableException(kind, MissingCuda()),
                    DeviceKind.OpenCL when gpuOnly => FirstGpu(context.GetCLDevices()) ?? throw new DeviceUnavailableException(kind, MissingOpenCLGpu(context)),
                    DeviceKind.OpenCL => First(context.GetCLDevices()) ?? throw new DeviceUnavailableException(kind, MissingOpenCL()),
                    _ => context.GetCPUDevice(0),
                };
                return new IlgpuBackend(context, device.CreateAccelerator(context), kind, kernelSet);
            }
            catch
            {
                context.Dispose();
                throw;
            }
        }
    }

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

    internal Accelerator Accelerator { get; }

    /// <summary>The kernels compiled for this accelerator, loaded once on first use.</summary>
    internal IKernelSet Kernels => _kernels.Value;

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => new IlgpuNetwork(plan, weights, this);

    public void Dispose()
    {
        lock (DriverGate)
        {
            Accelerator.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>
    /// The CPU accelerator's thread layout: one multiprocessor per core. ILGPU runs a multiprocessor's groups one
    /// after another on its own OS threads, joining them at a barrier after every group, so kernel sets launch
    /// groups of one thread there and each core runs its share of a launch without synchronising (ILGPU's default,
    /// one multiprocessor of 4-thread groups, measured a DenseNet-121 forward ~11× slower on a 2-core machine).
    /// A warp of 2 is the smallest ILGPU accepts.
    /// </summary>
    private static CPUDevice CpuConfiguration { get; } =
        new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: Environment.ProcessorCount);

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
            $"compute capability {cuda.Architecture?.ToString() ?? "unknown"}, driver {cuda.DriverVersion}", true),
        CLDevice cl => new(cl.Name, DeviceKind.OpenCL, cl.MemorySize,
            $"{(cl.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU) ? "GPU" : "not a GPU")}, {cl.DeviceVersion}, OpenCL C {cl.CLStdVersion}, generic address space {(cl.Capabilities.GenericAddressSpace ? "yes" : "no")}",
            cl.Capabilities.GenericAddressSpace && cl.CLStdVersion >= CLCVersion.CL20),
        CPUDevice cpu => new(cpu.Name, DeviceKind.IlgpuCpu, cpu.MemorySize, $"{cpu.NumThreads} threads", true),
        _ => new(device.Name, DeviceKind.Auto, device.MemorySize, device.AcceleratorType.ToString(), false),
    };
}
