using System.Text.Json;

namespace DenseNetGen.Parity;

/// <summary>
/// PyTorch's outputs for one spec with deterministic weights (tests/references/parity/NAME.json, made by
/// tools/make_references.py): per input shape, the logits and pooled features, row-major. Also compiled
/// into the benchmarks, whose parity command is the GPU check.
/// </summary>
internal sealed record ParityReference(string Name, IReadOnlyList<ParityCase> Cases)
{
    public static ParityReference Load(string directory, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, name + ".json")));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ParityCase(
            [.. c.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32())],
            Flatten(c.GetProperty("logits")),
            Flatten(c.GetProperty("features")))).ToList();
        return new ParityReference(name, cases);
    }

    private static float[] Flatten(JsonElement rows) =>
        [.. rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];
}

internal sealed record ParityCase(int[] InputShape, float[] Logits, float[] Features)
{
    public int Batch => InputShape[0];
    public override string ToString() => $"[{string.Join("x", InputShape)}]";
}
