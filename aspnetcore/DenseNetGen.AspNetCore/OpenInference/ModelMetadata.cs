using System.Text.Json;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>The protocol's metadata objects: the server's and each model's (names, datatypes, shapes; -1 for N).</summary>
internal static class ModelMetadata
{
    /// <summary>
    /// How every response is written: messages keep their quotes and angle brackets readable (the responses are
    /// application/json, never HTML).
    /// </summary>
    public static JsonWriterOptions Writing { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The extensions this server implements, as Triton names them.</summary>
    public static IReadOnlyList<string> Extensions { get; } = ["binary_tensor_data", "classification"];

    public static void WriteServer(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", "densenet");
        writer.WriteString("version", typeof(ModelMetadata).Assembly.GetName().Version?.ToString(3) ?? "0");
        writer.WriteStartArray("extensions");
        foreach (var extension in Extensions) writer.WriteStringValue(extension);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteModel(Utf8JsonWriter writer, ServedModel model)
    {
        writer.WriteStartObject();
        writer.WriteString("name", model.Name);
        writer.WriteStartArray("versions");
        writer.WriteStringValue(model.Version);
        writer.WriteEndArray();
        writer.WriteString("platform", "densenetgen");
        writer.WriteStartArray("inputs");
        Tensor(writer, TensorNames.Input, TensorNames.Fp32, [-1, model.Channels, model.Size, model.Size]);
        Tensor(writer, TensorNames.Image, TensorNames.Bytes, [-1]);
        writer.WriteEndArray();
        writer.WriteStartArray("outputs");
        foreach (var output in TensorNames.Outputs) Tensor(writer, output, TensorNames.Fp32, [-1, model.Classes]);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Tensor(Utf8JsonWriter writer, string name, string datatype, int[] shape)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        foreach (var dim in shape) writer.WriteNumberValue(dim);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
