using System.Buffers.Binary;

using System.Text.Json;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads .safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and [begin, end) byte range in the data that follows. "__metadata__" is ignored, as are tensors
/// of element types this reader does not know (e.g. float8).
/// </summary>
internal static class SafetensorsReader
{
    public const string Format = "safetensors";

    /// <summary>True when the first bytes look like a safetensors header: a length that fits the file, then '{'.</summary>
    public static bool Recognises(ReadOnlySpan<byte> file) =>
        file.Length >= 9 && file[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(file) <= (ulong)(file.Length - 8);

    public static CheckpointContents Read(ReadOnlyMemory<byte> file, string source)
    {
        var cursor = new ByteCursor(file, source, "safetensors header");
        var headerLength = cursor.ReadInt64();
        if (headerLength < 0 || headerLength > cursor.Remaining)
            throw cursor.Fail($"header claims {(ulong)headerLength} bytes but the file has {cursor.Remaining} after it (truncated or corrupt)");
        var header = cursor.TakeMemory(headerLength);
        var data = file[cursor.Position..];

        var entries = new List<(string Key, ElementType Type, long[] Shape, long Begin)>();
        try
        {
            using var json = JsonDocument.Parse(header);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                var entry = ReadEntry(property, data.Length, source);
                if (entry is { } e) entries.Add((property.Name, e.Type, e.Shape, e.Begin));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw cursor.Fail($"header is not valid safetensors JSON: {e.Message}", e);
        }

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, type, shape, begin) in entries.OrderBy(e => e.Begin))
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var bytes = data.Slice((int)begin, (int)(count * type.Size()));
            tensors[key] = new StoredTensor(type, bytes, 0, shape, ContiguousStrides(shape)).ToTensor(key, source);
            types[key] = type.TorchName();
        }
        return new CheckpointContents(source, Format, tensors, types);
    }

    private static (ElementType Type, long[] Shape, long Begin)? ReadEntry(JsonProperty property, int dataLength, string source)
    {
        var value = property.Value;
        if (ElementTypes.FromSafetensors(value.GetProperty("dtype").GetString() ?? "") is not { } type) return null;
        var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (offsets is not [var begin, var end] || begin < 0 || begin > end || end > dataLength)
            throw new CheckpointException(source, $"data_offsets lie outside the {dataLength} data bytes (truncated or corrupt)", property.Name);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || d > end - begin) throw new CheckpointException(source, $"shape [{string.Join(", ", shape)}] does not fit its data", property.Name);
            count *= d;
            if (count > end - begin) throw new CheckpointException(source, $"shape [{string.Join(", ", shape)}] does not fit its data", property.Name);
        }
        if (count * type.Size() != end - begin)
            throw new CheckpointException(source, $"shape [{string.Join(", ", shape)}] needs {count * type.Size()} bytes but data_offsets give {end - begin}", property.Name);
        return (type, shape, begin);
    }

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
