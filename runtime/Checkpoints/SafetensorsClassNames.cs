using System.Text.Json;
using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// A model's own class names in a .safetensors header: the "__metadata__" entry "class_names", a JSON array of
/// strings in logit order (the format's metadata maps strings to strings, so the list is JSON text in one value,
/// which keeps any character a name may hold, commas and quotes included).
/// </summary>
internal static class SafetensorsClassNames
{
    public const string Key = "class_names";

    /// <summary>The metadata value for <paramref name="names"/>: ["cat","dog"].</summary>
    public static string Encode(IReadOnlyList<string> names)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var name in names) json.WriteStringValue(name);
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The names the metadata carries, checked against the network's classes; null when it has none.</summary>
    /// <exception cref="CheckpointException">The value is not a JSON array of strings, one per class, none blank or repeated.</exception>
    public static IReadOnlyList<string>? Decode(IReadOnlyDictionary<string, string> metadata, int numClasses, string source)
    {
        if (!metadata.TryGetValue(Key, out var text)) return null;
        CheckpointException Fail(string why) => new(source, $"__metadata__ {Key} {why}");
        List<string> names = [];
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Array) throw Fail($"is a JSON {json.RootElement.ValueKind}, not an array of class names");
            foreach (var name in json.RootElement.EnumerateArray())
                names.Add(name.ValueKind == JsonValueKind.String ? name.GetString()! : throw Fail($"holds a JSON {name.ValueKind}, not a class name"));
        }
        catch (JsonException e)
        {
            throw Fail($"is not JSON: {e.Message}");
        }
        if (names.Count != numClasses) throw Fail($"names {names.Count} classes but the network has {numClasses}");
        foreach (var (_, problem) in ClassNameRules.Problems(names)) throw Fail(problem);
        return names;
    }
}
