using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// Where a forward pass spends its time: the plan's ops launched one at a time with a sync after each, summed by
/// kind (conv 1x1+bn, conv 3x3, bn-relu with each pool, max pool), with GFLOP/s for the convolutions. This is how
/// the kernel choices of a backend (e.g. gpu/KernelSets/CpuKernelSet.cs) are made; the per-op syncs make the sum larger
/// than a real forward, which the last line gives for comparison.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models("densenet121");
        var rounds = new Option<int>("--rounds", "-n") { Description = "Timed rounds after one warm-up round", DefaultValueFactory = _ => 3 };
        var threads = BenchOptions.Threads();
        var batch = new Option<int>("--batch", "-b") { Description = "Images per pass (the SIMD CPU backend's profile)", DefaultValueFactory = _ => 1 };
        var onnx = new Option<FileInfo?>("--onnx") { Description = "ONNX file of the same network (tools/export_onnx.py): time ONNX Runtime in the same run, for the ratio" };
        var command = new Command("profile", "Time per op kind over one forward pass") { device, models, rounds, threads, batch, onnx };
        command.SetAction(parsed =>
        {
            int count = parsed.GetValue(rounds), images = parsed.GetValue(batch);
            if (count < 1 || images < 1) throw new ArgumentException("--rounds and --batch must be at least 1.");
            using var target = BenchOptions.Open(parsed.GetValue(device)!, threads: parsed.GetValue(threads));
            Console.WriteLine($"device: {target.Description}; load average {BenchOptions.LoadAverage()}");
            foreach (var network in BenchNetwork.Select(parsed.GetValue(models), [BenchNetwork.Zoo.First(n => n.Definition.Name == "DenseNet121")]))
            {
                if (target.Backend is SimdBackend) SimdProfile.Run(network, target, images, count, parsed.GetValue(onnx));
                else Profile(network, target, count);
            }
            return 0;
        });
        return command;
    }

    private static void Profile(BenchNetwork network, ComputeDevice device, int rounds)
    {
        var plan = network.Definition;
        int size = plan.InputSize;
        var checkpoint = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var input = DeterministicWeights.Input(1, plan.InChannels, size, size);
        var geometry = PlanGeometry.Compute(plan, 1, size, size);
        var kinds = Enumerable.Range(0, plan.Ops.Count).Select(i => Kind(plan.Ops[i], geometry.Ops[i])).ToArray();
        var flops = new Dictionary<string, double>();
        for (int i = 0; i < plan.Ops.Count; i++)
            if (plan.Ops[i] is ConvOp c)
                flops[kinds[i]] = flops.GetValueOrDefault(kinds[i]) + 2.0 * c.OutChannels * geometry.Ops[i].OutHeight * geometry.Ops[i].OutWidth * c.InChannels * c.Kernel * c.Kernel;

        using var executor = new PlanExecutor(plan, checkpoint, device);
        var times = new Dictionary<string, List<double>>();
        for (int round = 0; round <= rounds; round++)
        {
            var sums = new Dictionary<string, double>();
            var clock = Stopwatch.StartNew(); // the first op's time includes copying the input
            executor.Trace(input, 1, size, size, i =>
            {
                sums[kinds[i]] = sums.GetValueOrDefault(kinds[i]) + clock.Elapsed.TotalMilliseconds;
                clock.Restart();
            });
            if (round == 0) continue; // kernel compilation and first touch of the buffers
            foreach (var (kind, ms) in sums)
                (times.TryGetValue(kind, out var list) ? list : times[kind] = []).Add(ms);
        }

        Console.WriteLine($"{plan.Name} 1x{plan.InChannels}x{size}x{size}, median of {rounds} rounds");
        Console.WriteLine($"  {"op kind",-24}{"ms",9}{"GFLOP/s",10}");
        foreach (var (kind, list) in times.OrderByDescending(t => QuickCommand.Median(t.Value)))
        {
            double ms = QuickCommand.Median(list);
            Console.WriteLine($"  {kind,-24}{ms,9:0.0}{(flops.TryGetValue(kind, out var f) ? (f / ms / 1e6).ToString("0.00") : ""),10}");
        }
        Console.WriteLine($"  {"sum of ops",-24}{QuickCommand.Median(Enumerable.Range(0, rounds).Select(r => times.Values.Sum(l => l[r]))),9:0.0}");

        var forwards = Enumerable.Range(0, rounds).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            executor.Run(input, 1, size, size, featuresOnly: false);
            return clock.Elapsed.TotalMilliseconds;
        }).ToList();
        Console.WriteLine($"  {"forward (one sync)",-24}{QuickCommand.Median(forwards),9:0.0}");
    }

    private static string Kind(PlanOp op, OpShape shape) => op switch
    {
        ConvOp c => $"conv{c.Kernel}x{c.Kernel}" + (c.FoldedNorm is not null ? "+bn" : "") + (shape.OutHeight * shape.OutWidth == 1 ? " (classifier)" : ""),
        BatchNormReluOp n => $"bn-relu {n.Pool}",
        MaxPoolOp => "maxpool",
        _ => op.GetType().Name,
    };
}
