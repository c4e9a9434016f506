using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using DenseNetGen.Inference;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// Writes the inference response object: each requested output as FP32 [N, classes], or, with the classification
/// extension's parameter, BYTES [N, k] strings "value:index:label" for the k highest values (ties to the lower
/// index); as JSON "data", or after the JSON as binary data (binary tensor data extension) when asked.
/// </summary>
internal static class InferResponseWriter
{
    public static async Task WriteAsync(HttpResponse response, ServedModel model, ParsedRequest request, float[] logits, CancellationToken cancellationToken)
    {
        int rows = request.Images, classes = model.Classes;
        var probabilities = request.Outputs.Any(o => o.Name == TensorNames.Probabilities) ? Softmax(logits, rows, classes) : null;
        var json = new ArrayBufferWriter<byte>(4096);
        var binary = new ArrayBufferWriter<byte>(request.Outputs.Any(o => o.Binary) ? 4096 : 1);
        using (var writer = new Utf8JsonWriter(json, ModelMetadata.Writing))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", model.Name);
            writer.WriteString("model_version", model.Version);
            if (request.Id is not null) writer.WriteString("id", request.Id);
            writer.WriteStartArray("outputs");
            foreach (var output in request.Outputs)
            {
                var values = output.Name == TensorNames.Logits ? logits : probabilities!;
                writer.WriteStartObject();
                writer.WriteString("name", output.Name);
                if (output.Classification is { } k) WriteClassification(writer, binary, output.Binary, values, rows, classes, k, model.Classifier.Labels);
                else WriteFp32(writer, binary, output.Binary, values, rows, classes);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        response.StatusCode = StatusCodes.Status200OK;
        if (binary.WrittenCount > 0)
        {
            response.ContentType = "application/octet-stream";
            response.Headers[RequestBody.HeaderLengthHeader] = json.WrittenCount.ToString(CultureInfo.InvariantCulture);
        }
        else response.ContentType = "application/json";
        response.ContentLength = json.WrittenCount + binary.WrittenCount;
        await response.Body.WriteAsync(json.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (binary.WrittenCount > 0) await response.Body.WriteAsync(binary.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteFp32(Utf8JsonWriter writer, ArrayBufferWriter<byte> binary, bool asBinary, float[] values, int rows, int classes)
    {
        Header(writer, TensorNames.Fp32, rows, classes);
        if (asBinary)
        {
            var bytes = MemoryMarshal.AsBytes(values.AsSpan(0, rows * classes));
            bytes.CopyTo(binary.GetSpan(bytes.Length));
            binary.Advance(bytes.Length);
            BinarySize(writer, bytes.Length);
            return;
        }
        writer.WriteStartArray("data");
        foreach (var value in values.AsSpan(0, rows * classes)) writer.WriteNumberValue(value);
        writer.WriteEndArray();
    }

    private static void WriteClassification(Utf8JsonWriter writer, ArrayBufferWriter<byte> binary, bool asBinary, float[] values, int rows, int classes, int k, IReadOnlyList<string> labels)
    {
        Header(writer, TensorNames.Bytes, rows, k);
        int start = binary.WrittenCount;
        if (!asBinary) writer.WriteStartArray("data");
        for (int row = 0; row < rows; row++)
        {
            var scores = values.AsSpan(row * classes, classes);
            foreach (int index in Scores.TopK(scores, k))
            {
                var text = $"{scores[index].ToString(CultureInfo.InvariantCulture)}:{index}:{labels[index]}";
                if (!asBinary)
                {
                    writer.WriteStringValue(text);
                    continue;
                }
                int length = Encoding.UTF8.GetByteCount(text);
                var span = binary.GetSpan(4 + length);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
                Encoding.UTF8.GetBytes(text, span[4..]);
                binary.Advance(4 + length);
            }
        }
        if (asBinary) BinarySize(writer, binary.WrittenCount - start);
        else writer.WriteEndArray();
    }

    private static void Header(Utf8JsonWriter writer, string datatype, int rows, int columns)
    {
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(rows);
        writer.WriteNumberValue(columns);
        writer.WriteEndArray();
    }

    private static void BinarySize(Utf8JsonWriter writer, int bytes)
    {
        writer.WriteStartObject("parameters");
        writer.WriteNumber("binary_data_size", bytes);
        writer.WriteEndObject();
    }

    private static float[] Softmax(float[] logits, int rows, int classes)
    {
        var probabilities = new float[rows * classes];
        for (int row = 0; row < rows; row++)
            Scores.Softmax(logits.AsSpan(row * classes, classes)).CopyTo(probabilities.AsSpan(row * classes));
        return probabilities;
    }
}
