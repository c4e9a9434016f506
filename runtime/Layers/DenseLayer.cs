using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>BN → ReLU → conv1x1 → BN → ReLU → conv3x3; torchvision's _DenseLayer.</summary>
public sealed class DenseLayer(DenseNetModel model, string prefix)
{
    /// <summary>Canonical (torchvision) module name, e.g. "features.denseblock1.denselayer1"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The norm over the block's features so far.</summary>
    public BatchNorm2d Norm1 { get; } = new(model, LayerNames.Norm1(prefix));
    /// <summary>The 1x1 bottleneck conv (bn_size × growth rate outputs).</summary>
    public Conv2d Conv1 { get; } = new(model, LayerNames.Conv1(prefix));
    /// <summary>The norm over the bottleneck's output.</summary>
    public BatchNorm2d Norm2 { get; } = new(model, LayerNames.Norm2(prefix));
    /// <summary>The 3x3 conv producing the layer's growth-rate new channels.</summary>
    public Conv2d Conv2 { get; } = new(model, LayerNames.Conv2(prefix));
}
