using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>BN → ReLU → conv1x1 → BN → ReLU → conv3x3; torchvision's _DenseLayer.</summary>
public sealed class DenseLayer(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public BatchNorm2d Norm1 { get; } = new(model, LayerNames.Norm1(prefix));
    public Conv2d Conv1 { get; } = new(model, LayerNames.Conv1(prefix));
    public BatchNorm2d Norm2 { get; } = new(model, LayerNames.Norm2(prefix));
    public Conv2d Conv2 { get; } = new(model, LayerNames.Conv2(prefix));
}
