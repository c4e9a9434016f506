using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

/// <summary>An inference BatchNorm2d.</summary>
public sealed class BatchNorm2d(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public Tensor Weight => model.GetParameter(LayerNames.Weight(Prefix));
    public Tensor Bias => model.GetParameter(LayerNames.Bias(Prefix));
    public Tensor RunningMean => model.GetParameter(Prefix + ".running_mean");
    public Tensor RunningVar => model.GetParameter(Prefix + ".running_var");
}
