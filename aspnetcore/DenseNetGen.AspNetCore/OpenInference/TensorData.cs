using System.Runtime.InteropServices;
using System.Text.Json;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// Fills an input's elements from the request: from its JSON "data" (nested as the shape or flattened, row-major,
/// as the protocol allows) or from its binary data (little-endian, row-major; BYTES elements each a 4-byte
/// little-endian length and the bytes, as the binary tensor data extension lays them out).
/// </summary>
internal static class TensorData
{
    /// <summary>Copies FP32 binary data into <paramref name="destination"/>, whose length it must match.</summary>
    public static void Fp32FromBinary(ReadOnlySpan<byte> data, Span<float> destination, string where)
    {
        if (data.Length != destination.Length * sizeof(float))
            throw new InferenceError($"{where}: binary_data_size is {data.Length} bytes; the shape needs {destination.Length} FP32 values = {destination.Length * sizeof(float)} bytes.");
        if (!BitConverter.IsLittleEndian)
            throw new InferenceError("This server runs on a big-endian machine and cannot take binary FP32 data; send JSON \"data\".", StatusCodes.Status501NotImplemented);
        MemoryMarshal.Cast<byte, float>(data).CopyTo(destination);
    }

    /// <summary>Copies the numbers of a JSON "data" array, at any nesting, into <paramref name="destination"/>, whose length it must match.</summary>
    public static void Fp32FromJson(JsonElement data, Span<float> destination, string where)
    {
        int written = 0;
        Flatten(data, destination, ref written, where);
        if (written != destination.Length)
            throw new InferenceError($"{where}: \"data\" holds {written} values; the shape needs {destination.Length}.");
    }

    private static void Flatten(JsonElement element, Span<float> destination, ref int written, string where)
    {
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, destination, ref written, where);
                continue;
            }
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out float value) || !float.IsFinite(value))
                throw new InferenceError($"{where}: \"data\" element {written} is {item.GetRawText()}, not an FP32 number.");
            if (written == destination.Length)
                throw new InferenceError($"{where}: \"data\" holds more values than the shape's {destination.Length}.");
            destination[written++] = value;
        }
    }

    /// <summary>The elements of BYTES binary data: each a 4-byte little-endian length, then that many bytes.</summary>
    public static List<ReadOnlyMemory<byte>> BytesFromBinary(ReadOnlyMemory<byte> data, long count, string where)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        int offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < 4)
                throw new InferenceError($"{where}: BYTES element {elements.Count} is cut short: {data.Length - offset} bytes left where a 4-byte length is due.");
            uint length = BitConverter.ToUInt32(data.Span.Slice(offset, 4));
            offset += 4;
            if (length > data.Length - offset)
                throw new InferenceError($"{where}: BYTES element {elements.Count} declares {length} bytes, but only {data.Length - offset} remain.");
            elements.Add(data.Slice(offset, (int)length));
            offset += (int)length;
        }
        if (elements.Count != count)
            throw new InferenceError($"{where}: the binary data holds {elements.Count} BYTES elements; the shape needs {count}.");
        return elements;
    }

    /// <summary>
    /// The elements of BYTES JSON "data": strings holding the bytes in base64 (JSON cannot carry raw bytes; this
    /// server's convention, as TensorFlow Serving's "b64"). The binary data extension sends them raw instead.
    /// </summary>
    public static List<ReadOnlyMemory<byte>> BytesFromJson(JsonElement data, long count, string where)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !item.TryGetBytesFromBase64(out var bytes))
                throw new InferenceError($"{where}: BYTES \"data\" element {elements.Count} must be a base64 string (or send it as binary data).");
            elements.Add(bytes);
        }
        if (elements.Count != count)
            throw new InferenceError($"{where}: \"data\" holds {elements.Count} BYTES elements; the shape needs {count}.");
        return elements;
    }
}
