using System.Globalization;
using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// The quick benchmark run: latency of each zoo model at its input size with deterministic weights, median
/// and best of N after warm-up runs, as a compact table. The header carries the load average, because the
/// figures are only comparable within one run on a quiet machine. "device MiB" is what the model holds on the
/// device after the runs (parameters, activations, scratch): its peak. BenchmarkDotNet's careful run is `bdn`.
/// </summary>
internal static class QuickCommand
{
    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models("the zoo");
        var batch = BenchOptions.Batch(1);
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs per model", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per model first, at least (the first compiles the kernels); more until the JIT has been quiet for 300 ms", DefaultValueFactory = _ => 1 };
        var precision = BenchOptions.Precision();
        var threads = BenchOptions.Threads();
        var command = new Command("quick", "Median and best latency per model") { device, models, batch, iterations, warmup, precision, threads };
        command.SetAction(parsed =>
        {
            int n = parsed.GetValue(batch), runs = parsed.GetValue(iterations), warm = parsed.GetValue(warmup);
            if (n < 1 || runs < 1 || warm < 0) throw new ArgumentException("--batch and --iterations must be at least 1, --warmup at least 0.");
            var networks = BenchNetwork.Select(parsed.GetValue(models), BenchNetwork.Zoo);
            using var target = BenchOptions.Open(parsed.GetValue(device)!, parsed.GetValue(precision)!, parsed.GetValue(threads));
            Console.WriteLine($"device: {target.Description}");
            Console.WriteLine($"batch {n}; {warm} warm-up + {runs} timed runs; {Environment.ProcessorCount} cores; load average {BenchOptions.LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
            Console.WriteLine($"{"model",-22}{"input",-12}{"median ms",11}{"min ms",10}{"images/s",10}{"device MiB",12}");
            foreach (var network in networks)
            {
                var plan = network.Definition;
                using var model = network.CreateDeterministic(target);
                var input = DeterministicWeights.Input(n, plan.InChannels, plan.InputSize, plan.InputSize);
                var times = Time(warm, runs, () => model.Forward(input, n, plan.InputSize, plan.InputSize));
                double median = Median(times);
                Console.WriteLine($"{plan.Name,-22}{$"{n}x{plan.InChannels}x{plan.InputSize}x{plan.InputSize}",-12}{median,11:0.0}{times.Min(),10:0.0}{n * 1000 / median,10:0.0}{DeviceMiB(model.DeviceBytes),12}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The SIMD backend holds no device memory (it reports 0): "n/a" rather than a misleading 0.0.</summary>
    private static string DeviceMiB(long bytes) => bytes > 0 ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Warm-up (<see cref="JitWarmup"/>: at least <paramref name="warmup"/> runs), then <paramref name="runs"/> timed ones.</summary>
    internal static double[] Time(int warmup, int runs, Action run)
    {
        JitWarmup.Run(warmup, run);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        return times;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
