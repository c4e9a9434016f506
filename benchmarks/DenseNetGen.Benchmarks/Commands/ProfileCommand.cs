using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// Where a forward pass spends its time: the plan's ops launched one at a time with a sync after each, summed by
/// kind (conv 1x1+bn, conv 3x3, bn-relu with each pool, max pool), with GFLOP/s for the convolutions. This is how
/// the per-backend kernel choices in runtime/Kernels/KernelSet.cs are made; the per-op syncs make the sum larger
/// than a real forward, which the last line gives for comparison.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models("densenet121");
        var rounds = new Option<int>("--rounds", "-n") { Description = "Timed rounds after one warm-up round", DefaultValueFactory = _ => 3 };
        var command = new Command("profile", "Time per op kind over one forward pass") { device, models, rounds };
        command.SetAction(parsed =>
        {
            int count = parsed.GetValue(rounds);
            if (count < 1) throw new ArgumentException("--rounds must be at least 1.");
            using var target = BenchOptions.Open(parsed.GetValue(device)!);
            Console.WriteLine($"device: {target.Description}; load average {BenchOptions.LoadAverage()}");
            foreach (var network in BenchNetwork.Select(parsed.GetValue(models), [BenchNetwork.Zoo.First(n => n.Definition.Name == "DenseNet121")]))
                Profile(network, target, count);
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
        var layout = PlanLayout.Compute(plan, 1, size, size);
        var accelerator = device.Accelerator;
        using var weights = new DeviceWeights(plan, checkpoint, accelerator);
        var buffers = layout.BufferElements.Select(n => accelerator.Allocate1D<float>(Math.Max(1, n))).ToArray();
        var times = new Dictionary<string, List<double>>();
        var flops = new Dictionary<string, double>();
        try
        {
            buffers[0].View.SubView(0, input.Length).CopyFromCPU(input);
            for (int round = 0; round <= rounds; round++)
            {
                var sums = new Dictionary<string, double>();
                for (int i = 0; i < plan.Ops.Count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    string kind = Launch(plan.Ops[i], i, device, layout, weights, buffers, flops, countFlops: round == 0);
                    device.Accelerator.DefaultStream.Synchronize();
                    sums[kind] = sums.GetValueOrDefault(kind) + clock.Elapsed.TotalMilliseconds;
                }
                if (round == 0) continue; // kernel compilation and first touch of the buffers
                foreach (var (kind, ms) in sums)
                    (times.TryGetValue(kind, out var list) ? list : times[kind] = []).Add(ms);
            }
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }

        Console.WriteLine($"{plan.Name} 1x{plan.InChannels}x{size}x{size}, median of {rounds} rounds");
        Console.WriteLine($"  {"op kind",-24}{"ms",9}{"GFLOP/s",10}");
        foreach (var (kind, list) in times.OrderByDescending(t => QuickCommand.Median(t.Value)))
        {
            double ms = QuickCommand.Median(list);
            Console.WriteLine($"  {kind,-24}{ms,9:0.0}{(flops.TryGetValue(kind, out var f) ? (f / ms / 1e6).ToString("0.00") : ""),10}");
        }
        Console.WriteLine($"  {"sum of ops",-24}{QuickCommand.Median(Enumerable.Range(0, rounds).Select(r => times.Values.Sum(l => l[r]))),9:0.0}");

        using var model = network.CreateDeterministic(device);
        model.Forward(input, 1, size, size);
        var forwards = Enumerable.Range(0, rounds).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            model.Forward(input, 1, size, size);
            return clock.Elapsed.TotalMilliseconds;
        }).ToList();
        Console.WriteLine($"  {"forward (one sync)",-24}{QuickCommand.Median(forwards),9:0.0}");
    }

    private static string Launch(PlanOp op, int i, ComputeDevice device, PlanLayout layout, DeviceWeights weights,
        MemoryBuffer1D<float, Stride1D.Dense>[] buffers, Dictionary<string, double> flops, bool countFlops)
    {
        var stream = device.Accelerator.DefaultStream;
        var kernels = device.Kernels;
        switch (op)
        {
            case ConvOp c:
                var g = layout.Convs[i];
                string kind = $"conv{c.Kernel}x{c.Kernel}" + (c.FoldedNorm is not null ? "+bn" : "") + (g.OutPixels == 1 ? " (classifier)" : "");
                kernels.Conv(stream, buffers[c.Source].View, weights.First(i), weights.Second(i), buffers[c.Destination].View, g);
                if (countFlops) flops[kind] = flops.GetValueOrDefault(kind) + 2.0 * g.MultiplyAdds;
                return kind;
            case BatchNormReluOp n:
                kernels.BatchNormRelu(stream, buffers[n.Source].View, weights.First(i), weights.Second(i), buffers[n.Destination].View, layout.Pools[i]);
                return $"bn-relu {n.Pool}";
            case MaxPoolOp m:
                kernels.MaxPool(stream, buffers[m.Source].View, buffers[m.Destination].View, layout.Pools[i]);
                return "maxpool";
            default:
                throw new NotSupportedException(op.ToString());
        }
    }
}
