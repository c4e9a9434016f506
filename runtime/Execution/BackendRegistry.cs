using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Levels;

namespace DenseNetGen.Execution;

/// <summary>
/// The selection layer's one list of backends: the SIMD CPU backend this assembly brings, after the families other
/// packages registered (<see cref="BackendFamilies"/>). Auto tries the registered families' candidates first (GPUs),
/// then the SIMD backend, which is always present. The only code that names a concrete backend.
/// </summary>
internal static class BackendRegistry
{
    /// <summary>What opens a kind that no referenced package brings, and why it is missing.</summary>
    internal const string GpuPackage = "DenseNetGen.Gpu";

    private static readonly IBackendFamily s_simd = new SimdFamily();

    /// <summary>Registered families first, the SIMD backend last: auto's order.</summary>
    private static IEnumerable<IBackendFamily> Families => [.. BackendFamilies.Registered, s_simd];

    /// <summary>
    /// Opens <paramref name="kind"/>, or for auto the first candidate in auto order that opens. Returns the backend
    /// and, for auto, the words saying why it was chosen (", chosen by auto (no CUDA device: ...)").
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The kind asked for is absent; the message says what was found.</exception>
    /// <exception cref="InvalidSettingException">DENSENET_SELF_TEST, or a setting the backend reads, is invalid.</exception>
    public static (IBackend Backend, string Choice) Open(DeviceKind kind, ComputeOptions options) =>
        Open(kind, options, Families, BackendFamilies.Registered.Count == 0);

    /// <summary><see cref="Open(DeviceKind, ComputeOptions)"/> over <paramref name="families"/> in auto order (tests pass their own).</summary>
    internal static (IBackend Backend, string Choice) Open(DeviceKind kind, ComputeOptions options, IEnumerable<IBackendFamily> families, bool noGpuPackage)
    {
        var selfTest = SelfTestSetting.Resolve(options.SelfTest);
        if (kind != DeviceKind.Auto)
        {
            var named = (families.SelectMany(f => f.Kinds).FirstOrDefault(b => b.Kind == kind) ?? throw Missing(kind)).Open(options);
            return (named, Vet(named, selfTest));
        }

        var missing = new List<string>();
        if (noGpuPackage)
            missing.Add($"no GPU backend: {GpuPackage} is not referenced");
        foreach (var candidate in families.SelectMany(f => f.AutoCandidates))
        {
            try
            {
                var backend = candidate(options);
                string vetted = Vet(backend, selfTest);
                return (backend, (missing.Count == 0 ? ", chosen by auto" : $", chosen by auto ({string.Join("; ", missing)})") + vetted);
            }
            catch (DeviceUnavailableException absent)
            {
                missing.Add(absent.Message);
            }
        }
        throw new DeviceUnavailableException(DeviceKind.Auto, string.Join("; ", missing));
    }

    public static IReadOnlyList<DeviceInfo> ListDevices() => [.. Families.SelectMany(f => f.ListDevices())];

    private static DeviceUnavailableException Missing(DeviceKind kind) =>
        new(kind, $"no {DeviceNames.Of(kind)} device: {GpuPackage} is not referenced (it brings cuda, opencl and ilgpu-cpu)");

    private static readonly Lock s_selfTestGate = new();
    private static readonly Dictionary<string, SelfTestResult> s_selfTests = [];

    /// <summary>
    /// The self-test of a backend that asks for one (<see cref="IBackend.SelfTestKey"/>), run once per key in the
    /// process: "; self-test: ok (N ms)" for the device line, or "; self-test: off" when skipped (<paramref name="selfTest"/>
    /// false; null is the device's default: on, except on ILGPU's CPU accelerator). A failure disposes
    /// the backend and throws, so auto goes on to the next candidate and says why, and a named device is refused.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The self-test failed; the message names the op, its kernel and how far off it was.</exception>
    internal static string Vet(IBackend backend, bool? selfTest)
    {
        if (backend.SelfTestKey is not { } key) return "";
        // ILGPU's CPU accelerator is itself a check without a GPU, and the GPU set's 256-thread groups with OS thread
        // barriers make the test take about a minute of CPU there (benchmarks/README.md), so it runs only when asked.
        if (selfTest is null && backend.Kind == DeviceKind.IlgpuCpu)
            return $"; self-test: off (on {DeviceNames.Of(DeviceKind.IlgpuCpu)} only with {SelfTestSetting.EnvironmentVariable}=on)";
        if (selfTest == false) return "; self-test: off";
        SelfTestResult result;
        try
        {
            lock (s_selfTestGate)
            {
                if (!s_selfTests.TryGetValue(key, out result!))
                    s_selfTests[key] = result = RunSelfTest(backend);
            }
        }
        catch
        {
            backend.Dispose();
            throw;
        }
        if (result.Passed) return $"; self-test: ok ({result.Milliseconds} ms)";
        var refusal = new DeviceUnavailableException(backend.Kind,
            $"{DeviceNames.Of(backend.Kind)} device '{backend.DeviceName}' failed its self-test against the {SimdBackend.Name}: {result.Failure}");
        backend.Dispose();
        throw refusal;
    }

    /// <summary>
    /// <see cref="SelfTest.Run"/>, where a launch that throws fails the test like a wrong result does (auto then
    /// falls back); a refusal (DENSENET_CUDA_GRAPHS=on and a failed capture) stays one.
    /// </summary>
    private static SelfTestResult RunSelfTest(IBackend backend)
    {
        try
        {
            return SelfTest.Run(backend);
        }
        catch (Exception e) when (e is not (DeviceUnavailableException or InvalidSettingException))
        {
            return SelfTestResult.Failed($"the plan did not run: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The core's own family: the SIMD CPU backend, auto's last resort.</summary>
    private sealed class SimdFamily : IBackendFamily
    {
        public IReadOnlyList<BackendRegistration> Kinds { get; } = [new(DeviceKind.Cpu, Open)];

        public IReadOnlyList<Func<ComputeOptions, IBackend>> AutoCandidates { get; } = [Open];

        public IEnumerable<DeviceInfo> ListDevices() =>
            LevelLibrary.ForProcess is { } library ? LevelBackend.ListDevices(library) : SimdBackend.ListDevices();

        /// <summary>In a level library when this process has one (a NativeAOT app on a CPU wider than its image), else in-process.</summary>
        private static IBackend Open(ComputeOptions options) =>
            LevelLibrary.ForProcess is { } library ? LevelBackend.Open(library, options) : SimdBackend.Open(options);
    }
}
