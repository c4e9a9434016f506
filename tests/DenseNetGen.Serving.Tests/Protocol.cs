using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// Builds requests and reads responses as the Open Inference Protocol's text and its binary tensor data extension
/// lay them out, independently of the server's code.
/// </summary>
internal static class Protocol
{
    public static HttpContent Json(JsonNode request) => new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>An FP32 input as JSON "data", nested as the protocol allows ([N][C*H*W] here).</summary>
    public static JsonObject Fp32Request(float[] data, int[] shape, JsonArray? outputs = null, string? id = null)
    {
        int rows = shape[0], perRow = data.Length / rows;
        var nested = new JsonArray();
        for (int r = 0; r < rows; r++) nested.Add(new JsonArray([.. data.Skip(r * perRow).Take(perRow).Select(v => (JsonNode)JsonValue.Create(v))]));
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)JsonValue.Create(d))]),
                ["datatype"] = "FP32",
                ["data"] = nested,
            }),
        };
        if (outputs is not null) request["outputs"] = outputs;
        if (id is not null) request["id"] = id;
        return request;
    }

    /// <summary>A request whose one input is sent as binary data after the JSON (Inference-Header-Content-Length).</summary>
    public static HttpContent Binary(JsonObject request, byte[] binary)
    {
        var json = Encoding.UTF8.GetBytes(request.ToJsonString());
        var content = new ByteArrayContent([.. json, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    public static byte[] LittleEndian(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>BYTES elements as the extension lays them out: a 4-byte little-endian length, then the bytes.</summary>
    public static byte[] BytesElements(params byte[][] elements)
    {
        var stream = new MemoryStream();
        foreach (var element in elements)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            stream.Write(length);
            stream.Write(element);
        }
        return stream.ToArray();
    }

    /// <summary>The JSON part of a response and the binary data after it (empty without the header).</summary>
    public static async Task<(JsonObject Json, byte[] Binary)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        int jsonLength = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values) ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : body.Length;
        return (JsonNode.Parse(body.AsSpan(0, jsonLength))!.AsObject(), body[jsonLength..]);
    }

    public static JsonObject Output(JsonObject response, string name) =>
        response["outputs"]!.AsArray().Single(o => (string)o!["name"]! == name)!.AsObject();

    public static float[] Floats(JsonObject output) => [.. output["data"]!.AsArray().Select(v => v!.GetValue<float>())];

    public static float[] Floats(ReadOnlySpan<byte> binary) => [.. MemoryMarshal.Cast<byte, float>(binary)];

    public static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString()!;
    }
}
