using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>A dense block: its layers in order (Layers[0] is torchvision's denselayer1).</summary>
public sealed class DenseBlock(DenseNetModel model, string prefix, int layerCount)
{
    public string Prefix { get; } = prefix;
    public IReadOnlyList<DenseLayer> Layers { get; } =
        Enumerable.Range(1, layerCount).Select(i => new DenseLayer(model, LayerNames.DenseLayer(prefix, i))).ToArray();
}
