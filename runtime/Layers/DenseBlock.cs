using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>A dense block: its layers in order (Layers[0] is torchvision's denselayer1).</summary>
public sealed class DenseBlock(DenseNetModel model, string prefix, int layerCount)
{
    /// <summary>Canonical (torchvision) module name, e.g. "features.denseblock1"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The dense layers in order; each appends its growth-rate channels to the block's features.</summary>
    public IReadOnlyList<DenseLayer> Layers { get; } =
        Enumerable.Range(1, layerCount).Select(i => new DenseLayer(model, LayerNames.DenseLayer(prefix, i))).ToArray();
}
