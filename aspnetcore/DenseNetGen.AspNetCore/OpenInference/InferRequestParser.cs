using System.Buffers;
using System.Text.Json;
using DenseNetGen.Preprocessing;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// Turns an inference request object (and its binary data) into a <see cref="ParsedRequest"/>, checking it against
/// the served model; every refusal is an <see cref="InferenceError"/> saying what was wrong.
/// </summary>
internal static class InferRequestParser
{
    private static readonly JsonDocumentOptions s_json = new() { MaxDepth = 16 };

    public static ParsedRequest Parse(RequestBody body, ServedModel model, int maxImages)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Json, s_json);
        }
        catch (JsonException e)
        {
            throw new InferenceError($"The body is not a JSON inference request: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InferenceError("The inference request must be a JSON object.");
            const string where = "inference request";
            var id = JsonFields.Optional(root, "id", JsonValueKind.String, where)?.GetString();
            var parameters = JsonFields.Optional(root, "parameters", JsonValueKind.Object, where);
            var outputs = Outputs(root, JsonFields.BoolParameter(parameters, "binary_data_output", where), model);
            var inputs = JsonFields.Required(root, "inputs", JsonValueKind.Array, where);
            if (inputs.GetArrayLength() != 1)
                throw new InferenceError($"{model.Name} takes one input (\"{TensorNames.Input}\" FP32 or \"{TensorNames.Image}\" BYTES); the request has {inputs.GetArrayLength()}.");
            var request = Input(inputs[0], body, model, maxImages, id, outputs);
            if (body.UnclaimedBinary != 0)
            {
                request.Dispose();
                throw new InferenceError($"{body.UnclaimedBinary} bytes of binary data follow the JSON that no input's binary_data_size claims.");
            }
            return request;
        }
    }

    private static ParsedRequest Input(JsonElement input, RequestBody body, ServedModel model, int maxImages, string? id, IReadOnlyList<RequestedOutput> outputs)
    {
        if (input.ValueKind != JsonValueKind.Object) throw new InferenceError("Each of \"inputs\" must be an object.");
        var name = JsonFields.RequiredString(input, "name", "input");
        var where = $"input '{name}'";
        var datatype = JsonFields.RequiredString(input, "datatype", where);
        var shape = JsonFields.Shape(input, where);
        var (expectedType, expectedShape) = name switch
        {
            TensorNames.Input => (TensorNames.Fp32, $"[N, {model.Channels}, {model.Size}, {model.Size}]"),
            TensorNames.Image => (TensorNames.Bytes, "[N]"),
            _ => throw new InferenceError($"{model.Name} has no input '{name}'; its inputs are \"{TensorNames.Input}\" (FP32) and \"{TensorNames.Image}\" (BYTES)."),
        };
        if (datatype != expectedType)
            throw new InferenceError($"{where} has datatype {datatype}; {model.Name} takes it as {expectedType}.");
        bool rightShape = name == TensorNames.Input
            ? shape.Length == 4 && shape[1] == model.Channels && shape[2] == model.Size && shape[3] == model.Size
            : shape.Length == 1;
        if (!rightShape || shape[0] < 1 || shape[0] > maxImages)
            throw new InferenceError($"{where} has shape [{string.Join(", ", shape)}]; {model.Name} takes {expectedShape} with 1 <= N <= {maxImages}.");

        int images = (int)shape[0];
        int perImage = model.Channels * model.Size * model.Size;
        var buffer = ArrayPool<float>.Shared.Rent(images * perImage);
        var request = new ParsedRequest(id, buffer, images * perImage, images, outputs);
        try
        {
            var parameters = JsonFields.Optional(input, "parameters", JsonValueKind.Object, where);
            var binarySize = JsonFields.IntegerParameter(parameters, "binary_data_size", where);
            var destination = buffer.AsSpan(0, images * perImage);
            if (name == TensorNames.Input)
            {
                if (binarySize is { } size) TensorData.Fp32FromBinary(body.TakeBinary(size, name).Span, destination, where);
                else TensorData.Fp32FromJson(JsonFields.Required(input, "data", JsonValueKind.Array, where), destination, where);
            }
            else
            {
                var encoded = binarySize is { } size
                    ? TensorData.BytesFromBinary(body.TakeBinary(size, name), images, where)
                    : TensorData.BytesFromJson(JsonFields.Required(input, "data", JsonValueKind.Array, where), images, where);
                Preprocess(encoded, destination, model, where);
            }
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <summary>Decodes each image and runs the model's own preprocessing into its slot of the batch.</summary>
    private static void Preprocess(List<ReadOnlyMemory<byte>> encoded, Span<float> destination, ServedModel model, string where)
    {
        var preprocessor = model.Classifier.Preprocessor;
        int perImage = preprocessor.ImageLength;
        for (int i = 0; i < encoded.Count; i++)
        {
            try
            {
                preprocessor.Process(encoded[i].Span, destination.Slice(i * perImage, perImage), $"{where} element {i}");
            }
            catch (ImageDecodeException e)
            {
                throw new InferenceError(e.Message);
            }
        }
    }

    private static List<RequestedOutput> Outputs(JsonElement root, bool binaryByDefault, ServedModel model)
    {
        if (JsonFields.Optional(root, "outputs", JsonValueKind.Array, "inference request") is not { } requested)
            return [.. TensorNames.Outputs.Select(n => new RequestedOutput(n, binaryByDefault, null))];
        var outputs = new List<RequestedOutput>();
        foreach (var output in requested.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object) throw new InferenceError("Each of \"outputs\" must be an object.");
            var name = JsonFields.RequiredString(output, "name", "output");
            var where = $"output '{name}'";
            if (!TensorNames.Outputs.Contains(name))
                throw new InferenceError($"{model.Name} has no output '{name}'; its outputs are {string.Join(", ", TensorNames.Outputs.Select(o => $"\"{o}\""))}.");
            var parameters = JsonFields.Optional(output, "parameters", JsonValueKind.Object, where);
            bool binary = parameters is { } p && p.TryGetProperty("binary_data", out _)
                ? JsonFields.BoolParameter(parameters, "binary_data", where)
                : binaryByDefault;
            var classification = JsonFields.IntegerParameter(parameters, "classification", where);
            if (classification is < 1 || classification > model.Classes)
                throw new InferenceError($"{where}: \"classification\" must be between 1 and the model's {model.Classes} classes; got {classification}.");
            outputs.Add(new RequestedOutput(name, binary, (int?)classification));
        }
        if (outputs.Count == 0) throw new InferenceError("\"outputs\" is empty; leave it out to get every output.");
        return outputs;
    }
}
