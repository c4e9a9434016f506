using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Checkpoints;
using DenseNetGen.Inference;
using DenseNetGen.Parity;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// Every zoo model with deterministic weights against PyTorch's recorded outputs on one device, with the
/// test suite's bar (max |Δ| ≤ 1e-4·max(1, max|reference|), same top-1); optionally against the CPU
/// accelerator too. Exit code 1 on any failure: this is the GPU check.
/// </summary>
internal static class ParityCommand
{
    private const double Bar = 1e-4;

    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models();
        var references = new Option<DirectoryInfo?>("--references") { Description = "Folder of PyTorch references (default: tests/references/parity above the current folder)" };
        var cpu = new Option<bool>("--compare-cpu") { Description = "Also compare with the CPU accelerator's outputs" };
        var command = new Command("parity", "Outputs of every zoo model against PyTorch's, on one device") { device, models, references, cpu };
        command.SetAction(parsed =>
        {
            var folder = parsed.GetValue(references)?.FullName ?? FindReferences();
            using var target = BenchOptions.Open(parsed.GetValue(device)!);
            using var host = parsed.GetValue(cpu) ? BenchOptions.Open("cpu") : null;
            Console.WriteLine($"device: {target.Description}");
            Console.WriteLine($"{"model",-22}{"case",-16}{"logits |Δ|",12}{"features |Δ|",14}{"bar",10}{"top-1",7}{"vs cpu |Δ|",12}{"ms",9}  verdict");
            bool ok = true;
            foreach (var zooModel in BenchOptions.Select(parsed.GetValue(models)))
            {
                var reference = ParityReference.Load(folder, zooModel.Definition.Name);
                using var model = BenchOptions.Synthetic(zooModel, target);
                using var onHost = host is null ? null : BenchOptions.Synthetic(zooModel, host);
                foreach (var c in reference.Cases)
                    ok &= Check(zooModel.Definition.Name, model, onHost, c);
            }
            Console.WriteLine(ok ? "parity: PASS" : "parity: FAIL");
            return ok ? 0 : 1;
        });
        return command;
    }

    private static bool Check(string name, DenseNetModel model, DenseNetModel? onHost, ParityCase c)
    {
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
        var clock = Stopwatch.StartNew();
        var output = model.Infer(input, c.Batch, c.InputShape[2], c.InputShape[3]);
        double ms = clock.Elapsed.TotalMilliseconds;
        double logits = MaxDelta(c.Logits, output.Logits), features = MaxDelta(c.Features, output.Features);
        double bar = Bar * Math.Max(1, Math.Max(c.Logits.Max(Math.Abs), c.Features.Max(Math.Abs)));
        int classes = model.Plan.NumClasses;
        bool sameTop1 = Enumerable.Range(0, c.Batch).All(n =>
            Scores.TopK(c.Logits.AsSpan(n * classes, classes), 1)[0] == Scores.TopK(output.Logits.AsSpan(n * classes, classes), 1)[0]);
        string hostDelta = "";
        if (onHost is not null)
        {
            var reference = onHost.Infer(input, c.Batch, c.InputShape[2], c.InputShape[3]);
            hostDelta = MaxDelta(reference.Logits, output.Logits).ToString("0.0e0");
        }
        bool pass = logits <= bar && features <= bar && sameTop1;
        Console.WriteLine($"{name,-22}{c,-16}{logits,12:0.0e0}{features,14:0.0e0}{bar,10:0.0e0}{(sameTop1 ? "same" : "DIFF"),7}{hostDelta,12}{ms,9:0.0}  {(pass ? "PASS" : "FAIL")}");
        return pass;
    }

    private static double MaxDelta(float[] expected, float[] actual) =>
        expected.Length != actual.Length ? double.PositiveInfinity : expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();

    private static string FindReferences()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "references", "parity");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException("tests/references/parity not found above the current folder; pass --references.");
    }
}
