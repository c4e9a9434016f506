using BenchmarkDotNet.Attributes;
using DenseNetGen.Backends;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Zoo;

namespace DenseNetGen.Benchmarks.Bdn;

/// <summary>DenseNetGen's DenseNet121 at batch 1 (224x224, deterministic weights) on each backend.</summary>
public class DenseNet121Benchmark
{
    private ComputeDevice? _device;
    private DenseNetModel? _model;
    private readonly float[] _input = DeterministicWeights.Input(1, 3, 224, 224);

    /// <summary>
    /// The backend DENSENET_DEVICE names, or every backend ILGPU can run kernels on here (so OpenCL is timed
    /// inside tools/opencl-env.sh, which sets DENSENET_DEVICE=opencl).
    /// </summary>
    public static IEnumerable<string> Backends() =>
        Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) is { } chosen &&
        DeviceKindParser.Parse(chosen, DeviceKindParser.EnvironmentVariable) != DeviceKind.Auto
            ? [chosen.Trim().ToLowerInvariant()]
            : ComputeDevice.ListDevices().Where(d => d.Usable).Select(d => DeviceNames.Of(d.Backend)).Distinct();

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchOptions.Open(Backend);
        _model = BenchNetwork.Zoo.Single(n => n.Definition == DenseNet121.Definition).CreateDeterministic(_device);
    }

    [Benchmark(Description = "DenseNetGen DenseNet121 b1")]
    public float[] Forward() => _model!.Forward(_input, 1, 224, 224);

    [GlobalCleanup]
    public void Cleanup()
    {
        _model?.Dispose();
        _device?.Dispose();
    }
}
