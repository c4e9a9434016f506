// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
namespace DenseNetGen.Planning;

/// <summary>
/// The built-in label sets a spec may name and their sizes: what the generator accepts is what
/// <c>LabelSet</c> can give names for.
/// </summary>
internal static class LabelCatalog
{
    public const string ImageNet1k = "imagenet1k";
    public const string FashionMnist = "fashion-mnist";

    /// <summary>Every set, in the order messages list them.</summary>
    public static readonly string[] Names = { ImageNet1k, FashionMnist };

    /// <summary>Classes in set <paramref name="name"/>, or null for an unknown name.</summary>
    public static int? ClassCount(string name) => name switch
    {
        ImageNet1k => 1000,
        FashionMnist => 10,
        _ => null,
    };
}
