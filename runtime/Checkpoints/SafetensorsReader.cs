using System.Text.Json;
using System.Text.Unicode;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads .safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and [begin, end) byte range in the data that follows. "__metadata__"'s string values are kept
/// (<see cref="CheckpointContents.Metadata"/>); tensors of element types this reader does not know (e.g. float8)
/// are left out, though their ranges are checked like any other.
/// </summary>
internal static class SafetensorsReader
{
    public const string Format = "safetensors";

    public static CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options = null)
    {
        var cursor = new ByteCursor(file, source, "safetensors header");
        var headerLength = cursor.ReadInt64();
        if (headerLength < 0 || headerLength > cursor.Remaining)
            throw cursor.Fail($"header claims {(ulong)headerLength} bytes but the file has {cursor.Remaining} after it (truncated or corrupt)");
        var header = cursor.TakeMemory(headerLength);
        var data = file[cursor.Position..];
        if (options?.UseEma == true) throw cursor.Fail("a safetensors file holds one set of weights and no EMA entry");

        // Only a parse error is caught: the header's structure is checked field by field below, so an
        // InvalidOperationException or KeyNotFoundException from here on is a bug of this reader, not bad input.
        // The format's header is UTF-8; JsonDocument checks the structure as it parses but a string's bytes only when
        // one is read (an InvalidOperationException then), so the encoding is checked first, whole.
        if (!Utf8.IsValid(header.Span)) throw cursor.Fail("header is not valid UTF-8");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw cursor.Fail($"header is not valid JSON: {e.Message}", e);
        }
        var entries = new List<(string Key, ElementType? Type, long[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw cursor.Fail($"header is a JSON {json.RootElement.ValueKind}, not an object of tensors");
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata);
                    continue;
                }
                var (type, shape, begin, end) = ReadEntry(property, data.Length, source);
                entries.Add((property.Name, type, shape, begin, end));
            }
        }
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        CheckRangesTile(entries.Select(e => (e.Key, e.Begin, e.End)), data.Length, source);

        var tensors = entries
            .Where(e => e.Type is not null)
            .Select(e => (e.Key, new StoredTensor(e.Type!.Value, data[(int)e.Begin..(int)e.End], 0, e.Shape, ContiguousStrides(e.Shape)).Validated(e.Key, source)));
        return new CheckpointContents(source, Format, file.Length, tensors.ToList(), new Dictionary<string, string>()) { Metadata = metadata };
    }

    // The format's metadata maps strings to strings; anything else in it is passed over, as it was before the
    // metadata was read at all, so a file other tools accept still loads.
    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) return;
        foreach (var entry in value.EnumerateObject())
            if (entry.Value.ValueKind == JsonValueKind.String) metadata[entry.Name] = entry.Value.GetString()!;
    }

    /// <summary>
    /// As safetensors' own validator: sorted by offset, the tensors' byte ranges tile the data exactly, with no gap,
    /// overlap or alias, so no byte can be read twice and the file's size bounds what it holds.
    /// </summary>
    private static void CheckRangesTile(IEnumerable<(string Key, long Begin, long End)> sorted, long dataLength, string source)
    {
        long expected = 0;
        foreach (var (key, begin, end) in sorted)
        {
            if (begin != expected)
                throw new CheckpointException(source, begin < expected
                    ? $"data_offsets [{begin}, {end}) overlap the previous tensor's bytes (which end at {expected})"
                    : $"data_offsets [{begin}, {end}) leave a gap after byte {expected}", key);
            expected = end;
        }
        if (expected != dataLength)
            throw new CheckpointException(source, $"the tensors cover {expected} of the {dataLength} data bytes (truncated or corrupt)");
    }

    private static (ElementType? Type, long[] Shape, long Begin, long End) ReadEntry(JsonProperty property, int dataLength, string source)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(source, $"entry is a JSON {value.ValueKind}, not an object with dtype, shape and data_offsets", property.Name);
        var type = ElementTypes.FromSafetensors(Field(value, "dtype", JsonValueKind.String, property.Name, source).GetString()!);
        var shape = Integers(Field(value, "shape", JsonValueKind.Array, property.Name, source), "shape", property.Name, source);
        var offsets = Integers(Field(value, "data_offsets", JsonValueKind.Array, property.Name, source), "data_offsets", property.Name, source);
        if (offsets is not [var begin, var end] || begin < 0 || begin > end || end > dataLength)
            throw new CheckpointException(source, $"data_offsets lie outside the {dataLength} data bytes (truncated or corrupt)", property.Name);
        if (type is null) return (null, shape, begin, end);
        // As the format's validator: the element count is the shape's product, so a zero anywhere makes an empty
        // tensor of 0 bytes whatever the other sizes. Otherwise each size and each partial product must stay within
        // the entry's bytes, which also keeps the product from overflowing.
        var empty = Array.Exists(shape, d => d == 0);
        long count = empty ? 0 : 1;
        foreach (var d in shape)
        {
            if (d < 0 || (!empty && (d > end - begin || (count *= d) > end - begin)))
                throw new CheckpointException(source, $"shape [{string.Join(", ", shape)}] does not fit its data", property.Name);
        }
        if (count * type.Value.Size() != end - begin)
            throw new CheckpointException(source, $"shape [{string.Join(", ", shape)}] needs {count * type.Value.Size()} bytes but data_offsets give {end - begin}", property.Name);
        return (type, shape, begin, end);
    }

    /// <summary>The entry's field <paramref name="name"/>, which must be there and of <paramref name="kind"/>.</summary>
    private static JsonElement Field(JsonElement entry, string name, JsonValueKind kind, string key, string source) =>
        entry.TryGetProperty(name, out var field) && field.ValueKind == kind ? field
            : throw new CheckpointException(source, $"{name} is {(entry.TryGetProperty(name, out field) ? $"a JSON {field.ValueKind}" : "missing")}, not a JSON {kind}", key);

    /// <summary>A JSON array of 64-bit integers (a shape or data_offsets).</summary>
    private static long[] Integers(JsonElement array, string name, string key, string source) =>
        [.. array.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) ? v
            : throw new CheckpointException(source, $"{name} holds {(d.ValueKind == JsonValueKind.Number ? "a number" : $"a JSON {d.ValueKind}")} that is not a 64-bit integer", key))];

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.Max(shape[d], 1);
        }
        return strides;
    }
}
