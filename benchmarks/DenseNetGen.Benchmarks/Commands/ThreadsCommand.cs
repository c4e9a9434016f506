using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// The SIMD backend on several thread counts against each other in one process: one device and one prepared network
/// per count, run in turn every round, so a noisy machine's slow minutes fall on all of them alike. Prints each
/// count's median and min, its speed-up over the first count from the medians, and the median of the rounds' own
/// speed-ups (each round's first-count time over its time on this count). Issue 16's "2 threads against 1" is read
/// from it.
/// </summary>
/// <remarks>
/// Why in one process: on the shared 2-core VM, `quick --threads 1` gave 21.8 to 28.2 ms for DenseNet121 in
/// processes a minute apart (2026-12-05 07:18Z), while two threads stayed at 15.6–16.3, so ratios of separate
/// processes moved from 1.36 to 1.78. Each timed pass follows an untimed one on the same count: a pool whose workers
/// fell asleep while another count ran wakes them in its first fork, and that pass is not the one timed.
/// </remarks>
internal static class ThreadsCommand
{
    public static Command Create()
    {
        var models = BenchOptions.Models("densenet121");
        var batch = BenchOptions.Batch(1);
        var rounds = new Option<int>("--rounds", "-n") { Description = "Timed rounds (each runs every thread count once)", DefaultValueFactory = _ => 21 };
        var counts = new Option<int[]>("--counts", "-c")
        {
            Description = "Thread counts, the first the baseline; 0 is the backend's default, one per physical core (default: 1 0)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("threads", "The SIMD backend on several thread counts, alternated in one process") { models, batch, rounds, counts };
        command.SetAction(parsed =>
        {
            int n = parsed.GetValue(batch), runs = parsed.GetValue(rounds);
            int[] threadCounts = parsed.GetValue(counts) is { Length: > 0 } given ? given : [1, 0];
            if (n < 1 || runs < 1) throw new ArgumentException("--batch and --rounds must be at least 1.");
            if (threadCounts.Any(t => t < 0)) throw new ArgumentException("--counts must not be negative.");
            var devices = threadCounts.Select(t => BenchOptions.Open("cpu", threads: t)).ToList();
            try
            {
                var backends = devices.Select(d => (SimdBackend)d.Backend).ToList();
                Console.WriteLine($"device: {devices[0].Description}; threads {string.Join(", ", backends.Select(b => b.Threads))}; batch {n}; {runs} rounds; " +
                    $"{Environment.ProcessorCount} cores; load average {BenchOptions.LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
                foreach (var network in BenchNetwork.Select(parsed.GetValue(models) is { Length: > 0 } m ? m : ["densenet121"], BenchNetwork.Zoo))
                    Run(network, backends, n, runs);
            }
            finally
            {
                foreach (var device in devices) device.Dispose();
            }
            return 0;
        });
        return command;
    }

    private static void Run(BenchNetwork network, IReadOnlyList<SimdBackend> backends, int batch, int runs)
    {
        var plan = network.Definition;
        var checkpoint = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var geometry = PlanGeometry.Compute(plan, batch, plan.InputSize, plan.InputSize);
        var input = DeterministicWeights.Input(batch, plan.InChannels, plan.InputSize, plan.InputSize);
        int[] read = [plan.OutputBuffer];
        var prepared = new List<SimdNetwork>();
        var shapes = new List<IShapedNetwork>();
        try
        {
            foreach (var backend in backends)
            {
                prepared.Add((SimdNetwork)backend.Prepare(plan, checkpoint));
                shapes.Add(prepared[^1].ForShape(geometry));
            }
            JitWarmup.Run(1, () => { foreach (var shape in shapes) shape.Run(input, plan.Ops.Count, read, null); });
            var times = shapes.Select(_ => new double[runs]).ToArray();
            for (int round = 0; round < runs; round++)
                for (int i = 0; i < shapes.Count; i++)
                {
                    shapes[i].Run(input, plan.Ops.Count, read, null);
                    var clock = Stopwatch.StartNew();
                    shapes[i].Run(input, plan.Ops.Count, read, null);
                    times[i][round] = clock.Elapsed.TotalMilliseconds;
                }
            double first = QuickCommand.Median(times[0]);
            Console.WriteLine($"{plan.Name} {batch}x{plan.InChannels}x{plan.InputSize}x{plan.InputSize}");
            Console.WriteLine($"  {"threads",8}{"median ms",11}{"min ms",9}{"speed-up",10}{"per round",11}");
            for (int i = 0; i < shapes.Count; i++)
            {
                double median = QuickCommand.Median(times[i]);
                double perRound = QuickCommand.Median(Enumerable.Range(0, runs).Select(r => times[0][r] / times[i][r]));
                Console.WriteLine($"  {backends[i].Threads,8}{median,11:0.00}{times[i].Min(),9:0.00}{first / median,9:0.00}x{perRound,10:0.00}x");
            }
        }
        finally
        {
            foreach (var shape in shapes) shape.Dispose();
            foreach (var program in prepared) program.Dispose();
        }
    }
}
