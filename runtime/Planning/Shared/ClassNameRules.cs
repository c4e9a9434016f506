// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace DenseNetGen.Planning;

/// <summary>
/// What a model's own class names must be, from a spec (checked by the generator at compile time) or from a caller
/// (checked by <c>ImageClassifier</c>): not blank, and each once, since a prediction, a data set's class folder and
/// a served label each name one class.
/// </summary>
internal static class ClassNameRules
{
    /// <summary>Every blank or repeated name: its class index and what is wrong ("class 4 has a blank name").</summary>
    public static IEnumerable<(int Index, string Message)> Problems(IReadOnlyList<string> names)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            string index = i.ToString(CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(names[i]))
                yield return (i, $"class {index} has a blank name");
            else if (first.TryGetValue(names[i], out int earlier))
                yield return (i, $"class {index} repeats the name '{names[i]}' of class {earlier.ToString(CultureInfo.InvariantCulture)}");
            else
                first.Add(names[i], i);
        }
    }
}
