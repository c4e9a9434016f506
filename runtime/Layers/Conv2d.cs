using DenseNetGen.Planning;

namespace DenseNetGen.Layers;

// Typed views of a model's bound parameters, mirroring torchvision's module tree. The generated
// class exposes them under the module names (Conv0, Norm0, DenseBlock1, Transition1, Norm5, Classifier).

/// <summary>A 2-D convolution without bias: weight [out, in, k, k].</summary>
public sealed class Conv2d(DenseNetModel model, string prefix)
{
    /// <summary>Canonical (torchvision) module name, e.g. "features.conv0"; parameter names are this plus ".weight", ".bias", ....</summary>
    public string Prefix { get; } = prefix;
    /// <summary>The kernel, [out, in, k, k] float32, read from the model's bound weights.</summary>
    public Tensor Weight => model.GetParameter(LayerNames.Weight(Prefix));
}
