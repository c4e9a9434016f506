using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads a checkpoint (PyTorch zip or legacy .pth, .safetensors), detects its key convention,
/// renames its tensors to canonical names and checks them strictly against a plan's manifest.
/// </summary>
/// <remarks>
/// Strict like PyTorch's load_state_dict: missing keys, unexpected keys and shape mismatches are all
/// reported together in one <see cref="CheckpointException"/>. num_batches_tracked buffers (and AveragedModel's
/// n_averaged) are ignored.
/// </remarks>
public static class CheckpointBinder
{
    private const int MaxListed = 20;
    private const string DataParallelPrefix = "module.";

    /// <summary>Reads the checkpoint at <paramref name="path"/> and binds it to <paramref name="plan"/>.</summary>
    /// <exception cref="CheckpointException">The file cannot be read, is malformed or hostile, or does not fit the plan.</exception>
    public static BoundCheckpoint Bind(string path, NetworkPlan plan, CheckpointOptions? options = null) =>
        Bind(CheckpointReader.ReadAll(path, options), plan, options);

    /// <summary>Reads a checkpoint from <paramref name="stream"/> (the caller keeps owning it) and binds it.</summary>
    public static BoundCheckpoint Bind(Stream stream, string displayName, NetworkPlan plan, CheckpointOptions? options = null) =>
        Bind(CheckpointReader.ReadAll(stream, displayName, options), plan, options);

    /// <summary>Checks tensors that are already in canonical naming.</summary>
    public static BoundCheckpoint Bind(IReadOnlyDictionary<string, Tensor> canonical, NetworkPlan plan, CheckpointOptions? options = null) =>
        Bind(new CheckpointContents("in-memory tensors", "tensors", canonical, new Dictionary<string, string>()), plan, options);

