namespace DenseNetGen.Planning;

/// <summary>
/// One step of a <see cref="NetworkPlan"/>. Every op reads <c>channels</c> channels starting at a
/// channel offset of its source buffer and writes at a channel offset of its destination buffer;
/// offsets let a dense layer read the block's features so far and append its own.
/// Output spatial size: (size + 2·padding − kernel) / stride + 1, floored.
/// </summary>
public abstract record PlanOp;

/// <summary>
/// Convolution (also the classifier: a Linear layer is a 1x1 convolution on a 1x1 map, and its
/// [out, in] weight has the same memory layout as [out, in, 1, 1]).
/// </summary>
/// <param name="Weight">Canonical name of the [out, in, k, k] weight.</param>
/// <param name="Bias">Canonical name of the conv's own bias, or null.</param>
/// <param name="FoldedNorm">
/// Canonical prefix (e.g. "features.norm0") of a BatchNorm that directly follows this conv and is
/// folded into its weight and bias at bind time, or null.
/// </param>
/// <param name="Relu">Apply ReLU to the output (after bias and folded norm).</param>
public sealed record ConvOp(
    int Source, int SourceChannelOffset, int InChannels,
    int Destination, int DestinationChannelOffset, int OutChannels,
    int Kernel, int Stride, int Padding,
    string Weight, string? Bias, string? FoldedNorm, bool Relu) : PlanOp;

/// <summary>
/// Inference BatchNorm (eps 1e-5) followed by ReLU and an optional pooling, written at channel
/// offset 0 of the destination. Pooling after the activation lets the plan move a transition's
/// 2x2 average pool in front of its 1x1 conv (both are linear, so they commute) and compute the
/// conv on a quarter of the pixels.
/// </summary>
/// <param name="Norm">Canonical prefix of the BatchNorm parameters (".weight", ".bias", ".running_mean", ".running_var").</param>
public sealed record BatchNormReluOp(
    int Source, int SourceChannelOffset, int Channels,
    int Destination, string Norm, PoolKind Pool) : PlanOp;

/// <summary>Max pooling with implicit −∞ padding, as torch.nn.MaxPool2d.</summary>
public sealed record MaxPoolOp(
    int Source, int Channels, int Destination,
    int Kernel, int Stride, int Padding) : PlanOp;

/// <summary>Pooling fused into <see cref="BatchNormReluOp"/>.</summary>
public enum PoolKind
{
    /// <summary>Same spatial size.</summary>
    None,
    /// <summary>2x2 average, stride 2, floor: size / 2.</summary>
    Average2x2,
    /// <summary>Global average: 1x1.</summary>
    Global,
}
