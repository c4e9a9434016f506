using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Writes bound weights as .safetensors, what Hugging Face's conversion gives PyTorch users: no pickle, so loading it
/// runs no code in any reader. Tensors keep torchvision's canonical names, in the manifest's order, as little-endian
/// float32; the header's "__metadata__" carries the model card (<see cref="Metadata"/>).
/// </summary>
/// <remarks>
/// Layout (safetensors' specification): an 8-byte little-endian header length, the JSON header padded with spaces
/// to a multiple of 8 bytes, then each tensor's bytes back to back, in header order, with no gaps or overlaps.
/// </remarks>
public static class SafetensorsWriter
{
    /// <summary>
    /// The header metadata describing <paramref name="weights"/> as bound to <paramref name="plan"/>, from its
    /// <paramref name="card"/>: "format" ("pt", as
    /// Hugging Face's tools expect), "model", "source" (the file name), "source_format", "convention", "names"
    /// ("torchvision"), "entry" (where in the source the weights were, e.g. "state_dict_ema"), "in_channels", "input_size", "num_classes", "labels" (when the spec names a set),
    /// "class_names" (when the spec gives its own class names: a JSON array of strings in logit order, which
    /// <see cref="CheckpointBinder"/> reads back into <see cref="BoundCheckpoint.ClassNames"/>),
    /// "mean", "std", "resize", "crop" (mmpretrain's test pipeline), "parameters" and "generator".
    /// </summary>
    public static IReadOnlyDictionary<string, string> Metadata(NetworkPlan plan, ModelCard card, BoundCheckpoint weights)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(weights);
        var c = CultureInfo.InvariantCulture;
        static string Floats(IEnumerable<float> values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            ["model"] = card.Name,
            ["source"] = Path.GetFileName(weights.Source),
            ["source_format"] = weights.Format,
            ["convention"] = weights.Convention,
            ["names"] = "torchvision",
            ["in_channels"] = plan.InChannels.ToString(c),
            ["input_size"] = plan.InputSize.ToString(c),
            ["num_classes"] = plan.NumClasses.ToString(c),
            ["mean"] = Floats(card.Preprocess.Mean),
            ["std"] = Floats(card.Preprocess.Std),
            ["resize"] = card.Preprocess.ResizeShortEdge.ToString(c),
            ["crop"] = card.Preprocess.CropSize.ToString(c),
            ["parameters"] = card.ParameterCount.ToString(c),
            ["generator"] = "DenseNetGen",
        };
        if (card.Labels is { } labels) metadata["labels"] = labels;
        if (card.ClassNames is { } names) metadata[SafetensorsClassNames.Key] = SafetensorsClassNames.Encode(names);
        if (weights.Entry is { } entry) metadata["entry"] = entry;
        return metadata;
    }

    /// <summary>
    /// Writes <paramref name="weights"/> with the model card's metadata (<see cref="Metadata"/>) to <paramref name="path"/>, through a
    /// temporary file in the same folder that replaces <paramref name="path"/> only once complete.
    /// </summary>
    public static void Write(string path, BoundCheckpoint weights, NetworkPlan plan, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                Write(file, weights.Tensors.Values, Metadata(plan, card, weights));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="weights"/> with the model card's metadata to <paramref name="destination"/> (which the caller owns).</summary>
    public static void Write(Stream destination, BoundCheckpoint weights, NetworkPlan plan, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Write(destination, weights.Tensors.Values, Metadata(plan, card, weights));
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (in order, each under its <see cref="Tensor.Name"/>) as float32 with
    /// <paramref name="metadata"/> in "__metadata__". <paramref name="destination"/> stays open; the caller owns it.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is "__metadata__".</exception>
    public static void Write(Stream destination, IEnumerable<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var list = tensors.ToList();
        var header = Header(list, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        destination.Write(length);
        destination.Write(header);
        foreach (var tensor in list)
        {
            if (BitConverter.IsLittleEndian)
            {
                destination.Write(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
                continue;
            }
            var bytes = new byte[4];
            foreach (var v in tensor.Data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes, v);
                destination.Write(bytes);
            }
        }
    }

    // The JSON header, space-padded to a multiple of 8 bytes so the data that follows starts aligned.
    private static byte[] Header(List<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
            json.WriteEndObject();
            var names = new HashSet<string>(StringComparer.Ordinal) { "__metadata__" };
            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (!names.Add(tensor.Name))
                    throw new ArgumentException($"Tensor name '{tensor.Name}' is used twice or is reserved.", nameof(tensors));
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.LongLength * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padding = (8 - (int)(buffer.Length % 8)) % 8;
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