    /// <summary>Binds tensors already read by <see cref="CheckpointReader"/>. Only the tensors the plan needs are converted.</summary>
    public static BoundCheckpoint Bind(CheckpointContents contents, NetworkPlan plan, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= CheckpointOptions.Default;
        var manifest = plan.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var keys = contents.Tensors.Keys.Where(k => !IsBookkeeping(k)).ToList();
        if (keys.Count == 0 && contents.Unbuildable.Count == 0)
            throw new CheckpointException(contents.Source, contents.OtherEntries.Count > 0
                ? $"holds no tensors (entries: {string.Join(", ", contents.OtherEntries)})"
                : "holds no tensors");
        var prefix = keys.Count > 0 && keys.All(k => k.StartsWith(DataParallelPrefix, StringComparison.Ordinal)) ? DataParallelPrefix : "";
        var unprefixed = keys.Select(k => k[prefix.Length..]).ToList();

        var (convention, map) = KeyConvention.All
            .Select(c => (Convention: c, Map: c.MapperFor(unprefixed)))
            .MaxBy(c => unprefixed.Count(k => c.Map(k) is { } name && manifest.ContainsKey(name)));

        var bound = new Dictionary<string, string>(StringComparer.Ordinal); // canonical name → raw key
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (map(unprefixed[i]) is not { } name || !manifest.TryGetValue(name, out var parameter))
            {
                unexpected.Add(keys[i]);
                continue;
            }
            if (bound.TryGetValue(name, out var other))
            {
                unexpected.Add($"{keys[i]} (duplicates {other})");
                continue;
            }
            bound[name] = keys[i];
            var shape = contents.ShapeOf(keys[i]);
            if (!shape.SequenceEqual(parameter.Shape))
                mismatched.Add($"{keys[i]}: checkpoint [{string.Join(", ", shape)}]{(shape.Contains(0) ? " (no elements)" : "")} vs model [{string.Join(", ", parameter.Shape)}]");
        }
        // A key the model needs whose value only a placeholder global could build (metadata keys are not looked at).
        var placeholders = contents.Unbuildable
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && map(e.Key[prefix.Length..]) is { } name && manifest.ContainsKey(name) && !bound.ContainsKey(name))
            .Select(e => (Name: map(e.Key[prefix.Length..])!, Line: $"{e.Key}: built by {e.Value}, which is never executed"))
            .ToList();
        var missing = plan.Parameters
            .Where(p => !bound.ContainsKey(p.Name) && !placeholders.Any(u => u.Name == p.Name))
            .Select(p => p.ToString()).ToList();

        var conventionName = convention is TorchvisionConvention && contents.Format == SafetensorsReader.Format ? "timm" : convention.Name;
        if (missing.Count + unexpected.Count + mismatched.Count + placeholders.Count > 0)
            throw new CheckpointException(contents.Source, Describe(plan.Name, conventionName, missing, unexpected, mismatched, [.. placeholders.Select(u => u.Line)]))
            {
                MissingKeys = missing,
                UnexpectedKeys = unexpected,
                MismatchedKeys = mismatched,
            };

        var ordered = plan.Parameters.ToDictionary(p => p.Name, p => Renamed(contents.Tensors[bound[p.Name]], p.Name), StringComparer.Ordinal);
        if (!options.AllowNonFinite) RefuseNonFinite(ordered, bound, contents.Source);
        return new BoundCheckpoint(ordered, contents.Source, contents.Format, conventionName)
        {
            Entry = contents.Entry,
            OtherEntries = contents.OtherEntries,
            Placeholders = contents.Placeholders,
            ClassNames = SafetensorsClassNames.Decode(contents.Metadata, plan.NumClasses, contents.Source),
        };
    }

    // BatchNorm's step counter and the sample count of torchvision's AveragedModel (model_ema) are not weights.
    private static bool IsBookkeeping(string key) =>
        key.EndsWith("num_batches_tracked", StringComparison.Ordinal) || key == "n_averaged";

    private static Tensor Renamed(Tensor tensor, string name) => tensor.Name == name ? tensor : new Tensor(name, [.. tensor.Shape], tensor.Data);

    private static void RefuseNonFinite(Dictionary<string, Tensor> tensors, Dictionary<string, string> rawKeys, string source)
    {
        var bad = tensors.Values
            .Select(t => (Key: rawKeys[t.Name], Count: NonFinite.Count(t.Data)))
            .Where(b => b.Count > 0)
            .ToList();
        if (bad.Count == 0) return;
        var listed = string.Join(Environment.NewLine, bad.Take(MaxListed).Select(b => $"    {b.Key}: {b.Count} values"));
        var more = bad.Count > MaxListed ? $"{Environment.NewLine}    and {bad.Count - MaxListed} more" : "";
        throw new CheckpointException(source,
            $"{bad.Count} tensors hold NaN or infinite values (every output would be NaN; CheckpointOptions.AllowNonFinite accepts them){Environment.NewLine}{listed}{more}");
    }

    private static string Describe(string model, string convention, List<string> missing, List<string> unexpected, List<string> mismatched, List<string> placeholders)
    {
        var sections = new[] { ("missing keys", missing), ("unexpected keys", unexpected), ("shape mismatches", mismatched), ("tensors built by placeholder globals", placeholders) }
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
public sealed record BoundCheckpoint(IReadOnlyDictionary<string, Tensor> Tensors, string Source, string Format, string Convention)
{
    /// <summary>The top-level entry the weights came from ("state_dict", "model", "state_dict_ema"…); null when the file's top level is the weights.</summary>
    public string? Entry { get; init; }

    /// <summary>The file's other top-level entries ("optimizer", "meta", "args"…).</summary>
    public IReadOnlyList<string> OtherEntries { get; init; } = [];

    /// <summary>Globals met that build no data → how many inert placeholders they became (see <see cref="CheckpointContents.Placeholders"/>).</summary>
    public IReadOnlyDictionary<string, int> Placeholders { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The class names the file carries (a .safetensors file's "class_names" metadata, which
    /// <see cref="SafetensorsWriter"/> writes for a spec with its own names), checked against the plan; else null.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
