using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>Checks that spec names can be emitted verbatim as C# class and namespace names.</summary>
    internal static class CSharpNames
    {
        // Members of DenseNetModel, the generated class's base (a test checks this list against the runtime's type),
        // and of the generated class itself: a class cannot contain a member named like itself.
        private static readonly string[] BaseMembers =
        {
            "Plan", "ModelCard", "Weights", "Device", "GetParameter", "Forward", "ForwardAsync", "ExtractFeatures", "Infer", "InferAsync", "Dispose",
        };

        private static readonly Regex NumberedMember = new(@"^(DenseBlock|Transition)[0-9]+$", RegexOptions.CultureInvariant);

        /// <summary>Null when <paramref name="name"/> works as the generated class name, else why not.</summary>
        public static string? WhyNotClassName(string name)
        {
            if (WhyNotPlain(name) is string why) return why;
            if (!SyntaxFacts.IsValidIdentifier(name)) return "it is not a C# identifier";
            if (IsKeyword(name)) return "it is a C# keyword";
            if (IsLowerCaseAscii(name)) return "lower-case ASCII names are reserved for future C# keywords";
            if (System.Array.IndexOf(BaseMembers, name) >= 0 || System.Array.IndexOf(Emitting.PlanEmitter.Members, name) >= 0 || NumberedMember.IsMatch(name))
                return "it clashes with a member of the generated class";
            return null;
        }

        public static bool IsValidNamespace(string name)
        {
            if (name.Length == 0 || WhyNotPlain(name) is not null) return false;
            foreach (var part in name.Split('.'))
            {
                if (!SyntaxFacts.IsValidIdentifier(part) || IsKeyword(part)) return false;
            }
            return true;
        }

        /// <summary>
        /// The most UTF-8 bytes a name or a namespace may have: the two and the generated names built on them must stay
        /// within the 1,023 bytes metadata allows a type's full name (CS7013 otherwise).
        /// </summary>
        public const int MaxNameBytes = 480;

        // C# ignores format characters (a soft hyphen) when it compares names, so "Defini\u00adtion" is the member
        // "Definition" (CS0542 in the generated code); control characters are never part of a name. Normalization
        // forms are not checked: the compiler compares names code point by code point, and .NET's normalization
        // depends on ICU being present where the generator runs.
        private static string? WhyNotPlain(string name)
        {
            foreach (char c in name)
            {
                var category = char.GetUnicodeCategory(c);
                if (category == System.Globalization.UnicodeCategory.Format || category == System.Globalization.UnicodeCategory.Control)
                    return $"it contains U+{(int)c:X4}, a {(category == System.Globalization.UnicodeCategory.Format ? "format" : "control")} character that C# ignores or refuses in names";
            }
            var bytes = System.Text.Encoding.UTF8.GetByteCount(name);
            if (bytes > MaxNameBytes) return $"it is {bytes} UTF-8 bytes long, more than the {MaxNameBytes} a generated type's metadata name allows";
            return null;
        }

        private static bool IsLowerCaseAscii(string name)
        {
            foreach (char c in name)
            {
                if (c < 'a' || c > 'z') return false;
            }
            return true;
        }

        // Contextual keywords (record, var, global, ...) are refused too: several are errors or warnings as type names.
        private static bool IsKeyword(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None;
    }
}
