using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Checkpoints;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// Latency of each zoo model at its input size (deterministic weights), median and best of N after a warm-up;
/// with --onnx, ONNX Runtime on the same weights (tools/export_onnx.py) as a peer. PyTorch's peer is
/// tools/bench_pytorch.py. Compare figures only within one run: the machine is shared and noisy.
/// </summary>
internal static class QuickCommand
{
    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models();
        var batch = new Option<int>("--batch", "-b") { DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations", "-n") { DefaultValueFactory = _ => 5 };
        var onnx = new Option<FileInfo[]>("--onnx") { Description = "ONNX files to time with ONNX Runtime (CPU) on the same input", AllowMultipleArgumentsPerToken = true };
        var command = new Command("quick", "Median latency per model") { device, models, batch, iterations, onnx };
        command.SetAction(parsed =>
        {
            int n = parsed.GetValue(batch), runs = parsed.GetValue(iterations);
            using var target = BenchOptions.Open(parsed.GetValue(device)!);
            Console.WriteLine($"device: {target.Description}; batch {n}; {runs} runs after one warm-up; {Environment.ProcessorCount} cores");
            Console.WriteLine($"{"runner",-40}{"median ms",11}{"best ms",10}{"images/s",10}");
            foreach (var zooModel in BenchOptions.Select(parsed.GetValue(models)))
            {
                var plan = zooModel.Definition;
                using var model = BenchOptions.Synthetic(zooModel, target);
                var input = DeterministicWeights.Input(n, plan.InChannels, plan.InputSize, plan.InputSize);
                Report($"{plan.Name} ({target.Kind})", n, Time(runs, () => model.Forward(input, n, plan.InputSize, plan.InputSize)));
            }
            foreach (var file in parsed.GetValue(onnx) ?? [])
                Report($"{file.Name} (ONNX Runtime {OrtEnv.Instance().GetVersionString()})", n, TimeOnnx(file.FullName, n, runs));
            return 0;
        });
        return command;
    }

    private static double[] TimeOnnx(string path, int n, int runs)
    {
        using var session = new InferenceSession(path);
        var meta = session.InputMetadata.First();
        var dims = meta.Value.Dimensions.Select(d => d < 0 ? n : d).ToArray();
        dims[0] = n;
        var input = new DenseTensor<float>(DeterministicWeights.Input(dims[0], dims[1], dims[2], dims[3]), dims);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(meta.Key, input) };
        return Time(runs, () =>
        {
            using var results = session.Run(feeds);
        });
    }

    private static double[] Time(int runs, Action run)
    {
        run();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times;
    }

    private static void Report(string runner, int batch, double[] sorted)
    {
        double median = sorted[sorted.Length / 2];
        Console.WriteLine($"{runner,-40}{median,11:0.0}{sorted[0],10:0.0}{batch * 1000 / median,10:0.0}");
    }
}
