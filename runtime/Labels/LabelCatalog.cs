namespace DenseNetGen.Labels;

/// <summary>
/// The built-in label sets a spec may name and their sizes: what the generator accepts is what
/// <see cref="LabelSet"/> can give names for. Compiled into the generator too.
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
