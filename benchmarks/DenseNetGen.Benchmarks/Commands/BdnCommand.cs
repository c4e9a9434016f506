using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DenseNetGen.Benchmarks.Bdn;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// BenchmarkDotNet: DenseNet121 batch 1 on each backend, and ONNX Runtime on the same weights when
/// artifacts/densenet121.onnx exists. Optional and slow on the CPU accelerator (seconds per pass), so CI never runs it.
/// </summary>
internal static class BdnCommand
{
    public static Command Create()
    {
        var onnx = new Option<FileInfo?>("--onnx") { Description = "ONNX file for the ONNX Runtime peer (default: artifacts/densenet121.onnx)" };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Measured iterations per benchmark", DefaultValueFactory = _ => 5 };
        var command = new Command("bdn", "BenchmarkDotNet: DenseNet121 batch 1 per backend, and ONNX Runtime") { onnx, iterations };
        command.SetAction(parsed =>
        {
            var artifacts = RepositoryFiles.Artifacts();
            var model = parsed.GetValue(onnx)?.FullName ?? Path.Combine(artifacts, "densenet121.onnx");
            var types = new List<Type> { typeof(DenseNet121Benchmark) };
            if (File.Exists(model))
            {
                OnnxRuntimeBenchmark.ModelPath = model;
                types.Add(typeof(OnnxRuntimeBenchmark));
            }
            else
            {
                Console.WriteLine($"ONNX Runtime skipped: {model} not found (make it with `/usr/bin/python3 tools/export_onnx.py`).");
            }
            var summaries = BenchmarkRunner.Run([.. types], Config(parsed.GetValue(iterations), Path.Combine(artifacts, "bdn")));
            return summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success)) ? 0 : 1;
        });
        return command;
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
            .WithArtifactsPath(artifacts);
}
