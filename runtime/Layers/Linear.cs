using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>The classifier: weight [out, in], bias [out].</summary>
public sealed class Linear(DenseNetModel model, string prefix)
{
    /// <summary>Canonical (torchvision) module name, e.g. "classifier"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The weight, [out, in] float32.</summary>
    public Tensor Weight => model.GetParameter(LayerNames.Weight(Prefix));
    /// <summary>The bias, [out] float32.</summary>
    public Tensor Bias => model.GetParameter(LayerNames.Bias(Prefix));
}
