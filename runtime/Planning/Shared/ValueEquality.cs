// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
using System.Collections.Generic;

namespace DenseNetGen.Planning;

/// <summary>
/// Element-wise equality for the list-valued members of plan and card records, so two plans built from the same
/// spec are equal (the generator's incremental pipeline caches on it).
/// </summary>
internal static class ValueEquality
{
    public static bool Equal<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < a.Count; i++)
        {
            if (!comparer.Equals(a[i], b[i])) return false;
        }
        return true;
    }

    public static int Hash<T>(IReadOnlyList<T> items)
    {
        unchecked
        {
            int hash = 17;
            foreach (var item in items) hash = hash * 31 + (item is null ? 0 : EqualityComparer<T>.Default.GetHashCode(item));
            return hash;
        }
    }
}
