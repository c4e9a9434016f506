using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DenseNetGen.Generator.Model;
using DenseNetGen.Planning;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>What a spec's <c>"labels"</c> says: a built-in set, the class names inline, a file to read, or nothing.</summary>
    internal readonly struct LabelsField
    {
        public LabelsField(string? setName, EquatableArray<string>? classNames, LabelsFile? file)
        {
            SetName = setName;
            ClassNames = classNames;
            File = file;
        }

        public string? SetName { get; }

        public EquatableArray<string>? ClassNames { get; }

        public LabelsFile? File { get; }
    }

    internal sealed partial class SpecParser
    {
        private const string LabelsShapes = "a label set name, an array of class names, an object with a 'file', or null";

        private static readonly string[] LabelsFileFields = { "file" };

        /// <summary>
        /// <c>"imagenet1k"</c>, <c>["cat", "dog"]</c> or <c>{ "file": "classes.txt" }</c>. A set's and an inline list's
        /// size is checked against numClasses here; a file's once the generator has read it (<see cref="LabelFiles"/>).
        /// </summary>
        private LabelsField ReadLabels(Dictionary<string, JsonProperty> fields, int? numClasses)
        {
            if (!fields.TryGetValue("labels", out var property) || property.Value.Kind == JsonKind.Null) return default;
            switch (property.Value)
            {
                case JsonString str:
                    return new LabelsField(ReadLabelSet(str, numClasses), null, null);
                case JsonArray array:
                    return new LabelsField(null, ReadInlineNames(array, numClasses), null);
                case JsonObject obj:
                    return new LabelsField(null, null, ReadLabelsFile(obj));
                default:
                    Report(DiagnosticDescriptors.WrongType, property.Value.Span, "labels", LabelsShapes);
                    return default;
            }
        }

        private string ReadLabelSet(JsonString str, int? numClasses)
        {
            int? classes = LabelCatalog.ClassCount(str.Value);
            if (classes is null)
                Report(DiagnosticDescriptors.BadLabels, str.Span,
                    $"unknown label set '{str.Value}'; expected {string.Join(" or ", LabelCatalog.Names.Select(n => "\"" + n + "\""))}, or the class names");
            else if (numClasses is int n && n != classes)
                Report(DiagnosticDescriptors.BadLabels, str.Span, $"'{str.Value}' has {classes} classes but numClasses is {n}");
            return str.Value;
        }

        private EquatableArray<string>? ReadInlineNames(JsonArray array, int? numClasses)
        {
            var names = new List<(string Name, TextSpan Span)>();
            foreach (var item in array.Items)
            {
                if (item is JsonString name) names.Add((name.Value, name.Span));
                else Report(DiagnosticDescriptors.WrongType, item.Span, "labels", "an array of strings");
            }
            if (names.Count != array.Items.Count) return null;
            bool ok = true;
            foreach (var (index, message) in ClassNameRules.Problems(names.Select(n => n.Name).ToArray()))
            {
                Report(DiagnosticDescriptors.BadLabels, names[index].Span, message);
                ok = false;
            }
            if (numClasses is int n && n != names.Count)
            {
                Report(DiagnosticDescriptors.BadLabels, array.Span,
                    $"{names.Count.ToString(CultureInfo.InvariantCulture)} class names but numClasses is {n.ToString(CultureInfo.InvariantCulture)}");
                ok = false;
            }
            return ok ? names.Select(n => n.Name).ToEquatableArray() : null;
        }

        private LabelsFile? ReadLabelsFile(JsonObject obj)
        {
            var inner = Fields(obj, LabelsFileFields);
            if (Required(obj, inner, "file", "'s labels object") is not JsonNode node) return null;
            if (node is not JsonString path)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, "file", "a string");
                return null;
            }
            if (LabelFiles.WhyNotRelative(path.Value) is string why)
            {
                Report(DiagnosticDescriptors.BadLabels, path.Span, why);
                return null;
            }
            return new LabelsFile(path.Value, Locate(path.Span));
        }
    }
}
