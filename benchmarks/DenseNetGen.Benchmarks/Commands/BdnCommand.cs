using System.CommandLine;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DenseNetGen.Benchmarks.Bdn;
using Microsoft.ML.OnnxRuntime;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// BenchmarkDotNet: DenseNet121 batch 1 on each backend, and ONNX Runtime on the same weights when
/// artifacts/densenet121.onnx exists. Optional and slow on ILGPU's CPU accelerator (ilgpu-cpu: seconds per pass), so CI never runs it.
/// </summary>
internal static class BdnCommand
{
    public static Command Create()
    {
        var onnx = new Option<FileInfo?>("--onnx") { Description = "ONNX file for the ONNX Runtime peer (default: artifacts/densenet121.onnx)" };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Measured iterations per benchmark", DefaultValueFactory = _ => 5 };
        var command = new Command("bdn", "BenchmarkDotNet: DenseNet121 batch 1 per backend, and ONNX Runtime; other arguments go to BenchmarkDotNet (e.g. --filter '*Onnx*')")
        {
            onnx, iterations,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parsed =>
        {
            var artifacts = RepositoryFiles.Artifacts();
            var model = parsed.GetValue(onnx)?.FullName ?? Path.Combine(artifacts, "densenet121.onnx");
            var types = new List<Type> { typeof(DenseNet121Benchmark) };
            if (OnnxRuntimeMissing(model) is { } reason)
            {
                Console.WriteLine($"ONNX Runtime skipped: {reason}.");
            }
            else
            {
                OnnxRuntimeBenchmark.ModelPath = model;
                types.Add(typeof(OnnxRuntimeBenchmark));
            }
            // Without a filter BenchmarkDotNet asks which benchmarks to run; the default is all of them.
            string[] switches = parsed.UnmatchedTokens.Count > 0 ? [.. parsed.UnmatchedTokens] : ["--filter", "*"];
            var summaries = BenchmarkSwitcher.FromTypes([.. types]).Run(switches, Config(parsed.GetValue(iterations), Path.Combine(artifacts, "bdn")));
            return summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success)) ? 0 : 1;
        });
        return command;
    }

    private static string? OnnxRuntimeMissing(string model)
    {
        if (!File.Exists(model)) return $"{model} not found (make it with `/usr/bin/python3 tools/export_onnx.py`)";
        if (!NativeLibrary.TryLoad("onnxruntime", typeof(InferenceSession).Assembly, null, out var handle))
            return "its native library is not in this build (the single-file GPU-check build leaves it out)";
        NativeLibrary.Free(handle);
        return null;
    }

    /// <summary>
    /// In-process (the published single file has no project for BenchmarkDotNet to rebuild), one invocation
    /// per iteration: a DenseNet121 pass takes from milliseconds (ONNX Runtime, GPUs) to seconds (the CPU
    /// accelerator), so the pilot stage's invocation counts would only stretch the run.
    /// </summary>
    private static IConfig Config(int iterations, string artifacts) =>
        ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithWarmupCount(1)
                .WithIterationCount(iterations)
                .WithInvocationCount(1)
                .WithUnrollFactor(1))
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min)
            .WithArtifactsPath(artifacts);
}
