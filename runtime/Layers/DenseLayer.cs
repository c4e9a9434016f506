namespace DenseNetGen.Layers;

/// <summary>BN → ReLU → conv1x1 → BN → ReLU → conv3x3; torchvision's _DenseLayer.</summary>
public sealed class DenseLayer(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public BatchNorm2d Norm1 { get; } = new(model, prefix + ".norm1");
    public Conv2d Conv1 { get; } = new(model, prefix + ".conv1");
    public BatchNorm2d Norm2 { get; } = new(model, prefix + ".norm2");
    public Conv2d Conv2 { get; } = new(model, prefix + ".conv2");
}
