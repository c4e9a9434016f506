using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// What the selection layer does with a self-test's verdict, on a stand-in device whose "kernel" for one op adds 1 to
/// everything from that op on (the SIMD backend underneath): auto falls back and says which kernel failed and by how
/// much, a device asked for by name is refused naming it, and the option turns the test off.
/// </summary>
public sealed class SelfTestSelectionTests
{
    private const int BadOp = 9;

    [Fact]
    public void AutoFallsBackToTheNextDeviceAndSaysWhichKernelFailed()
    {
        var faulty = new FaultyFamily();

        var (backend, choice) = BackendRegistry.Open(DeviceKind.Auto, ComputeOptions.Default, [faulty, new SimdFamily()], noGpuPackage: false);
        using (backend)
        {
            Assert.IsType<SimdBackend>(backend);
            Assert.Matches(@"^, chosen by auto \(opencl device 'faulty stand-in' failed its self-test against the SIMD CPU backend: op 9 \(conv features\.transition1\.conv\.weight\) on the stand-in kernel is off by 1\.0e0 \(bar \d\.\de-\d\)\)$", choice);
            Assert.True(faulty.Opened!.Disposed);
        }
    }

    [Fact]
    public void ADeviceAskedForByNameIsRefusedNamingTheKernel()
    {
        var faulty = new FaultyFamily();

        var error = Assert.Throws<DeviceUnavailableException>(() =>
            BackendRegistry.Open(DeviceKind.OpenCL, ComputeOptions.Default, [faulty, new SimdFamily()], noGpuPackage: false));

        Assert.Contains("failed its self-test against the SIMD CPU backend: op 9 (conv features.transition1.conv.weight) on the stand-in kernel is off by 1.0e0", error.Message);
        Assert.True(faulty.Opened!.Disposed);
    }

    [Fact]
    public void TheOptionSkipsIt()
    {
        var (backend, choice) = BackendRegistry.Open(DeviceKind.OpenCL, new ComputeOptions(SelfTest: false), [new FaultyFamily()], noGpuPackage: false);
        using (backend)
            Assert.Equal("; self-test: off", choice);
    }

    [Fact]
    public void ASoundStandInPasses()
    {
        using var backend = new FaultyBackend(int.MaxValue);

        Assert.Matches(@"^; self-test: ok \(\d+ ms\)$", BackendRegistry.Vet(backend, selfTest: true));
    }

    [Fact]
    public void IlgpuCpuRunsItOnlyWhenAsked()
    {
        using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(KernelSetKind.Cpu));

        Assert.Contains("; self-test: off (on ilgpu-cpu only with DENSENET_SELF_TEST=on); kernel set: cpu", device.Description);
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData(" OFF ", false)]
    public void TheEnvironmentVariableIsOnOrOff(string text, bool on) =>
        Assert.Equal(on, SelfTestSetting.Parse(text));

    [Fact]
    public void AnUnknownSettingIsRefusedNamingTheVariable()
    {
        var error = Assert.Throws<InvalidSettingException>(() => SelfTestSetting.Parse("maybe"));
        Assert.Equal("DENSENET_SELF_TEST", error.Setting);
        Assert.Equal("DENSENET_SELF_TEST: unknown value 'maybe'; expected on or off.", error.Message);
    }

    private sealed class SimdFamily : IBackendFamily
    {
        public IReadOnlyList<BackendRegistration> Kinds { get; } = [new(DeviceKind.Cpu, SimdBackend.Open)];

        public IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates { get; } = [SimdBackend.Open];

        public IEnumerable<DeviceInfo> ListDevices() => [];
    }

    private sealed class FaultyFamily : IBackendFamily
    {
        public FaultyBackend? Opened { get; private set; }

        public IReadOnlyList<BackendRegistration> Kinds => [new(DeviceKind.OpenCL, _ => Opened = new FaultyBackend(BadOp))];

        public IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates => [_ => Opened = new FaultyBackend(BadOp)];

        public IEnumerable<DeviceInfo> ListDevices() => [];
    }

    /// <summary>The SIMD backend as an "opencl" device with a self-test key of its own, whose op <c>badOp</c> and every later one read 1 too high.</summary>
    private sealed class FaultyBackend(int badOp) : IBackend
    {
        private readonly SimdBackend _inner = SimdBackend.Open(new ComputeOptions(Threads: 1, Spinning: false));

        public bool Disposed { get; private set; }

        public DeviceKind Kind => DeviceKind.OpenCL;

        public string DeviceName => "faulty stand-in";

        public string Description => "stand-in";

        public string SelfTestKey { get; } = "stand-in " + Guid.NewGuid();

        public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights) => new Network(_inner.Prepare(plan, weights), badOp);

        public void Dispose()
        {
            Disposed = true;
            _inner.Dispose();
        }

        private sealed class Network(IPreparedNetwork inner, int badOp) : IPreparedNetwork
        {
            public IShapedNetwork ForShape(PlanGeometry geometry) => new Shape(inner.ForShape(geometry), badOp);

            public void Dispose() => inner.Dispose();
        }

        private sealed class Shape(IShapedNetwork inner, int badOp) : IShapedNetwork
        {
            public PlanGeometry Geometry => inner.Geometry;

            public float[][] Run(ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
            {
                var results = inner.Run(input, opCount, read, opFinished);
                if (opCount > badOp)
                    foreach (var result in results)
                        for (int i = 0; i < result.Length; i++) result[i] += 1;
                return results;
            }

            public string? Kernel(int op) => "the stand-in kernel";

            public void Dispose() => inner.Dispose();
        }
    }
}
