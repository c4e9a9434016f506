using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    internal enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>A JSON value and the span of its token(s) in the spec text.</summary>
    internal abstract class JsonNode(JsonKind kind, TextSpan span)
    {
        public JsonKind Kind { get; } = kind;

        public TextSpan Span { get; } = span;
    }

    internal sealed class JsonObject(TextSpan span, IReadOnlyList<JsonProperty> properties) : JsonNode(JsonKind.Object, span)
    {
        /// <summary>Properties in document order, duplicates included.</summary>
        public IReadOnlyList<JsonProperty> Properties { get; } = properties;
    }

    internal sealed class JsonProperty(string name, TextSpan nameSpan, JsonNode value)
    {
        public string Name { get; } = name;

        public TextSpan NameSpan { get; } = nameSpan;

        public JsonNode Value { get; } = value;
    }

    internal sealed class JsonArray(TextSpan span, IReadOnlyList<JsonNode> items) : JsonNode(JsonKind.Array, span)
    {
        public IReadOnlyList<JsonNode> Items { get; } = items;
    }

    internal sealed class JsonString(TextSpan span, string value) : JsonNode(JsonKind.String, span)
    {
        public string Value { get; } = value;
    }

    /// <summary>A number; <see cref="Text"/> keeps the literal so integers are read exactly.</summary>
    internal sealed class JsonNumber(TextSpan span, string text, double value) : JsonNode(JsonKind.Number, span)
    {
        public string Text { get; } = text;

        public double Value { get; } = value;

        private static readonly char[] NonIntegerChars = { '.', 'e', 'E' };

        public bool IsInteger => Text.IndexOfAny(NonIntegerChars) < 0;
    }

    internal sealed class JsonLiteral(JsonKind kind, TextSpan span) : JsonNode(kind, span);
}
