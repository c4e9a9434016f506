using System.Diagnostics;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// The SIMD CPU backend's profile: its fused steps timed one by one and summed by kind and output map size (the
/// kernels choose tiles and algorithms by map size), GFLOP/s per kind against the FMA peak measured at start
/// (<see cref="FmaPeak"/>; counting a conv's direct multiply-adds, so a Winograd step can pass 100%), the whole
/// forward, the time from a checkpoint file to the first result, the activation arena, and (with an ONNX file) ONNX
/// Runtime on the same input in
/// the same process, so the ratio is a same-run figure.
/// </summary>
internal static class SimdProfile
{
    public static void Run(BenchNetwork network, ComputeDevice device, int batch, int rounds, FileInfo? onnx)
    {
        var plan = network.Definition;
        int size = plan.InputSize;
        var backend = (SimdBackend)device.Backend;
        // Measured first, on as many threads as the backend runs, before anything else competes for the cores.
        double peak = FmaPeak.Measure(backend.Threads);
        bool twoCores = backend.Threads > 1 && Environment.ProcessorCount > 1;
        var link = twoCores ? CoreLink.Measure() : default;
        // "Load to first result" as a user meets it: the checkpoint read from a file on disk (written here first,
        // untimed, so it sits in the page cache as a file just downloaded or read before would), bound, prepared, run.
        string weightsFile = WriteDeterministicWeights(plan);
        var clock = Stopwatch.StartNew();
        var checkpoint = CheckpointBinder.Bind(weightsFile, plan);
        double boundMs = clock.Elapsed.TotalMilliseconds;
        var input = DeterministicWeights.Input(batch, plan.InChannels, size, size);
        var geometry = PlanGeometry.Compute(plan, batch, size, size);
        using var prepared = (SimdNetwork)backend.Prepare(plan, checkpoint);
        double preparedMs = clock.Elapsed.TotalMilliseconds;
        using var shaped = prepared.ForShape(geometry);
        int[] read = [plan.OutputBuffer];
        void Forward() => shaped.Run(input, plan.Ops.Count, read, null);
        Forward();
        double firstMs = clock.Elapsed.TotalMilliseconds;
        JitWarmup.Run(0, Forward);
        var steps = prepared.Steps;
        var stepOfLastOp = new int[plan.Ops.Count];
        Array.Fill(stepOfLastOp, -1);
        for (int s = 0; s < steps.Count; s++) stepOfLastOp[steps[s].LastOp] = s;

        var slicing = prepared.Slicing(geometry);
        var kinds = steps.Select(s => $"{s.Kind} {geometry.Ops[s.LastOp].OutHeight}x{geometry.Ops[s.LastOp].OutWidth}").ToArray();
        var flops = new Dictionary<string, double>();
        for (int s = 0; s < steps.Count; s++)
            for (int op = steps[s].FirstOp; op <= steps[s].LastOp; op++)
                if (plan.Ops[op] is ConvOp c)
                {
                    var g = geometry.Ops[op];
                    flops[kinds[s]] = flops.GetValueOrDefault(kinds[s]) + 2.0 * batch * g.OutHeight * g.OutWidth * c.OutChannels * c.InChannels * c.Kernel * c.Kernel;
                }

        // One thread: the steps all run on this thread, so its CPU time is their time without the other tenants' share.
        bool cpuClock = backend.Threads == 1;
        Func<double> now = cpuClock ? ThreadClock.Milliseconds : () => clock.Elapsed.TotalMilliseconds;
        var times = new Dictionary<string, List<double>>();
        for (int round = 0; round < rounds; round++)
        {
            var sums = new Dictionary<string, double>();
            clock.Restart();
            // The input's reorder to NCHW16c runs before the first step: timed alone (a run of no ops) and taken off
            // the first step, so the stem's row is the stem's.
            double start = now();
            shaped.Run(input, 0, [], null);
            double reorder = now() - start;
            sums[ReorderKind] = reorder;
            // Sliced steps run here one slice at a time on this thread (each slice's reorder in its stem's time), while a
            // pass runs slicing.Threads slices at once: their rows are their time over that many.
            double last = now() + (slicing.Steps > 0 ? 0 : reorder);
            shaped.Run(input, plan.Ops.Count, read, op =>
            {
                int s = stepOfLastOp[op];
                if (s < 0) return;
                double t = now();
                sums[kinds[s]] = sums.GetValueOrDefault(kinds[s]) + (t - last) / (s < slicing.Steps ? slicing.Threads : 1);
                last = t;
            });
            sums[SumKind] = sums.Values.Sum();
            foreach (var (kind, ms) in sums)
                (times.TryGetValue(kind, out var list) ? list : times[kind] = []).Add(ms);
        }
        double stepSum = QuickCommand.Median(times[SumKind]);
        times.Remove(SumKind);

        var forwards = Time(rounds, () => Forward());
        var forwardsCpu = CpuTime(rounds, () => Forward());
        double forward = QuickCommand.Median(forwards);
        Console.WriteLine($"{plan.Name} {batch}x{plan.InChannels}x{size}x{size}, {device.Description}, median of {rounds} rounds; " +
            $"activations {prepared.ActivationBytes(geometry) / 1e6:0.0} MB, weights {prepared.WeightBytes / 1e6:0.0} MB, scratch {prepared.ScratchBytes / 1e6:0.0} MB; from the checkpoint file to the first result {firstMs:0} ms " +
            $"(read and bound {boundMs:0}, prepared {preparedMs - boundMs:0}, first pass {firstMs - preparedMs:0})");
        if (slicing.Steps > 0)
            Console.WriteLine($"  batch slices: the first {slicing.Steps} steps in slices of {slicing.Images} image{(slicing.Images == 1 ? "" : "s")}, {slicing.Threads} threads at once; " +
                $"their rows are one thread's time over {slicing.Threads}, the stem's with the input reorder, which also has its row");
        Console.WriteLine($"  FMA peak measured at start: {peak:0.0} GFLOP/s on {backend.Threads} thread{(backend.Threads == 1 ? "" : "s")} " +
            $"({VectorWidth.Name} multiply-add chains, per thread CPU time; load average {BenchOptions.LoadAverage()})");
        if (twoCores)
            Console.WriteLine($"  between two cores: a cache line's round trip {link.RoundTripNs:0} ns; 1 MiB the other core wrote reads in " +
                $"{link.OtherCoreUs:0} us, 1 MiB this core wrote in {link.OwnCoreUs:0} us (what every fork and every row handed over pays)");
        Console.WriteLine($"  {"step kind, output map",-44}{(cpuClock ? "cpu ms" : "ms"),9}{"GFLOP/s",10}{"% of peak",11}");
        foreach (var (kind, list) in times.OrderByDescending(t => QuickCommand.Median(t.Value)))
        {
            double ms = QuickCommand.Median(list);
            string rate = flops.TryGetValue(kind, out var f) ? $"{f / ms / 1e6,10:0.0}{100 * f / ms / 1e6 / peak,10:0}%" : "";
            Console.WriteLine($"  {kind,-44}{ms,9:0.00}{rate}");
        }
        Console.WriteLine($"  {"sum of the rows above",-44}{stepSum,9:0.00}");
        double total = flops.Values.Sum();
        Console.WriteLine($"  {"forward",-44}{forward,9:0.00}{total / forward / 1e6,10:0.0}{100 * total / forward / 1e6 / peak,10:0}%  (min {forwards.Min():0.00}; calling thread's cpu {QuickCommand.Median(forwardsCpu):0.00})");

        if (onnx is null) return;
        if (!onnx.Exists) throw new FileNotFoundException($"ONNX file not found: {onnx.FullName} (make it with tools/export_onnx.py)");
        using var options = new SessionOptions { IntraOpNumThreads = backend.Threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // Its load to first result as ours above: the file read (from the page cache if it was read lately; ours was just written), the session made, one run.
        clock.Restart();
        using var session = new InferenceSession(onnx.FullName, options);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), new DenseTensor<float>(input, [batch, plan.InChannels, size, size])) };
        using (session.Run(feeds)) { }
        double ortFirstMs = clock.Elapsed.TotalMilliseconds;
        // ONNX Runtime's workers spin ~40 ms after each run: pause, then one untimed call, before each timed block.
        Thread.Sleep(100);
        using (session.Run(feeds)) { }
        var ort = Time(rounds, () => { using var r = session.Run(feeds); });
        var ortCpu = CpuTime(rounds, () => { using var r = session.Run(feeds); });
        Thread.Sleep(100);
        Forward();
        var again = Time(rounds, () => Forward());
        var againCpu = CpuTime(rounds, () => Forward());
        double ortMedian = QuickCommand.Median(ort), ours = QuickCommand.Median(again);
        Console.WriteLine($"  ONNX Runtime {ortMedian:0.00} ms (min {ort.Min():0.00}); this backend again {ours:0.00} ms (min {again.Min():0.00}); ratio {ours / ortMedian:0.00}x");
        Console.WriteLine($"  ONNX Runtime from the ONNX file to the first result {ortFirstMs:0} ms (this backend from its checkpoint {firstMs:0} ms)");
        if (cpuClock)
        {
            double ortC = QuickCommand.Median(ortCpu), oursC = QuickCommand.Median(againCpu);
            Console.WriteLine($"  one thread, calling thread's cpu: ONNX Runtime {ortC:0.00} ms, this backend {oursC:0.00} ms; ratio {oursC / ortC:0.00}x");
        }
    }

    private const string ReorderKind = "input reorder (NCHW to NCHW16c)";
    private const string SumKind = "";

    /// <summary>The plan's deterministic weights as artifacts/profile-NAME.safetensors, a file like any checkpoint.</summary>
    private static string WriteDeterministicWeights(NetworkPlan plan)
    {
        string file = Path.Combine(RepositoryFiles.Artifacts(), $"profile-{plan.Name.ToLowerInvariant()}.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using (var stream = File.Create(file))
            SafetensorsWriter.Write(stream, DeterministicWeights.ForManifest(plan.Parameters).Values, new Dictionary<string, string> { ["format"] = "pt" });
        return file;
    }

    private static double[] CpuTime(int runs, Action run)
    {
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            double start = ThreadClock.Milliseconds();
            run();
            times[i] = ThreadClock.Milliseconds() - start;
        }
        return times;
    }

    private static double[] Time(int runs, Action run) => QuickCommand.Time(0, runs, run);
}
