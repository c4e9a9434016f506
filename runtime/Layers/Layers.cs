namespace DenseNetGen.Layers;

// Typed views of a model's bound parameters, mirroring torchvision's module tree. The generated
// class exposes them under the module names (Conv0, Norm0, DenseBlock1, Transition1, Norm5, Classifier).

/// <summary>A 2-D convolution without bias: weight [out, in, k, k].</summary>
public sealed class Conv2d(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public Tensor Weight => model.GetParameter(Prefix + ".weight");
}

/// <summary>An inference BatchNorm2d.</summary>
public sealed class BatchNorm2d(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public Tensor Weight => model.GetParameter(Prefix + ".weight");
    public Tensor Bias => model.GetParameter(Prefix + ".bias");
    public Tensor RunningMean => model.GetParameter(Prefix + ".running_mean");
    public Tensor RunningVar => model.GetParameter(Prefix + ".running_var");
}

/// <summary>The classifier: weight [out, in], bias [out].</summary>
public sealed class Linear(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public Tensor Weight => model.GetParameter(Prefix + ".weight");
    public Tensor Bias => model.GetParameter(Prefix + ".bias");
}

/// <summary>BN → ReLU → conv1x1 → BN → ReLU → conv3x3; torchvision's _DenseLayer.</summary>
public sealed class DenseLayer(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public BatchNorm2d Norm1 { get; } = new(model, prefix + ".norm1");
    public Conv2d Conv1 { get; } = new(model, prefix + ".conv1");
    public BatchNorm2d Norm2 { get; } = new(model, prefix + ".norm2");
    public Conv2d Conv2 { get; } = new(model, prefix + ".conv2");
}

/// <summary>A dense block: its layers in order (Layers[0] is torchvision's denselayer1).</summary>
public sealed class DenseBlock(DenseNetModel model, string prefix, int layerCount)
{
    public string Prefix { get; } = prefix;
    public IReadOnlyList<DenseLayer> Layers { get; } =
        Enumerable.Range(1, layerCount).Select(i => new DenseLayer(model, $"{prefix}.denselayer{i}")).ToArray();
}

/// <summary>BN → ReLU → conv1x1 → avgpool 2x2; torchvision's _Transition.</summary>
public sealed class Transition(DenseNetModel model, string prefix)
{
    public string Prefix { get; } = prefix;
    public BatchNorm2d Norm { get; } = new(model, prefix + ".norm");
    public Conv2d Conv { get; } = new(model, prefix + ".conv");
}
