using System.Text;
using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reproducible pseudo-random weights and inputs, filled by canonical name: they let tests and benchmarks
/// run full-size nets without a checkpoint. This is the C# twin of tools/deterministic.py: PyTorch's parity
/// references were made from the Python values, so these must match them bit for bit (every value is
/// computed in double and rounded once to float).
/// </summary>
internal static class DeterministicWeights
{
    /// <summary>The values of the parameter or BN buffer <paramref name="name"/>, chosen by its name suffix.</summary>
    public static float[] Values(string name, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        Func<double, double> rule = (name, leaf, shape.Count) switch
        {
            (_, "weight", 2) when name.StartsWith(LayerNames.Classifier + ".", StringComparison.Ordinal) => ScaledSymmetric(1.0 / shape[1]),
            (_, "bias", _) when name.StartsWith(LayerNames.Classifier + ".", StringComparison.Ordinal) => Centered,
            (_, "weight", 4) => ScaledSymmetric(6.0 / (shape[1] * shape[2] * shape[3])),
            (_, "weight" or "running_var", 1) => u => 0.5 + u,
            (_, "bias" or "running_mean", 1) => Centered,
            _ => throw new ArgumentException($"No deterministic rule for parameter '{name}' [{string.Join(", ", shape)}]."),
        };
        return Fill(name, ElementCount(shape), rule);
    }

    /// <summary>The deterministic input tensor [n, c, h, w], row-major: 2u − 1 under the name "input".</summary>
    public static float[] Input(int n, int c, int h, int w) => Fill("input", ElementCount([n, c, h, w]), u => 2 * u - 1);

    /// <summary>Every manifest entry filled by <see cref="Values"/>, keyed by canonical name.</summary>
    public static Dictionary<string, Tensor> ForManifest(IReadOnlyList<ParameterInfo> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var tensors = new Dictionary<string, Tensor>(parameters.Count, StringComparer.Ordinal);
        foreach (var p in parameters)
            tensors.Add(p.Name, new Tensor(p.Name, [.. p.Shape], Values(p.Name, p.Shape)));
        return tensors;
    }

    /// <summary>
    /// The uniform hash u ∈ [0, 1) of element <paramref name="index"/> of the tensor whose <paramref name="seed"/> is
    /// the FNV-1a hash of its name.
    /// </summary>
    public static double Uniform(uint seed, long index)
    {
        uint h = unchecked((uint)index * 2654435761u + seed);
        h ^= h >> 16;
        h = unchecked(h * 0x7feb352du);
        h ^= h >> 15;
        h = unchecked(h * 0x846ca68bu);
        h ^= h >> 16;
        return h / 4294967296.0;
    }

    /// <summary>FNV-1a 32-bit of the name's UTF-8 bytes: the per-tensor seed.</summary>
    public static uint Fnv1a(string name)
    {
        uint h = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
            h = unchecked((h ^ b) * 16777619u);
        return h;
    }

    private static Func<double, double> ScaledSymmetric(double variance)
    {
        double scale = Math.Sqrt(variance);
        return u => (2 * u - 1) * scale;
    }

    private static double Centered(double u) => 0.2 * (u - 0.5);

    private static float[] Fill(string name, int count, Func<double, double> rule)
    {
        uint seed = Fnv1a(name);
        var data = new float[count];
        for (int i = 0; i < count; i++)
            data[i] = (float)rule(Uniform(seed, i));
        return data;
    }

    private static int ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count *= d;
        }
        return checked((int)count);
    }
}
