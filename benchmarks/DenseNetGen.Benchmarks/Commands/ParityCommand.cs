using DenseNetGen.Backends;
using System.CommandLine;
using System.Diagnostics;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Inference;
using DenseNetGen.Parity;
using DenseNetGen.Tests;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// Every spec with a parity reference (the zoo and the test specs), with deterministic weights, against
/// PyTorch's recorded outputs on one device, held to the test suite's FP32 bar (<see cref="Tolerance.Fp32"/>: max |Δ| ≤ 5e-6·max(1, max|ref|))
/// for logits and for features, and the same top-1. On a device other than <see cref="DeviceKind.Cpu"/> (the SIMD
/// CPU backend) the outputs are also held to the same bar against that backend's, a second reference computed
/// independently of ILGPU. Exit code 1 on any failure: this is the GPU check.
/// </summary>
internal static class ParityCommand
{
    private static readonly double DefaultBar = Tolerance.Fp32.Relative;

    public static Command Create()
    {
        var device = BenchOptions.Device();
        var models = BenchOptions.Models("every spec with a reference");
        var references = new Option<DirectoryInfo?>("--references") { Description = "Folder of PyTorch references (default: tests/references/parity above the current folder or the executable)" };
        var noCpu = new Option<bool>("--no-cpu-compare") { Description = "Skip the comparison with the SIMD CPU backend (cpu)" };
        var precision = BenchOptions.Precision();
        var bar = new Option<double>("--bar") { Description = $"Largest relative |Δ| that passes (default {DefaultBar:0e0}, the FP32 bar; TF32 runs are held to a looser one)", DefaultValueFactory = _ => DefaultBar };
        var command = new Command("parity", "Outputs of every spec against PyTorch's references, on one device") { device, models, references, noCpu, precision, bar };
        command.SetAction(parsed =>
        {
            var folder = parsed.GetValue(references)?.FullName ?? RepositoryFiles.ParityReferences();
            var networks = BenchNetwork.Select(parsed.GetValue(models), [.. BenchNetwork.All.Where(n => HasReference(folder, n))]);
            double limit = parsed.GetValue(bar);
            if (!(limit > 0)) throw new ArgumentException("--bar must be positive.");
            using var target = BenchOptions.Open(parsed.GetValue(device)!, parsed.GetValue(precision)!);
            using var cpu = target.Kind == DeviceKind.Cpu || parsed.GetValue(noCpu) ? null : ComputeDevice.Open(DeviceKind.Cpu);
            Console.WriteLine($"device: {target.Description}");
            Console.WriteLine($"references: {folder}; bar: relative |Δ| ≤ {limit:0e0}, relative = |Δ| / max(1, max|ref|)" +
                              (cpu is null ? "; no comparison with the SIMD CPU backend" : "; also against the SIMD CPU backend (vs cpu)"));
            Console.WriteLine($"{"model",-22}{"case",-16}{"logits |Δ|",11}{"rel",9}{"feat |Δ|",11}{"rel",9}{"top-1",7}{"vs cpu rel",12}{"ms",9}  verdict");
            bool ok = true;
            foreach (var network in networks)
            {
                // A named model without a reference fails alone: the others still report (the GPU check's TF32
                // references are made on the spot, and one that failed must not hide the rest).
                if (!HasReference(folder, network))
                {
                    Console.WriteLine($"{network.Definition.Name,-22}no reference {network.Definition.Name}.json in {folder}  FAIL");
                    ok = false;
                    continue;
                }
                var reference = ParityReference.Load(folder, network.Definition.Name);
                using var model = network.CreateDeterministic(target);
                using var onCpu = cpu is null ? null : network.CreateDeterministic(cpu);
                foreach (var c in reference.Cases)
                    ok &= Check(network.Definition.Name, model, onCpu, c, limit);
            }
            Console.WriteLine(ok ? "parity: PASS" : "parity: FAIL");
            return ok ? 0 : 1;
        });
        return command;
    }

    private static bool HasReference(string folder, BenchNetwork network) =>
        File.Exists(Path.Combine(folder, network.Definition.Name + ".json"));

    private static bool Check(string name, DenseNetModel model, DenseNetModel? onCpu, ParityCase c, double bar)
    {
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
        var clock = Stopwatch.StartNew();
        var output = model.Infer(input, c.Batch, c.InputShape[2], c.InputShape[3]);
        double ms = clock.Elapsed.TotalMilliseconds;
        var logits = Delta.Of(c.Logits, output.Logits);
        var features = Delta.Of(c.Features, output.Features);
        int classes = model.Plan.NumClasses;
        bool sameTop1 = Enumerable.Range(0, c.Batch).All(n => Top1(c.Logits, n, classes) == Top1(output.Logits, n, classes));
        bool pass = logits.Relative <= bar && features.Relative <= bar && sameTop1;
        string vsCpu = "";
        if (onCpu is not null)
        {
            var host = onCpu.Infer(input, c.Batch, c.InputShape[2], c.InputShape[3]);
            double worst = Math.Max(Delta.Of(host.Logits, output.Logits).Relative, Delta.Of(host.Features, output.Features).Relative);
            pass &= worst <= bar;
            vsCpu = worst.ToString("0.0e0");
        }
        Console.WriteLine($"{name,-22}{c,-16}{logits.Absolute,11:0.0e0}{logits.Relative,9:0.0e0}{features.Absolute,11:0.0e0}{features.Relative,9:0.0e0}" +
                          $"{(sameTop1 ? "same" : "DIFF"),7}{vsCpu,12}{ms,9:0.0}  {(pass ? "PASS" : "FAIL")}");
        return pass;
    }

    private static int Top1(float[] logits, int row, int classes) => Scores.TopK(logits.AsSpan(row * classes, classes), 1)[0];

    /// <summary>Max |Δ| and that divided by max(1, max|expected|), the parity bar's scale.</summary>
    private readonly record struct Delta(double Absolute, double Relative)
    {
        public static Delta Of(float[] expected, float[] actual)
        {
            if (expected.Length != actual.Length) return new(double.PositiveInfinity, double.PositiveInfinity);
            double worst = 0, scale = 1;
            for (int i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
                scale = Math.Max(scale, Math.Abs((double)expected[i]));
            }
            return new(worst, worst / scale);
        }
    }
}
