using BenchmarkDotNet.Attributes;
using DenseNetGen.Checkpoints;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DenseNetGen.Benchmarks.Bdn;

/// <summary>
/// ONNX Runtime (CPU execution provider, default threads) on the ONNX export of the same network and weights
/// (tools/export_onnx.py), batch 1: the peer DenseNetGen's CPU figures are read against.
/// </summary>
public class OnnxRuntimeBenchmark
{
    /// <summary>The ONNX file; the bdn command sets it before running (benchmarks run in-process).</summary>
    public static string ModelPath { get; set; } = "";

    private InferenceSession? _session;
    private NamedOnnxValue[] _feeds = [];

    [GlobalSetup]
    public void Setup()
    {
        _session = new InferenceSession(ModelPath);
        var (name, meta) = _session.InputMetadata.First();
        int[] dims = [1, .. meta.Dimensions.Skip(1)];
        var input = new DenseTensor<float>(DeterministicWeights.Input(dims[0], dims[1], dims[2], dims[3]), dims);
        _feeds = [NamedOnnxValue.CreateFromTensor(name, input)];
    }

    [Benchmark(Description = "ONNX Runtime DenseNet121 b1")]
    public void Run()
    {
        using var results = _session!.Run(_feeds);
    }

    [GlobalCleanup]
    public void Cleanup() => _session?.Dispose();
}
