using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DenseNetGen.Generator.Model;
using DenseNetGen.Planning;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>The outcome of reading one spec: the spec when it has no errors, and every diagnostic found.</summary>
    internal sealed record SpecParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Turns a <c>.densenet.json</c> document into a <see cref="NetworkSpec"/>, reporting every problem
    /// it finds (not just the first) at the token responsible.
    /// </summary>
    internal sealed partial class SpecParser
    {
        public const int MaxGrowthRate = 4096;
        public const int MaxLayersPerBlock = 512;
        public const int MaxBlocks = 16;
        public const int MaxChannels = 65536;
        public const int MaxBnSize = 256;
        public const int MaxNumClasses = 1_000_000;
        public const int MaxImageSize = 16384;

        private static readonly float[] ImageNetMean = { 123.675f, 116.28f, 103.53f };
        private static readonly float[] ImageNetStd = { 58.395f, 57.12f, 57.375f };

        private static readonly string[] KnownFields =
        {
            "name", "namespace", "growthRate", "blockConfig", "initChannels", "bnSize", "compression", "stem",
            "inChannels", "numClasses", "inputSize", "labels", "preprocess",
        };

        private static readonly string[] PreprocessFields = { "mean", "std", "resize", "crop" };

        private readonly string _path;
        private readonly LineMap _lines;
        private readonly List<DiagnosticInfo> _diagnostics = new();

        private SpecParser(string path, string text)
        {
            _path = path;
            _lines = new LineMap(text);
        }

        public static SpecParseResult Parse(string path, string text)
        {
            var parser = new SpecParser(path, text);
            var spec = parser.ParseDocument(text);
            var diagnostics = parser._diagnostics.ToEquatableArray();
            return new SpecParseResult(parser.HasErrors ? null : spec, diagnostics);
        }

        private bool HasErrors => _diagnostics.Exists(d => d.IsError);

        private NetworkSpec? ParseDocument(string text)
        {
            JsonNode root;
            try
            {
                root = SpecJsonReader.Parse(text);
            }
            catch (JsonReaderException e)
            {
                Report(DiagnosticDescriptors.InvalidJson, new TextSpan(e.Position, 0), e.Message);
                return null;
            }
            if (root is not JsonObject obj)
            {
                Report(DiagnosticDescriptors.WrongType, root.Span, "(root)", "an object");
                return null;
            }

            var fields = Fields(obj, KnownFields);
            var name = ReadName(obj, fields);
            var ns = ReadNamespace(fields);
            int? growthRate = ReadInt(obj, fields, "growthRate", MaxGrowthRate);
            var blockConfig = ReadBlockConfig(obj, fields);
            int? initChannels = ReadInt(obj, fields, "initChannels", MaxChannels);
            int? bnSize = ReadInt(obj, fields, "bnSize", MaxBnSize);
            double? compression = ReadCompression(obj, fields);
            var stem = ReadStem(obj, fields);
            int? inChannels = ReadInt(obj, fields, "inChannels", MaxChannels);
            int? numClasses = ReadInt(obj, fields, "numClasses", MaxNumClasses);
            int? inputSize = ReadInt(obj, fields, "inputSize", MaxImageSize);
            var labels = ReadLabels(fields, numClasses);
            var preprocess = inChannels is int c && inputSize is int s ? ReadPreprocess(fields, c, s) : null;

            if (name is null || growthRate is null || blockConfig is null || initChannels is null || bnSize is null ||
                compression is null || stem is null || inChannels is null || numClasses is null || inputSize is null || preprocess is null)
                return null;

            return new NetworkSpec(
                name, Locate(fields["name"].Value.Span), ns, growthRate.Value, blockConfig.Value, initChannels.Value, bnSize.Value,
                compression.Value, Locate(fields["compression"].Value.Span), stem.Value, inChannels.Value, numClasses.Value,
                inputSize.Value, Locate(fields["inputSize"].Value.Span), labels.SetName, preprocess, labels.ClassNames, labels.File);
        }

        /// <summary>The object's properties by name; reports duplicates and fields outside <paramref name="known"/>.</summary>
        private Dictionary<string, JsonProperty> Fields(JsonObject obj, string[] known)
        {
            var fields = new Dictionary<string, JsonProperty>(StringComparer.Ordinal);
            foreach (var property in obj.Properties)
            {
                if (fields.ContainsKey(property.Name))
                    Report(DiagnosticDescriptors.DuplicateField, property.NameSpan, property.Name);
                else if (Array.IndexOf(known, property.Name) < 0)
                    Report(DiagnosticDescriptors.UnknownField, property.NameSpan, property.Name);
                else
                    fields.Add(property.Name, property);
            }
            return fields;
        }

        private JsonNode? Required(JsonObject obj, Dictionary<string, JsonProperty> fields, string field, string context = "")
        {
            if (fields.TryGetValue(field, out var property)) return property.Value;
            // A missing field has no token of its own: point at the object's opening brace.
            Report(DiagnosticDescriptors.MissingField, new TextSpan(obj.Span.Start, 1), context, field);
            return null;
        }

        private string? ReadName(JsonObject obj, Dictionary<string, JsonProperty> fields)
        {
            if (Required(obj, fields, "name") is not JsonNode node) return null;
            if (node is not JsonString str)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, "name", "a string");
                return null;
            }
            if (CSharpNames.WhyNotClassName(str.Value) is string why)
            {
                Report(DiagnosticDescriptors.InvalidName, node.Span, str.Value, why);
                return null;
            }
            return str.Value;
        }

        private string? ReadNamespace(Dictionary<string, JsonProperty> fields)
        {
            if (!fields.TryGetValue("namespace", out var property)) return null;
            if (property.Value is not JsonString str)
            {
                Report(DiagnosticDescriptors.WrongType, property.Value.Span, "namespace", "a string");
                return null;
            }
            if (!CSharpNames.IsValidNamespace(str.Value))
            {
                Report(DiagnosticDescriptors.InvalidNamespace, str.Span, str.Value);
                return null;
            }
            return str.Value;
        }

        private int? ReadInt(JsonObject obj, Dictionary<string, JsonProperty> fields, string field, int max, string context = "")
        {
            if (Required(obj, fields, field, context) is not JsonNode node) return null;
            return CheckInt(node, field, max);
        }

        private int? CheckInt(JsonNode node, string field, int max)
        {
            if (node is not JsonNumber number || !number.IsInteger)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, field, "an integer");
                return null;
            }
            bool fitsLong = long.TryParse(number.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value);
            if (fitsLong && value < 1 || !fitsLong && number.Text.StartsWith("-", StringComparison.Ordinal))
            {
                Report(DiagnosticDescriptors.NotPositive, node.Span, field, number.Text);
                return null;
            }
            if (!fitsLong || value > max)
            {
                Report(DiagnosticDescriptors.ValueTooLarge, node.Span, field, number.Text, max.ToString(CultureInfo.InvariantCulture));
                return null;
            }
            return (int)value;
        }

        private EquatableArray<int>? ReadBlockConfig(JsonObject obj, Dictionary<string, JsonProperty> fields)
        {
            if (Required(obj, fields, "blockConfig") is not JsonNode node) return null;
            if (node is not JsonArray array)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, "blockConfig", "an array of integers");
                return null;
            }
            if (array.Items.Count == 0)
            {
                Report(DiagnosticDescriptors.EmptyBlockConfig, array.Span);
                return null;
            }
            if (array.Items.Count > MaxBlocks)
            {
                Report(DiagnosticDescriptors.ValueTooLarge, array.Span, "blockConfig",
                    array.Items.Count.ToString(CultureInfo.InvariantCulture) + " blocks", MaxBlocks.ToString(CultureInfo.InvariantCulture));
                return null;
            }
            var blocks = new int[array.Items.Count];
            bool ok = true;
            for (int i = 0; i < blocks.Length; i++)
            {
                int? layers = CheckInt(array.Items[i], "blockConfig", MaxLayersPerBlock);
                ok &= layers.HasValue;
                blocks[i] = layers ?? 0;
            }
            return ok ? new EquatableArray<int>(blocks) : null;
        }

        private double? ReadCompression(JsonObject obj, Dictionary<string, JsonProperty> fields)
        {
            if (Required(obj, fields, "compression") is not JsonNode node) return null;
            if (node is not JsonNumber number)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, "compression", "a number");
                return null;
            }
            if (!(number.Value > 0 && number.Value <= 1))
            {
                Report(DiagnosticDescriptors.CompressionOutOfRange, node.Span, number.Text);
                return null;
            }
            return number.Value;
        }

        private StemKind? ReadStem(JsonObject obj, Dictionary<string, JsonProperty> fields)
        {
            if (Required(obj, fields, "stem") is not JsonNode node) return null;
            if (node is not JsonString str)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, "stem", "a string");
                return null;
            }
            switch (str.Value)
            {
                case "imagenet": return StemKind.ImageNet;
                case "cifar": return StemKind.Cifar;
                default:
                    Report(DiagnosticDescriptors.UnknownStem, node.Span, str.Value);
                    return null;
            }
        }

        private PreprocessInfo? ReadPreprocess(Dictionary<string, JsonProperty> fields, int inChannels, int inputSize)
        {
            if (!fields.TryGetValue("preprocess", out var property))
            {
                return inChannels == 3
                    ? new PreprocessInfo(ImageNetMean, ImageNetStd, 256, 224)
                    : new PreprocessInfo(Fill(inChannels, 0f), Fill(inChannels, 1f), inputSize, inputSize);
            }
            if (property.Value is not JsonObject obj)
            {
                Report(DiagnosticDescriptors.WrongType, property.Value.Span, "preprocess", "an object");
                return null;
            }
            var inner = Fields(obj, PreprocessFields);
            var mean = ReadChannelValues(obj, inner, "mean", inChannels, requirePositive: false);
            var std = ReadChannelValues(obj, inner, "std", inChannels, requirePositive: true);
            int? resize = ReadInt(obj, inner, "resize", MaxImageSize, "'s preprocess block");
            int? crop = ReadInt(obj, inner, "crop", MaxImageSize, "'s preprocess block");
            if (resize is int r && crop is int c && c > r)
            {
                Report(DiagnosticDescriptors.BadPreprocess, inner["crop"].Value.Span, $"crop {c} is larger than resize {r}");
                return null;
            }
            return mean is null || std is null || resize is null || crop is null ? null : new PreprocessInfo(mean, std, resize.Value, crop.Value);
        }

        private float[]? ReadChannelValues(JsonObject obj, Dictionary<string, JsonProperty> fields, string field, int inChannels, bool requirePositive)
        {
            if (Required(obj, fields, field, "'s preprocess block") is not JsonNode node) return null;
            if (node is not JsonArray array)
            {
                Report(DiagnosticDescriptors.WrongType, node.Span, field, "an array of numbers");
                return null;
            }
            if (array.Items.Count != inChannels)
            {
                Report(DiagnosticDescriptors.BadPreprocess, array.Span, $"'{field}' has {array.Items.Count} values but inChannels is {inChannels}");
                return null;
            }
            var values = new float[inChannels];
            bool ok = true;
            for (int i = 0; i < values.Length; i++)
            {
                float? value = CheckChannelValue(array.Items[i], field, requirePositive);
                ok &= value.HasValue;
                values[i] = value ?? 0f;
            }
            return ok ? values : null;
        }

        /// <summary>One mean or std value as a float; null (reported) when it is not a number, overflows a float, or is a std that is not positive.</summary>
        private float? CheckChannelValue(JsonNode item, string field, bool requirePositive)
        {
            if (item is not JsonNumber number)
            {
                Report(DiagnosticDescriptors.WrongType, item.Span, field, "an array of numbers");
                return null;
            }
            float value = (float)number.Value;
            if (float.IsInfinity(value))
            {
                Report(DiagnosticDescriptors.BadPreprocess, item.Span, $"'{field}' value {number.Text} does not fit a float");
                return null;
            }
            if (requirePositive && value <= 0)
            {
                Report(DiagnosticDescriptors.BadPreprocess, item.Span, $"'{field}' value {number.Text} must be positive");
                return null;
            }
            return value;
        }

        private static float[] Fill(int count, float value)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = value;
            return values;
        }

        private SourceLocation Locate(TextSpan span) => new(_path, span, _lines.GetLineSpan(span));

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, TextSpan span, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, Locate(span), arguments));
    }
}
