using DenseNetGen.Planning;

namespace DenseNetGen.Labels;

/// <summary>Class names for a network's logits.</summary>
public static class LabelSet
{
    /// <summary>The name of ImageNet-1k's 1000 classes, in the order of torchvision's and mmpretrain's logits.</summary>
    public const string ImageNet1k = LabelCatalog.ImageNet1k;
    /// <summary>The name of Fashion-MNIST's 10 classes (T-shirt/top … Ankle boot), in the data set's label order.</summary>
    public const string FashionMnist = LabelCatalog.FashionMnist;

    private static readonly Lazy<string[]> ImageNetNames = new(LoadImageNet);

    private static readonly string[] FashionMnistNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The names of label set <paramref name="name"/> ("imagenet1k", "fashion-mnist"), or
    /// "class 0" .. "class N-1" when <paramref name="name"/> is null.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown set, or its size differs from <paramref name="numClasses"/>.</exception>
    public static IReadOnlyList<string> Get(string? name, int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        if (name is null)
            return Enumerable.Range(0, numClasses).Select(i => $"class {i}").ToArray();
        var names = name switch
        {
            ImageNet1k => ImageNetNames.Value,
            FashionMnist => FashionMnistNames,
            _ => throw new ArgumentException($"Unknown label set '{name}'; known: {string.Join(", ", LabelCatalog.Names)}.", nameof(name)),
        };
        if (names.Length != numClasses)
            throw new ArgumentException($"Label set '{name}' has {names.Length} classes but the network has {numClasses}.", nameof(numClasses));
        return names;
    }

    /// <summary>A caller's or a spec's own class names, checked: one per class, none blank, none repeated.</summary>
    /// <param name="names">One name per class, in logit order.</param>
    /// <param name="numClasses">The network's classes.</param>
    /// <param name="parameter">The argument the names came in, for the exception.</param>
    /// <exception cref="ArgumentException">They are not.</exception>
    public static IReadOnlyList<string> Custom(IReadOnlyList<string> names, int numClasses, string parameter = "names")
    {
        ArgumentNullException.ThrowIfNull(names, parameter);
        if (names.Count != numClasses)
            throw new ArgumentException($"{names.Count} class names were given but the network has {numClasses} classes.", parameter);
        foreach (var (_, problem) in ClassNameRules.Problems(names))
            throw new ArgumentException($"Class names: {problem}.", parameter);
        return [.. names];
    }

    private static string[] LoadImageNet()
    {
        const string resource = "DenseNetGen.Labels.imagenet1k.txt";
        using var stream = typeof(LabelSet).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' is missing from {typeof(LabelSet).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }
}
