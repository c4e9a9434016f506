using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>
/// An inference BatchNorm2d: y = (x − mean) / √(var + 1e-5) · γ + β per channel. Each tensor is read from the
/// model's bound weights on access; a missing one throws <see cref="KeyNotFoundException"/>.
/// </summary>
public sealed class BatchNorm2d(DenseNetModel model, string prefix)
{
    /// <summary>Canonical (torchvision) module name, e.g. "features.norm0"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The scale γ, [channels].</summary>
    public Tensor Weight => model.GetParameter(LayerNames.Weight(Prefix));
    /// <summary>The shift β, [channels].</summary>
    public Tensor Bias => model.GetParameter(LayerNames.Bias(Prefix));
    /// <summary>The running mean used at inference, [channels].</summary>
    public Tensor RunningMean => model.GetParameter(Prefix + ".running_mean");
    /// <summary>The running variance used at inference, [channels] (eps 1e-5 is added before the square root).</summary>
    public Tensor RunningVar => model.GetParameter(Prefix + ".running_var");
}
