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
            "Plan", "ModelCard", "Weights", "Device", "GetParameter", "Forward", "ExtractFeatures", "Infer", "Dispose",
        };

        private static readonly Regex NumberedMember = new(@"^(DenseBlock|Transition)[0-9]+$", RegexOptions.CultureInvariant);

        /// <summary>Null when <paramref name="name"/> works as the generated class name, else why not.</summary>
        public static string? WhyNotClassName(string name)
        {
            if (!SyntaxFacts.IsValidIdentifier(name)) return "it is not a C# identifier";
            if (IsKeyword(name)) return "it is a C# keyword";
            if (IsLowerCaseAscii(name)) return "lower-case ASCII names are reserved for future C# keywords";
            if (System.Array.IndexOf(BaseMembers, name) >= 0 || System.Array.IndexOf(Emitting.PlanEmitter.Members, name) >= 0 || NumberedMember.IsMatch(name))
                return "it clashes with a member of the generated class";
            return null;
        }

        public static bool IsValidNamespace(string name)
        {
            if (name.Length == 0) return false;
            foreach (var part in name.Split('.'))
            {
                if (!SyntaxFacts.IsValidIdentifier(part) || IsKeyword(part)) return false;
            }
            return true;
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
