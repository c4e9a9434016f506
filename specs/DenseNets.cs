using DenseNetGen.Execution;
using DenseNetGen.Inference;

namespace DenseNetGen.Zoo;

/// <summary>
/// The model zoo by name, in the spirit of mmpretrain's get_model: <c>DenseNets.Get("densenet121", weights: path)</c>,
/// or <c>DenseNets.Default()</c> for the embedded Fashion-MNIST net.
/// </summary>
public static class DenseNets
{
    /// <summary>The name of the model used when none is given.</summary>
    public const string DefaultName = "fashion-mnist";

    /// <summary>Every model of the zoo, the embedded Fashion-MNIST net first.</summary>
    public static IReadOnlyList<ZooModel> Models { get; } =
    [
        new(FashionMnistDenseNet.Definition, FashionMnistDenseNet.Card, ["fashion-mnist", "densenet-fashion-mnist"],
            "DenseNetGen.Zoo.weights.fashion_mnist_densenet.pth", null,
            "DenseNet-BC trained on Fashion-MNIST (28x28 grayscale, 10 classes); weights ship inside the product",
            FashionMnistDenseNet.Create),
        new(DenseNet121.Definition, DenseNet121.Card, ["densenet121", "densenet121_3rdparty_in1k", "densenet121_4xb256_in1k"],
            null, "densenet121_4xb256_in1k_20220426-07450f99.pth", "ImageNet-1k, 74.96 top-1 (mmpretrain, converted from torchvision)",
            DenseNet121.Create),
        new(DenseNet169.Definition, DenseNet169.Card, ["densenet169", "densenet169_3rdparty_in1k", "densenet169_4xb256_in1k"],
            null, "densenet169_4xb256_in1k_20220426-a2889902.pth", "ImageNet-1k, 76.08 top-1 (mmpretrain, converted from torchvision)",
            DenseNet169.Create),
        new(DenseNet201.Definition, DenseNet201.Card, ["densenet201", "densenet201_3rdparty_in1k", "densenet201_4xb256_in1k"],
            null, "densenet201_4xb256_in1k_20220426-05cae4ef.pth", "ImageNet-1k, 77.32 top-1 (mmpretrain, converted from torchvision)",
            DenseNet201.Create),
        new(DenseNet161.Definition, DenseNet161.Card, ["densenet161", "densenet161_3rdparty_in1k", "densenet161_4xb256_in1k"],
            null, "densenet161_4xb256_in1k_20220426-ee6a80a9.pth", "ImageNet-1k, 77.61 top-1 (mmpretrain, converted from torchvision)",
            DenseNet161.Create),
    ];

    /// <summary>A zoo model by any of its names (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists the names.</exception>
    public static ZooModel Find(string name) =>
        Models.FirstOrDefault(m => m.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            $"Unknown model '{name}'. Known models: {string.Join(", ", Models.Select(m => m.Name))}.", nameof(name));

    /// <summary>Loads a zoo model's network with weights from a file (or its embedded weights when null).</summary>
    public static DenseNetModel Load(string name, string? weights = null, ComputeDevice? device = null) =>
        Find(name).Load(weights, device ?? ComputeDevice.Default);

    /// <summary>An image classifier for a zoo model: preprocessing, labels and top-k included.</summary>
    public static ImageClassifier Get(string name, string? weights = null, ComputeDevice? device = null) =>
        new(Load(name, weights, device));

    /// <summary>The embedded default: a DenseNet trained on Fashion-MNIST.</summary>
    public static ImageClassifier Default(ComputeDevice? device = null) => Get(DefaultName, null, device);
}
