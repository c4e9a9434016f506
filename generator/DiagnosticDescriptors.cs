using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator
{
    /// <summary>Every diagnostic the generator reports.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "DenseNetGen";

        public static readonly DiagnosticDescriptor InvalidJson = Error(
            "DNG001", "Spec is not valid JSON", "The spec is not valid JSON: {0}");

        public static readonly DiagnosticDescriptor MissingField = Error(
            "DNG002", "Spec field is missing", "The spec{0} has no required field '{1}'");

        public static readonly DiagnosticDescriptor WrongType = Error(
            "DNG003", "Spec field has the wrong type", "Field '{0}' must be {1}");

        public static readonly DiagnosticDescriptor NotPositive = Error(
            "DNG004", "Spec value must be positive", "Field '{0}' must be a positive integer, got {1}");

        public static readonly DiagnosticDescriptor EmptyBlockConfig = Error(
            "DNG005", "blockConfig is empty", "Field 'blockConfig' must list at least one dense block");

        public static readonly DiagnosticDescriptor CompressionOutOfRange = Error(
            "DNG006", "compression is out of range", "Field 'compression' must be in (0, 1]: {0}");

        public static readonly DiagnosticDescriptor UnknownStem = Error(
            "DNG007", "Unknown stem", "Unknown stem '{0}'; expected \"imagenet\" or \"cifar\"");

        public static readonly DiagnosticDescriptor InvalidName = Error(
            "DNG008", "Network name is not a usable C# class name", "Network name '{0}' is not usable as a C# class name: {1}");

        public static readonly DiagnosticDescriptor InvalidNamespace = Error(
            "DNG009", "Namespace is not valid", "Namespace '{0}' is not a valid C# namespace");

        public static readonly DiagnosticDescriptor DuplicateName = Error(
            "DNG010", "Duplicate network", "Another spec already defines network '{0}'; this spec is ignored");

        public static readonly DiagnosticDescriptor ValueTooLarge = Error(
            "DNG011", "Spec value is too large", "Field '{0}' is {1}, above the limit of {2}");

        public static readonly DiagnosticDescriptor InputTooSmall = Error(
            "DNG012", "inputSize is too small for the network", "An input of {0}x{0} shrinks to nothing at {1}; the network needs a larger inputSize");

        public static readonly DiagnosticDescriptor TooManyParameters = Error(
            "DNG013", "Network is too large", "Network '{0}' would have {1} parameters, above the limit of 2^31");

        public static readonly DiagnosticDescriptor BadPreprocess = Error(
            "DNG014", "Invalid preprocess block", "Invalid preprocess: {0}");

        public static readonly DiagnosticDescriptor UnknownField = new(
            "DNG015", "Unknown spec field", "Unknown field '{0}' is ignored", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BadLabels = Error(
            "DNG016", "Invalid label set", "Labels: {0}");

        public static readonly DiagnosticDescriptor DuplicateField = Error(
            "DNG017", "Spec field appears twice", "Field '{0}' appears more than once");

        public static readonly DiagnosticDescriptor InternalError = Error(
            "DNG999", "DenseNetGen failed", "DenseNetGen could not process this spec: {0}");

        /// <summary>
        /// An error no .editorconfig, ruleset or NoWarn can lower: a silenced error would leave a spec with no class and
        /// no word about why.
        /// </summary>
        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                customTags: WellKnownDiagnosticTags.NotConfigurable);
    }
}
