using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>BN → ReLU → conv1x1 → avgpool 2x2; torchvision's _Transition.</summary>
public sealed class Transition(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public BatchNorm2d Norm { get; } = new(model, LayerNames.TransitionNorm(prefix));
    public Conv2d Conv { get; } = new(model, LayerNames.TransitionConv(prefix));
}
