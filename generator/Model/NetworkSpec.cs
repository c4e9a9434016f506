using DenseNetGen.Planning;

namespace DenseNetGen.Generator.Model
{
    internal enum StemKind
    {
        /// <summary>conv7x7/2 → BN → ReLU → maxpool3x3/2 (torchvision).</summary>
        ImageNet,
        /// <summary>A single conv3x3/1 (small inputs such as CIFAR or Fashion-MNIST).</summary>
        Cifar,
    }

    /// <summary>
    /// A validated spec. The locations of the values that later checks depend on are kept so
    /// <see cref="Planning.PlanBuilder"/> can point at them.
    /// </summary>
    internal sealed record NetworkSpec(
        string Name,
        SourceLocation NameLocation,
        string? Namespace,
        int GrowthRate,
        EquatableArray<int> BlockConfig,
        int InitChannels,
        int BnSize,
        double Compression,
        SourceLocation CompressionLocation,
        StemKind Stem,
        int InChannels,
        int NumClasses,
        int InputSize,
        SourceLocation InputSizeLocation,
        string? Labels,
        // Preprocessing, with defaults already applied.
        PreprocessInfo Preprocess,
        // The spec's own class names: given inline, or read from LabelsFile by the generator's labels step.
        EquatableArray<string>? ClassNames = null,
        LabelsFile? LabelsFile = null);

    /// <summary>
    /// <c>"labels": { "file": "classes.txt" }</c>: a path relative to the spec's folder, read only if it is one of
    /// the project's AdditionalFiles; <see cref="Location"/> is the path's token, where problems with it are reported.
    /// </summary>
    internal sealed record LabelsFile(string RelativePath, SourceLocation Location);
}
