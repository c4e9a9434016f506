using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>BN → ReLU → conv1x1 → avgpool 2x2; torchvision's _Transition.</summary>
public sealed class Transition(DenseNetModel model, string prefix)
{
    /// <summary>Canonical (torchvision) module name, e.g. "features.transition1"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The norm over the dense block's output.</summary>
    public BatchNorm2d Norm { get; } = new(model, LayerNames.TransitionNorm(prefix));
    /// <summary>The 1x1 conv that compresses the channels (usually halves them).</summary>
    public Conv2d Conv { get; } = new(model, LayerNames.TransitionConv(prefix));
}
