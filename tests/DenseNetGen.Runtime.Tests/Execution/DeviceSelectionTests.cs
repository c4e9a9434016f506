using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends;
using DenseNetGen.Execution;
using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Execution;

public class DeviceSelectionTests
{
    [Theory]
    [InlineData("cuda", "libcuda.so.1")]
    [InlineData("OpenCL", "libOpenCL.so.1")]
    public void DriverImportNamesMapToVersionedSonames(string importName, string soname) =>
        Assert.Equal([soname], NativeDriverResolver.Candidates(importName));

    [Fact]
    public void OtherImportNamesAreLeftAlone() => Assert.Empty(NativeDriverResolver.Candidates("libc"));

    [Theory]
    [InlineData("auto", DeviceKind.Auto)]
    [InlineData("CPU", DeviceKind.Cpu)]
    [InlineData(" OpenCL ", DeviceKind.OpenCL)]
    [InlineData("cuda", DeviceKind.Cuda)]
    [InlineData("ILGPU-CPU", DeviceKind.IlgpuCpu)]
    public void DeviceNamesParse(string text, DeviceKind kind) => Assert.Equal(kind, DeviceKindParser.Parse(text, "test"));

    [Fact]
    public void UnknownDeviceNameIsAClearError()
    {
        var error = Assert.Throws<InvalidSettingException>(() => DeviceKindParser.Parse("gpu", DeviceKindParser.EnvironmentVariable));
        Assert.Equal("DENSENET_DEVICE", error.Setting);
        Assert.Equal("DENSENET_DEVICE: unknown device 'gpu'; expected auto, cpu, opencl, cuda or ilgpu-cpu.", error.Message);
    }

    [Fact]
    public void CpuDeviceIsTheSimdBackendAndSaysItsWidthAndThreads()
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(Threads: 3));
        Assert.Equal(DeviceKind.Cpu, device.Kind);
        Assert.Contains(device.Name, device.Description);
        Assert.Contains("SIMD", device.Description);
        Assert.Matches(@"Vector(512|256|128)", device.Description);
        Assert.Contains("3 threads", device.Description);
    }

    [Fact]
    public void IlgpuCpuDeviceOpensTheCpuAccelerator()
    {
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu);
        Assert.Equal(DeviceKind.IlgpuCpu, device.Kind);
        Assert.Contains(device.Name, device.Description);
        Assert.DoesNotContain("SIMD", device.Description);
    }

    [Fact]
    public void AutoPrefersCudaThenAnOpenCLGpuThenTheSimdBackend()
    {
        var usable = ComputeDevice.ListDevices().Where(d => d.Usable).ToList();
        var expected = usable.Any(d => d.Backend == DeviceKind.Cuda) ? DeviceKind.Cuda
            : usable.Any(d => d.Backend == DeviceKind.OpenCL && d.Capability.StartsWith("GPU", StringComparison.Ordinal)) ? DeviceKind.OpenCL
            : DeviceKind.Cpu;

        using var device = ComputeDevice.Open(DeviceKind.Auto);

        Assert.Equal(expected, device.Kind);
        Assert.Contains("chosen by auto", device.Description);
    }

    /// <summary>
    /// Opening, listing, compiling on and closing devices from many threads at once, as parallel tests or services
    /// do, finds the same device every time, and every run computes PyTorch's logits for the same weights and input
    /// (tests/references/parity/TinyCifarNet.json), bit for bit the same in every thread.
    /// </summary>
    [Fact]
    public void OpeningListingAndRunningFromManyThreadsAgree()
    {
        var kind = TestDevice.Device.Kind;
        var weights = DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters);
        var pytorch = ParityReference.Load(RepositoryPaths.References("parity"), "TinyCifarNet").Cases[0];
        int[] shape = pytorch.InputShape;
        var input = DeterministicWeights.Input(shape[0], shape[1], shape[2], shape[3]);

        // Threads 0, 3 and 6 list devices; the others open one and run the net on it.
        var names = new string[9];
        var outputs = new float[names.Length][];
        Parallel.For(0, names.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            if (i % 3 == 0)
            {
                names[i] = ComputeDevice.ListDevices().First(d => d.Backend == kind).Name;
                return;
            }
            using var device = ComputeDevice.Open(kind);
            names[i] = device.Name;
            using var model = TinyCifarNet.FromTensors(weights, device);
            outputs[i] = model.Forward(input, shape[0], shape[2], shape[3]);
        });

        Assert.All(names, name => Assert.Equal(TestDevice.Device.Name, name));
        var runs = outputs.Where(o => o is not null).ToList();
        Assert.Equal(6, runs.Count);
        ParityAssert.Close(pytorch.Logits, runs[0], "logits of the first run");
        Assert.All(runs, output => Assert.Equal(runs[0], output));
    }

    [Fact]
    public void ListDevicesIncludesTheSimdBackendAndTheCpuAccelerator()
    {
        var devices = ComputeDevice.ListDevices();
        Assert.Contains(devices, d => d.Backend == DeviceKind.Cpu && d.Usable && d.Name.Contains("SIMD"));
        Assert.Contains(devices, d => d.Backend == DeviceKind.IlgpuCpu && d.Usable);
    }

    [Fact]
    public void AskingForAnAbsentCudaDeviceSaysWhatWasFound()
    {
        if (ComputeDevice.ListDevices().Any(d => d.Backend == DeviceKind.Cuda))
            return; // this machine has CUDA; the message under test is for machines without it

        var error = Assert.Throws<DeviceUnavailableException>(() => ComputeDevice.Open(DeviceKind.Cuda));

        Assert.Equal(DeviceKind.Cuda, error.Requested);
        Assert.StartsWith("no CUDA device: ", error.Message);
        Assert.IsAssignableFrom<DenseNetException>(error);
        Assert.Empty(error.Found);
    }

    [Fact]
    public void AskingForAnAbsentOpenCLDeviceSaysWhatWasFound()
    {
        if (ComputeDevice.ListDevices().Any(d => d.Backend == DeviceKind.OpenCL && d.Usable))
            return; // this machine has a usable OpenCL device; the message under test is for machines without one

        var error = Assert.Throws<DeviceUnavailableException>(() => ComputeDevice.Open(DeviceKind.OpenCL));

        Assert.StartsWith("no OpenCL device", error.Message);
        // What was found, as data: the OpenCL devices ILGPU cannot use, if any.
        Assert.Equal(ComputeDevice.ListDevices().Where(d => d.Backend == DeviceKind.OpenCL).Select(d => d.Name), error.Found.Select(d => d.Name));
    }
}
