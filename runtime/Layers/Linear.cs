using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>The classifier: weight [out, in], bias [out].</summary>
public sealed class Linear(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public Tensor Weight => model.GetParameter(LayerNames.Weight(Prefix));
    public Tensor Bias => model.GetParameter(LayerNames.Bias(Prefix));
}
