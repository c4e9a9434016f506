using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// The SIMD backend's batch slices (<see cref="BatchSlicing"/>) against each other in one process: one prepared network,
/// one shape per slicing, the shapes run in turn every round, so that a noisy machine's slow stretches fall on all of
/// them alike. Prints each slicing's median, min and ratio to the first, and the slicing the backend chooses with its
/// activation arena. How <see cref="BatchSlicing.BudgetBytesPerThread"/> was chosen; run it again on other machines.
/// </summary>
internal static class SlicingCommand
{
    public static Command Create()
    {
        var models = BenchOptions.Models("densenet121");
        var batch = BenchOptions.Batch(8);
        var rounds = new Option<int>("--rounds", "-n") { Description = "Timed rounds (each runs every slicing once)", DefaultValueFactory = _ => 41 };
        var threads = BenchOptions.Threads();
        var slicings = new Option<string[]>("--slicings", "-s")
        {
            Description = "none, chosen, or STEPS:IMAGES (STEPS leading steps in slices of IMAGES, each thread its own), comma-separated",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["none", "chosen"],
        };
        var command = new Command("slicing", "The SIMD backend's batch slices against each other, alternated in one process") { models, batch, rounds, threads, slicings };
        command.SetAction(parsed =>
        {
            int n = parsed.GetValue(batch), runs = parsed.GetValue(rounds);
            if (n < 1 || runs < 1) throw new ArgumentException("--batch and --rounds must be at least 1.");
            using var device = BenchOptions.Open("cpu", threads: parsed.GetValue(threads));
            var backend = (SimdBackend)device.Backend;
            Console.WriteLine($"device: {device.Description}; batch {n}; {runs} rounds; load average {BenchOptions.LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
            foreach (var network in BenchNetwork.Select(parsed.GetValue(models) is { Length: > 0 } m ? m : ["densenet121"], BenchNetwork.Zoo))
            {
                var plan = network.Definition;
                var checkpoint = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
                using var prepared = (SimdNetwork)backend.Prepare(plan, checkpoint);
                var geometry = PlanGeometry.Compute(plan, n, plan.InputSize, plan.InputSize);
                var chosen = prepared.Slicing(geometry);
                var named = parsed.GetValue(slicings)!.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(s => (Name: s, Slicing: Parse(s, n, chosen, backend.Threads, prepared.Steps.Count))).ToArray();
                Console.WriteLine($"{plan.Name}: chosen {Describe(chosen)}, activations {prepared.ActivationBytes(geometry) / 1e6:0.0} MB " +
                    $"(unsliced {prepared.ActivationBytes(geometry, BatchSlicing.None(n)) / 1e6:0.0} MB)");
                // A slicing that cannot end where it says is refused when its shape is made.
                var shapes = new List<IShapedNetwork>();
                try
                {
                    foreach (var (_, slicing) in named) shapes.Add(prepared.ForShape(geometry, slicing));
                }
                catch (InvalidOperationException e)
                {
                    foreach (var shape in shapes) shape.Dispose();
                    throw new ArgumentException($"--slicings: {e.Message}", e);
                }
                try
                {
                    var input = DeterministicWeights.Input(n, plan.InChannels, plan.InputSize, plan.InputSize);
                    var times = shapes.Select(_ => new List<double>()).ToArray();
                    int[] read = [plan.OutputBuffer];
                    // One untimed round binds every shape (and grows the arena to the largest); more until the JIT is quiet.
                    JitWarmup.Run(1, () => { foreach (var shape in shapes) shape.Run(input, plan.Ops.Count, read, null); });
                    for (int round = 0; round < runs; round++)
                        for (int i = 0; i < shapes.Count; i++)
                        {
                            var clock = Stopwatch.StartNew();
                            shapes[i].Run(input, plan.Ops.Count, read, null);
                            times[i].Add(clock.Elapsed.TotalMilliseconds);
                        }
                    double first = QuickCommand.Median(times[0]);
                    for (int i = 0; i < shapes.Count; i++)
                    {
                        double median = QuickCommand.Median(times[i]);
                        Console.WriteLine($"  {named[i].Name,-8} {Describe(named[i].Slicing),-34}{median,9:0.00} ms (min {times[i].Min():0.00}){median / first,8:0.000}x");
                    }
                }
                finally
                {
                    foreach (var shape in shapes) shape.Dispose();
                }
            }
            return 0;
        });
        return command;
    }

    private static BatchSlicing Parse(string text, int batch, BatchSlicing chosen, int threads, int stepCount)
    {
        if (text == "none") return BatchSlicing.None(batch);
        if (text == "chosen") return chosen;
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int steps) || !int.TryParse(parts[1], out int images) || steps < 1 || steps > stepCount || images < 1 || images > batch)
            throw new ArgumentException($"--slicings: '{text}' is not none, chosen or STEPS:IMAGES (STEPS from 1 to {stepCount}, IMAGES from 1 to the batch).");
        return new BatchSlicing(steps, images, threads);
    }

    private static string Describe(BatchSlicing s) =>
        s.Steps == 0 ? "unsliced" : $"{s.Steps} steps, slices of {s.Images}, {s.Threads} at once";
}
