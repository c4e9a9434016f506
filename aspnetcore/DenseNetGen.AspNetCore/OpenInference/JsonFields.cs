using System.Text.Json;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>Reads the protocol's JSON fields, turning every wrong type or missing field into an <see cref="InferenceError"/> that names it.</summary>
internal static class JsonFields
{
    public static JsonElement? Optional(JsonElement parent, string name, JsonValueKind kind, string where)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
            throw new InferenceError($"{where}: \"{name}\" must be {Describe(kind)}, not {Describe(value.ValueKind)}.");
        return value;
    }

    public static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string where) =>
        Optional(parent, name, kind, where) ?? throw new InferenceError($"{where}: \"{name}\" is missing.");

    public static string RequiredString(JsonElement parent, string name, string where) =>
        Required(parent, name, JsonValueKind.String, where).GetString()!;

    /// <summary>A bool parameter of a $parameters object (the binary extension's binary_data, binary_data_output).</summary>
    public static bool BoolParameter(JsonElement? parameters, string name, string where) =>
        parameters is { } p && Optional(p, name, JsonValueKind.True, where) is { } value && value.GetBoolean();

    /// <summary>An integer parameter of a $parameters object (binary_data_size, classification).</summary>
    public static long? IntegerParameter(JsonElement? parameters, string name, string where)
    {
        if (parameters is not { } p || Optional(p, name, JsonValueKind.Number, where) is not { } value) return null;
        return value.TryGetInt64(out long result) ? result : throw new InferenceError($"{where}: \"{name}\" must be an integer, not {value.GetRawText()}.");
    }

    /// <summary>A shape: an array of non-negative integers.</summary>
    public static long[] Shape(JsonElement parent, string where)
    {
        var shape = Required(parent, "shape", JsonValueKind.Array, where);
        var dims = new long[shape.GetArrayLength()];
        int i = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out dims[i]) || dims[i] < 0)
                throw new InferenceError($"{where}: \"shape\" must hold non-negative integers; got {shape.GetRawText()}.");
            i++;
        }
        return dims;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
