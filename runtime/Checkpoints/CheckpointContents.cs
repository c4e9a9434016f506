using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Every tensor a checkpoint holds, under its own (raw) key, in file order, and what the reader saw around them.
/// </summary>
/// <remarks>
/// Tensors read from a file stay views of its bytes until asked for: <see cref="Tensors"/> converts each to
/// float32 on first access (and keeps it). The values converted in all are capped at a small multiple of the
/// file's size, so a file whose thousands of keys alias one storage cannot turn into gigabytes; the binder only
/// ever converts the tensors the model needs. Not thread-safe.
/// </remarks>
public sealed class CheckpointContents
{
    private const long ValuesPerFileByte = 2;
    private const long MinimumValues = 1 << 20;

    private readonly OrderedDictionary<string, StoredTensor>? stored;
    private readonly long valueBudget, fileLength;
    private long valuesLeft;

    /// <summary>Tensors already in memory (they are used as they are).</summary>
    /// <param name="source">The file or stream name they came from.</param>
    /// <param name="format">"torch-zip", "torch-legacy", "safetensors" or "tensors".</param>
    /// <param name="tensors">Raw key → tensor, in file order.</param>
    /// <param name="dataTypes">Raw key → the element type stored in the file ("float32", "float16", "int64"…).</param>
    public CheckpointContents(string source, string format, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> dataTypes)
    {
        Source = source;
        Format = format;
        Tensors = tensors;
        DataTypes = dataTypes;
    }

    internal CheckpointContents(string source, string format, long fileLength, IEnumerable<(string Key, StoredTensor Tensor)> tensors,
        IReadOnlyDictionary<string, string> unbuildable)
    {
        Source = source;
        Format = format;
        stored = new OrderedDictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in tensors) stored[key] = tensor;
        this.fileLength = fileLength;
        valueBudget = valuesLeft = Math.Max(MinimumValues, ValuesPerFileByte * fileLength);
        Tensors = new LazyTensors(this);
        DataTypes = stored.ToDictionary(e => e.Key, e => e.Value.Type.TorchName(), StringComparer.Ordinal);
        Unbuildable = unbuildable;
    }

    /// <summary>The file or stream name it was read from.</summary>
    public string Source { get; }

    /// <summary>"torch-zip", "torch-legacy", "safetensors" (or "tensors" for in-memory input).</summary>
    public string Format { get; }

    /// <summary>Raw key → float32 tensor, in the order the file lists them.</summary>
    /// <exception cref="CheckpointException">Converting a tensor would exceed the values a file of this size may produce.</exception>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>Raw key → the element type stored in the file ("float32", "float16", "int64"…).</summary>
    public IReadOnlyDictionary<string, string> DataTypes { get; }

    /// <summary>The top-level entry the weights came from ("state_dict", "model", "state_dict_ema"…); null when the file's top level is the weights.</summary>
    public string? Entry { get; init; }

    /// <summary>The other top-level entries of the file ("optimizer", "meta", "args"…), as the file names them.</summary>
    public IReadOnlyList<string> OtherEntries { get; init; } = [];

    /// <summary>
    /// Globals the file names that build no data (numpy arrays, argparse.Namespace…) → how many objects they would
    /// have made. Each became an inert placeholder; nothing was imported or called.
    /// </summary>
    public IReadOnlyDictionary<string, int> Placeholders { get; init; } = new Dictionary<string, int>();

    /// <summary>A .safetensors header's "__metadata__" (its string values); empty for other formats.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys of the weights whose value only a placeholder global could have built → that global.</summary>
    internal IReadOnlyDictionary<string, string> Unbuildable { get; } = new Dictionary<string, string>();

    /// <summary>The shape of <paramref name="key"/>'s tensor without converting it.</summary>
    internal IReadOnlyList<int> ShapeOf(string key) => stored is not null ? stored[key].Shape : Tensors[key].Shape;

    private Tensor Materialise(string key, StoredTensor tensor)
    {
        if (tensor.Count > valuesLeft)
            throw new CheckpointException(Source,
                $"converting its {tensor.Count:N0} values would exceed the {valueBudget:N0} values a file of {fileLength:N0} bytes may produce (its tensors alias the same bytes far more than a real checkpoint's do)", key);
        valuesLeft -= tensor.Count;
        return tensor.ToTensor(key);
    }

    private sealed class LazyTensors(CheckpointContents owner) : IReadOnlyDictionary<string, Tensor>
    {
        private readonly Dictionary<string, Tensor> converted = new(StringComparer.Ordinal);

        public Tensor this[string key] => TryGetValue(key, out var tensor) ? tensor : throw new KeyNotFoundException($"no tensor '{key}'");

        public IEnumerable<string> Keys => owner.stored!.Keys;

        public IEnumerable<Tensor> Values => Keys.Select(k => this[k]);

        public int Count => owner.stored!.Count;

        public bool ContainsKey(string key) => owner.stored!.ContainsKey(key);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value)
        {
            if (converted.TryGetValue(key, out value)) return true;
            if (!owner.stored!.TryGetValue(key, out var tensor)) return false;
            value = owner.Materialise(key, tensor);
            converted[key] = value;
            return true;
        }

        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
            Keys.Select(k => new KeyValuePair<string, Tensor>(k, this[k])).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
