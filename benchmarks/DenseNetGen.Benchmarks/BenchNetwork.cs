using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;
using DenseNetGen.Zoo;

namespace DenseNetGen.Benchmarks;

/// <summary>A generated network the benchmarks can build with deterministic weights, and the names it answers to.</summary>
internal sealed record BenchNetwork(
    IReadOnlyList<string> Names,
    NetworkPlan Definition,
    Func<IReadOnlyDictionary<string, Tensor>, ComputeDevice, DenseNetModel> FromTensors)
{
    /// <summary>The zoo, in its order.</summary>
    public static IReadOnlyList<BenchNetwork> Zoo { get; } =
        [.. DenseNets.Models.Select(m => new BenchNetwork(
            [.. m.Names, m.Definition.Name], m.Definition, (t, d) => m.Create(CheckpointBinder.Bind(t, m.Definition), d)))];

    /// <summary>The zoo and the test specs: every spec with a parity reference.</summary>
    public static IReadOnlyList<BenchNetwork> All { get; } =
    [
        .. Zoo,
        new([TinyCifarNet.Definition.Name], TinyCifarNet.Definition, TinyCifarNet.FromTensors),
        new([OddImageNet.Definition.Name], OddImageNet.Definition, OddImageNet.FromTensors),
    ];

    public string Name => Names[0];

    /// <summary>The networks named in comma-separated lists (any of their names, any case), or all of <paramref name="fallback"/>.</summary>
    public static IReadOnlyList<BenchNetwork> Select(string[]? lists, IReadOnlyList<BenchNetwork> fallback)
    {
        var names = (lists ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        return names.Length == 0 ? fallback : [.. names.Select(Find)];
    }

    private static BenchNetwork Find(string name) =>
        All.FirstOrDefault(n => n.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", All.Select(n => n.Name))}.");

    /// <summary>The network with the deterministic weights PyTorch's parity references were made with.</summary>
    public DenseNetModel CreateDeterministic(ComputeDevice device) =>
        FromTensors(DeterministicWeights.ForManifest(Definition.Parameters), device);
}
