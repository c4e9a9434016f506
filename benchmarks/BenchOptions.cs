using System.CommandLine;
using DenseNetGen.Execution;
using DenseNetGen.Zoo;

namespace DenseNetGen.Benchmarks;

/// <summary>--device and --models, shared by the commands.</summary>
internal static class BenchOptions
{
    public static Option<string> Device() => new("--device", "-d")
    {
        Description = "auto | cpu | opencl | cuda",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DeviceKindParser.EnvironmentVariable) ?? "auto",
    };

    public static Option<string[]> Models() => new("--models", "-m")
    {
        Description = "Zoo models (default: all)",
        AllowMultipleArgumentsPerToken = true,
    };

    public static ComputeDevice Open(string device) => ComputeDevice.Open(DeviceKindParser.Parse(device, "--device"));

    public static IReadOnlyList<ZooModel> Select(string[]? names) =>
        names is null || names.Length == 0
            ? DenseNets.Models
            : [.. names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(DenseNets.Find)];

    /// <summary>The zoo model with deterministic weights (the ones PyTorch's parity references were made with).</summary>
    public static DenseNetModel Synthetic(ZooModel model, ComputeDevice device) =>
        model.Create(Checkpoints.CheckpointBinder.Bind(Checkpoints.DeterministicWeights.ForManifest(model.Definition.Parameters), model.Definition), device);
}
