using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>
    /// What a spec's own class names must be, inline or in a file: not blank, and each once (a prediction, a data
    /// set folder and a served label name one class).
    /// </summary>
    internal static class ClassNameRules
    {
        /// <summary>Reports every blank or repeated name at its span; true when there are none.</summary>
        public static bool Check(IReadOnlyList<(string Name, TextSpan Span)> names, Action<TextSpan, string> report)
        {
            bool ok = true;
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                var (name, span) = names[i];
                string index = i.ToString(CultureInfo.InvariantCulture);
                if (string.IsNullOrWhiteSpace(name))
                {
                    report(span, $"class {index} has a blank name");
                    ok = false;
                }
                else if (first.TryGetValue(name, out int earlier))
                {
                    report(span, $"class {index} repeats the name '{name}' of class {earlier.ToString(CultureInfo.InvariantCulture)}");
                    ok = false;
                }
                else
                {
                    first.Add(name, i);
                }
            }
            return ok;
        }
    }
}
