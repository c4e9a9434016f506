using DenseNetGen.Backends;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// One run, one report: every model at every batch on this project's backends, ONNX Runtime (CPU EP, all graph
/// optimizations) and PyTorch (a /usr/bin/python3 subprocess), one after another on the same deterministic weights
/// and input with the same thread count. Each timed block follows a pause and one untimed call (ONNX Runtime's
/// workers spin ~40 ms after a run and would slow whoever runs next). Writes artifacts/compare.md and compare.svg,
/// then fails (exit 1, one line) when a runner's logits disagree with the reference runner's beyond the parity bar.
/// </summary>
internal static class CompareCommand
{
    private const int PauseMs = 200;

    public static Command Create()
    {
        var models = BenchOptions.Models("the zoo");
        var batches = new Option<int[]>("--batches", "-b") { Description = "Batch sizes", DefaultValueFactory = _ => [1, 8], AllowMultipleArgumentsPerToken = true };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs per block", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each block's pause at least (the first compiles kernels); more until the JIT has been quiet for 300 ms", DefaultValueFactory = _ => 1 };
        var threads = BenchOptions.Threads();
        var devices = new Option<string[]>("--devices")
        {
            Description = "This project's backends, comma-separated (cpu, ilgpu-cpu, opencl, cuda; default: every one present)",
            AllowMultipleArgumentsPerToken = true,
        };
        var noOnnx = new Option<bool>("--no-onnx") { Description = "Leave out ONNX Runtime" };
        var noTorch = new Option<bool>("--no-pytorch") { Description = "Leave out PyTorch" };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for compare.md and compare.svg (default: artifacts/)" };
        var command = new Command("compare", "This project on every backend beside ONNX Runtime and PyTorch, one report")
            { models, batches, iterations, warmup, threads, devices, noOnnx, noTorch, output };
        command.SetAction(parsed =>
        {
            int runs = parsed.GetValue(iterations), warm = parsed.GetValue(warmup);
            var sizes = parsed.GetValue(batches)!;
            if (runs < 1 || warm < 0 || sizes.Length == 0 || sizes.Any(b => b < 1))
                throw new ArgumentException("--iterations and --batches must be at least 1, --warmup at least 0.");
            int requested = parsed.GetValue(threads);
            if (requested < 0) throw new ArgumentException("--threads must be 0 (one per physical core) or more.");
            var settings = new Settings(sizes, runs, warm, requested > 0 ? requested : SimdThreads.Default);
            var kinds = DeviceKinds(parsed.GetValue(devices));
            var networks = BenchNetwork.Select(parsed.GetValue(models), BenchNetwork.Zoo);
            string folder = parsed.GetValue(output)?.FullName ?? RepositoryFiles.Artifacts();
            var disagreement = Run(networks, kinds, settings, !parsed.GetValue(noOnnx), !parsed.GetValue(noTorch), folder);
            if (disagreement is null) return 0;
            Console.Error.WriteLine($"densenet-bench compare: {disagreement}");
            return 1;
        });
        return command;
    }

    private sealed record Settings(int[] Batches, int Runs, int Warmup, int Threads);

    /// <summary>Times every runner and writes the report; returns the first disagreement of outputs, or null.</summary>
    private static string? Run(IReadOnlyList<BenchNetwork> networks, DeviceKind[] kinds, Settings settings, bool onnx, bool torch, string folder)
    {
        string started = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm}Z", loadBefore = BenchOptions.LoadAverage();
        Console.WriteLine($"{settings.Threads} threads; batches {string.Join(", ", settings.Batches)}; {settings.Warmup} warm-up, pause, 1 untimed + {settings.Runs} timed runs per block; " +
            $"{Environment.ProcessorCount} logical cores; load average {loadBefore}; {started}");
        var devices = kinds.Select(k => BenchOptions.Open(Name(k), threads: settings.Threads)).ToArray();
        var rows = new List<CompareRow>();
        var notes = new List<string>();
        try
        {
            foreach (var network in networks)
            {
                var checkpoint = CheckpointBinder.Bind(DeterministicWeights.ForManifest(network.Definition.Parameters), network.Definition);
                string? onnxFile = onnx ? OnnxFile(network, notes) : null;
                foreach (int batch in settings.Batches)
                {
                    if (onnxFile is not null) Add(rows, TimeOnnx(network, onnxFile, batch, settings));
                    foreach (var device in devices) Add(rows, TimeDevice(network, checkpoint, device, batch, settings));
                }
                if (torch) foreach (var row in TimePyTorch(network, settings, notes)) Add(rows, row);
            }
        }
        finally
        {
            foreach (var device in devices) device.Dispose();
        }
        var header = new CompareReport.Header(started, loadBefore, BenchOptions.LoadAverage(), Environment.ProcessorCount, settings.Threads, settings.Runs,
            settings.Warmup, [.. devices.Select(d => $"{Name(d.Kind)}: {d.Description}")], notes);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "compare.md"), CompareReport.Markdown(rows, header));
        File.WriteAllText(Path.Combine(folder, "compare.svg"), CompareReport.Svg(rows, header));
        foreach (var note in notes) Console.WriteLine(note);
        Console.WriteLine($"wrote {Path.Combine(folder, "compare.md")} and compare.svg");
        return OutputAgreement.FirstDisagreement(rows);
    }

    private static void Add(List<CompareRow> rows, CompareRow row)
    {
        rows.Add(row);
        var onnx = rows.FirstOrDefault(r => r.Model == row.Model && r.Batch == row.Batch && r.Runner == CompareRow.OnnxRuntime);
        Console.WriteLine($"{row.Model,-22}{row.Batch,4}  {row.Runner,-34}{row.Median,10:0.00} ms (min {row.Min:0.00}){row.ImagesPerSecond,9:0.0}/s" +
            $"{(onnx is null ? "" : $"{row.Median / onnx.Median,7:0.00}x ORT")}{(row.PeakBytes is { } p ? $"  peak +{p / 1e6:0} MB" : "")}" +
            $"{(row.ActivationBytes is { } a ? $"  activations {a / 1e6:0.0} MB" : "")}");
    }

    /// <summary>Every backend present: the SIMD CPU backend and ILGPU's CPU accelerator always, OpenCL and CUDA when a usable device exists.</summary>
    private static DeviceKind[] DeviceKinds(string[]? lists)
    {
        var names = (lists ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (names.Length > 0) return [.. names.Select(n => DeviceKindParser.Parse(n, "--devices")).Distinct()];
        var present = ComputeDevice.ListDevices().Where(d => d.Usable).Select(d => d.Backend).ToHashSet();
        return [.. new[] { DeviceKind.Cpu, DeviceKind.Cuda, DeviceKind.OpenCL, DeviceKind.IlgpuCpu }.Where(present.Contains)];
    }

    private static string Name(DeviceKind kind) => kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.IlgpuCpu => "ilgpu-cpu",
        DeviceKind.OpenCL => "opencl",
        DeviceKind.Cuda => "cuda",
        _ => "auto",
    };

    private static double[] TimeBlock(Action run, Settings settings)
    {
        JitWarmup.Run(settings.Warmup, run);
        Thread.Sleep(PauseMs);
        return QuickCommand.Time(1, settings.Runs, run);
    }

    private static CompareRow TimeDevice(BenchNetwork network, BoundCheckpoint checkpoint, ComputeDevice device, int batch, Settings settings)
    {
        var plan = network.Definition;
        int size = plan.InputSize;
        var input = DeterministicWeights.Input(batch, plan.InChannels, size, size);
        using var runner = new PlanExecutor(plan, checkpoint, device);
        ProcessMemory.Reset();
        float[] logits = [];
        var times = TimeBlock(() => logits = runner.Run(input, batch, size, size, featuresOnly: false), settings);
        long? activations = runner.Prepared is SimdNetwork simd ? simd.ActivationBytes(PlanGeometry.Compute(plan, batch, size, size)) : null;
        return new CompareRow(plan.Name, batch, $"DenseNetGen {Name(device.Kind)}", times, ProcessMemory.PeakAboveBaseline(), activations, logits);
    }

    private static CompareRow TimeOnnx(BenchNetwork network, string file, int batch, Settings settings)
    {
        var plan = network.Definition;
        int size = plan.InputSize;
        using var options = new SessionOptions { IntraOpNumThreads = settings.Threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(file, options);
        var input = new DenseTensor<float>(DeterministicWeights.Input(batch, plan.InChannels, size, size), [batch, plan.InChannels, size, size]);
        NamedOnnxValue[] feeds = [NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)];
        ProcessMemory.Reset();
        var times = TimeBlock(() => { using var results = session.Run(feeds); }, settings);
        long? peak = ProcessMemory.PeakAboveBaseline();
        using var last = session.Run(feeds); // once more, untimed, for the logits
        return new CompareRow(plan.Name, batch, CompareRow.OnnxRuntime, times, peak, null, [.. last.First().AsEnumerable<float>()]);
    }

    /// <summary>
    /// artifacts/&lt;name&gt;.onnx, exported by tools/export_onnx.py unless the file is there with a recorded source hash
    /// (&lt;name&gt;.onnx.source) equal to the spec's and builders' hash now (`export_onnx.py --source-hash`): a file
    /// built from another spec or weight formula is rebuilt, not timed. Null (with a note) when exporting fails.
    /// </summary>
    private static string? OnnxFile(BenchNetwork network, List<string> notes)
    {
        string file = Path.Combine(RepositoryFiles.Artifacts(), network.Definition.Name.ToLowerInvariant() + ".onnx");
        if (SpecFile(network) is not { } spec)
        {
            notes.Add($"ONNX Runtime skipped for {network.Definition.Name}: no spec file was found to check or export {file}.");
            return null;
        }
        var (hashExit, hash, hashError) = Python(["tools/export_onnx.py", "--source-hash", spec]);
        if (hashExit != 0)
        {
            notes.Add($"ONNX Runtime skipped for {network.Definition.Name}: tools/export_onnx.py --source-hash failed ({LastLine(hashError)}).");
            return null;
        }
        if (File.Exists(file) && RecordedSource(file) == hash.Trim()) return file;
        var (exit, _, error) = Python(["tools/export_onnx.py", spec]);
        if (exit == 0 && File.Exists(file) && RecordedSource(file) == hash.Trim()) return file;
        notes.Add($"ONNX Runtime skipped for {network.Definition.Name}: tools/export_onnx.py failed ({LastLine(error)}).");
        return null;
    }

    private static string? RecordedSource(string onnxFile) =>
        File.Exists(onnxFile + ".source") ? File.ReadAllText(onnxFile + ".source").Trim() : null;

    private static IEnumerable<CompareRow> TimePyTorch(BenchNetwork network, Settings settings, List<string> notes)
    {
        if (SpecFile(network) is not { } spec)
        {
            notes.Add($"PyTorch skipped for {network.Definition.Name}: no spec file found.");
            return [];
        }
        string[] arguments = ["tools/bench_pytorch.py", spec, "--json", "--runs", $"{settings.Runs}", "--warmup", $"{settings.Warmup}",
            "--threads", $"{settings.Threads}", "--pause-ms", $"{PauseMs}", "--batch", .. settings.Batches.Select(b => $"{b}")];
        var (exit, output, error) = Python(arguments);
        if (exit != 0)
        {
            notes.Add($"PyTorch skipped for {network.Definition.Name}: tools/bench_pytorch.py exited {exit} ({LastLine(error)}).");
            return [];
        }
        var rows = new List<CompareRow>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var peak = root.GetProperty("peak_rss_bytes");
            rows.Add(new CompareRow(network.Definition.Name, root.GetProperty("batch").GetInt32(), $"PyTorch {root.GetProperty("version").GetString()}",
                [.. root.GetProperty("times_ms").EnumerateArray().Select(t => t.GetDouble())], peak.ValueKind == JsonValueKind.Number ? peak.GetInt64() : null, null,
                [.. root.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle())]));
        }
        return rows;
    }

    private static string? SpecFile(BenchNetwork network)
    {
        if (RepositoryFiles.Root() is not { } root) return null;
        foreach (var folder in new[] { "specs", Path.Combine("tests", "specs") })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.densenet.json"))
            {
                using var json = JsonDocument.Parse(File.ReadAllBytes(file));
                if (json.RootElement.TryGetProperty("name", out var name) && name.GetString() == network.Definition.Name) return file;
            }
        return null;
    }

    /// <summary>Runs /usr/bin/python3 (Debian's, with torch) in the repository root.</summary>
    private static (int Exit, string Output, string Error) Python(string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryFiles.Root() ?? "." };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
}
