using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads a checkpoint (PyTorch zip or legacy .pth, .safetensors), detects its key convention,
/// renames its tensors to canonical names and checks them strictly against a plan's manifest.
/// </summary>
/// <remarks>
/// Strict like PyTorch's load_state_dict: missing keys, unexpected keys and shape mismatches are all
/// reported together in one <see cref="CheckpointException"/>. num_batches_tracked buffers are ignored.
/// </remarks>
public static class CheckpointBinder
{
    private const int MaxListed = 20;
    private const string DataParallelPrefix = "module.";

    public static BoundCheckpoint Bind(string path, NetworkPlan plan) => Bind(CheckpointReader.ReadAll(path), plan);

    public static BoundCheckpoint Bind(Stream stream, string displayName, NetworkPlan plan) =>
        Bind(CheckpointReader.ReadAll(stream, displayName), plan);

    /// <summary>Checks tensors that are already in canonical naming.</summary>
    public static BoundCheckpoint Bind(IReadOnlyDictionary<string, Tensor> canonical, NetworkPlan plan) =>
        Bind(new CheckpointContents("in-memory tensors", "tensors", canonical, new Dictionary<string, string>()), plan);

    /// <summary>Binds tensors already read by <see cref="CheckpointReader"/>.</summary>
    public static BoundCheckpoint Bind(CheckpointContents contents, NetworkPlan plan)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(plan);
        var manifest = plan.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var keys = contents.Tensors.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        var prefix = keys.Count > 0 && keys.All(k => k.StartsWith(DataParallelPrefix, StringComparison.Ordinal)) ? DataParallelPrefix : "";
        var unprefixed = keys.Select(k => k[prefix.Length..]).ToList();

        var (convention, map) = KeyConvention.All
            .Select(c => (Convention: c, Map: c.MapperFor(unprefixed)))
            .MaxBy(c => unprefixed.Count(k => c.Map(k) is { } name && manifest.ContainsKey(name)));

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (map(unprefixed[i]) is not { } name || !manifest.TryGetValue(name, out var parameter))
            {
                unexpected.Add(keys[i]);
                continue;
            }
            if (sources.TryGetValue(name, out var other))
            {
                unexpected.Add($"{keys[i]} (duplicates {other})");
                continue;
            }
            var tensor = contents.Tensors[keys[i]];
            sources[name] = keys[i];
            if (!tensor.Shape.SequenceEqual(parameter.Shape))
                mismatched.Add($"{keys[i]}: checkpoint [{string.Join(", ", tensor.Shape)}] vs model [{string.Join(", ", parameter.Shape)}]");
            else
                tensors[name] = new Tensor(name, [.. tensor.Shape], tensor.Data);
        }
        var missing = plan.Parameters.Where(p => !sources.ContainsKey(p.Name)).Select(p => p.ToString()).ToList();

        var conventionName = convention is TorchvisionConvention && contents.Format == SafetensorsReader.Format ? "timm" : convention.Name;
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
            throw new CheckpointException(contents.Source, Describe(plan.Name, conventionName, missing, unexpected, mismatched))
            {
                MissingKeys = missing,
                UnexpectedKeys = unexpected,
                MismatchedKeys = mismatched,
            };

        var ordered = plan.Parameters.ToDictionary(p => p.Name, p => tensors[p.Name], StringComparer.Ordinal);
        return new BoundCheckpoint(ordered, contents.Source, contents.Format, conventionName);
    }

    private static string Describe(string model, string convention, List<string> missing, List<string> unexpected, List<string> mismatched)
    {
        var sections = new[] { ("missing keys", missing), ("unexpected keys", unexpected), ("shape mismatches", mismatched) }
            .Where(s => s.Item2.Count > 0).ToList();
        // Each kind of problem gets its share of the listing, so a flood of one kind does not hide the others.
        int share = Math.Max(1, MaxListed / sections.Count);
        var lines = sections.Select(s =>
        {
            var (title, items) = s;
            var shown = items.Take(share).ToList();
            var more = items.Count > shown.Count ? $"{Environment.NewLine}    and {items.Count - shown.Count} more" : "";
            return $"  {items.Count} {title}:{string.Concat(shown.Select(i => Environment.NewLine + "    " + i))}{more}";
        });
        var counts = string.Join(", ", sections.Select(s => $"{s.Item2.Count} {s.Item1}"));
        return $"does not fit {model} (keys read as {convention} naming): {counts}{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }
}

/// <summary>Canonically named tensors that match a plan's manifest, and where they came from.</summary>
/// <param name="Tensors">Canonical name → float32 tensor, in the manifest's order.</param>
/// <param name="Source">The file or stream name.</param>
/// <param name="Format">"torch-zip", "torch-legacy", "safetensors" (or "tensors" for in-memory input).</param>
/// <param name="Convention">"torchvision", "torchvision-legacy", "mmpretrain" or "timm".</param>
public sealed record BoundCheckpoint(IReadOnlyDictionary<string, Tensor> Tensors, string Source, string Format, string Convention);
