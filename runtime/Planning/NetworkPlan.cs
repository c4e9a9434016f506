namespace DenseNetGen.Planning;

/// <summary>
/// The static execution plan of one network, computed by the source generator from a spec and
/// emitted as a constant into the generated class. The runtime interprets it; it holds no
/// DenseNet topology logic of its own.
/// </summary>
/// <remarks>
/// Buffers are NCHW float tensors whose channel count is fixed by the plan and whose spatial size
/// follows from the input's height and width as the ops are walked (see <see cref="PlanOp"/>).
/// Buffer 0 is always the network input. Each dense block owns one buffer sized for the block's
/// final channel count; every dense layer writes its new channels at its offset, so the
/// concatenation costs nothing.
/// </remarks>
/// <param name="Name">The class name from the spec.</param>
/// <param name="InChannels">Channels of the input image.</param>
/// <param name="InputSize">The spec's default square input size.</param>
/// <param name="NumClasses">Number of logits.</param>
/// <param name="FeatureChannels">Channels of the pooled pre-logit features.</param>
/// <param name="Buffers">Every buffer, indexed by the ops.</param>
/// <param name="Ops">The ops in execution order.</param>
/// <param name="FeatureOpCount">How many leading ops produce <paramref name="FeatureBuffer"/>.</param>
/// <param name="FeatureBuffer">Buffer holding pooled features [N, FeatureChannels, 1, 1].</param>
/// <param name="OutputBuffer">Buffer holding logits [N, NumClasses, 1, 1].</param>
/// <param name="Parameters">Every parameter in canonical (torchvision) naming, in state_dict order.</param>
/// <param name="Preprocess">How images are turned into the input tensor.</param>
/// <param name="Labels">Built-in label set name ("imagenet1k", "fashion-mnist") or null for numbered classes.</param>
/// <param name="ParameterCount">Total learnable parameters (BN running statistics excluded).</param>
/// <param name="MacCount">FLOPs at <paramref name="InputSize"/> as mmpretrain reports them (mmcv's counter: conv multiply-accumulates, BN 2, ReLU and pooling 1 per element, classifier left out).</param>
public sealed record NetworkPlan(
    string Name,
    int InChannels,
    int InputSize,
    int NumClasses,
    int FeatureChannels,
    IReadOnlyList<PlanBuffer> Buffers,
    IReadOnlyList<PlanOp> Ops,
    int FeatureOpCount,
    int FeatureBuffer,
    int OutputBuffer,
    IReadOnlyList<ParameterInfo> Parameters,
    PreprocessInfo Preprocess,
    string? Labels,
    long ParameterCount,
    long MacCount);

/// <summary>A plan buffer: a named NCHW tensor with a fixed channel capacity.</summary>
public sealed record PlanBuffer(string Name, int Channels);

/// <summary>One checkpoint tensor the network needs, in canonical (torchvision) naming.</summary>
public sealed record ParameterInfo(string Name, IReadOnlyList<int> Shape)
{
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// Image preprocessing in mmpretrain's test pipeline order: resize the short edge to
/// <paramref name="ResizeShortEdge"/> (bilinear), center-crop <paramref name="CropSize"/>, then
/// (pixel - mean) / std per channel on 0..255 values. Channel count equals the mean's length
/// (3 = RGB, 1 = grayscale).
/// </summary>
public sealed record PreprocessInfo(IReadOnlyList<float> Mean, IReadOnlyList<float> Std, int ResizeShortEdge, int CropSize);
