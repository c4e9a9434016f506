// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
namespace DenseNetGen.Planning;

/// <summary>
/// One step of a <see cref="NetworkPlan"/>. Every op reads <c>channels</c> channels starting at a
/// channel offset of its source buffer and writes at a channel offset of its destination buffer;
/// offsets let a dense layer read the block's features so far and append its own.
/// Output spatial size: (size + 2·padding − kernel) / stride + 1, floored (see <see cref="OpWindow"/>).
/// </summary>
/// <remarks>
/// What every backend needs to know about an op without knowing its kind (which channels it reads and writes,
/// the window one output pixel covers) lives here, with the op; <see cref="PlanGeometry"/> walks a plan with
/// nothing but these members.
/// </remarks>
public abstract record PlanOp
{
    /// <summary>The channels this op reads.</summary>
    public abstract BufferSlice Reads { get; }

    /// <summary>The channels this op writes.</summary>
    public abstract BufferSlice Writes { get; }

    /// <summary>The window one output pixel covers, for a source of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public abstract OpWindow Window(int height, int width);

    /// <summary>A few words naming the op in error messages, e.g. "conv features.conv0.weight".</summary>
    public abstract string Summary { get; }
}

/// <summary>Channels [<paramref name="ChannelOffset"/>, <paramref name="ChannelOffset"/> + <paramref name="Channels"/>) of a plan buffer.</summary>
/// <param name="Buffer">Index of the buffer in <see cref="NetworkPlan.Buffers"/>.</param>
/// <param name="ChannelOffset">First channel.</param>
/// <param name="Channels">Number of channels.</param>
public readonly record struct BufferSlice(int Buffer, int ChannelOffset, int Channels)
{
    /// <summary>One past the last channel: <see cref="ChannelOffset"/> + <see cref="Channels"/>.</summary>
    public int End => ChannelOffset + Channels;
}

/// <summary>
/// The input window of one output pixel: rows [oy·StrideY − Padding, +Height), columns likewise. Output size per
/// axis: (size + 2·Padding − window) / stride + 1, floored.
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="StrideY">Rows between the windows of neighbouring output rows.</param>
/// <param name="StrideX">Columns between the windows of neighbouring output columns.</param>
/// <param name="Padding">Implicit rows and columns added on every side (zeros for a conv, −∞ for max pooling).</param>
public readonly record struct OpWindow(int Height, int Width, int StrideY, int StrideX, int Padding)
{
    /// <summary>A <paramref name="kernel"/> × <paramref name="kernel"/> window with the same stride on both axes.</summary>
    public static OpWindow Square(int kernel, int stride, int padding) => new(kernel, kernel, stride, stride, padding);

    /// <summary>Output rows for <paramref name="height"/> input rows; negative when the input is smaller than the window.</summary>
    public int OutputHeight(int height) => Output(height, Height, StrideY);

    /// <summary>Output columns for <paramref name="width"/> input columns; negative when the input is smaller than the window.</summary>
    public int OutputWidth(int width) => Output(width, Width, StrideX);

    private int Output(int size, int window, int stride)
    {
        int span = size + 2 * Padding - window;
        return span < 0 ? -1 : span / stride + 1;
    }
}

/// <summary>
/// Convolution (also the classifier: a Linear layer is a 1x1 convolution on a 1x1 map, and its
/// [out, in] weight has the same memory layout as [out, in, 1, 1]).
/// </summary>
/// <param name="Source">Index of the buffer read.</param>
/// <param name="SourceChannelOffset">First channel read.</param>
/// <param name="InChannels">Channels read.</param>
/// <param name="Destination">Index of the buffer written.</param>
/// <param name="DestinationChannelOffset">First channel written (a dense layer appends its features to the block's buffer).</param>
/// <param name="OutChannels">Channels written.</param>
/// <param name="Kernel">Square kernel size (1 or 3 in a DenseNet, 7 for the stem).</param>
/// <param name="Stride">Stride on both axes.</param>
/// <param name="Padding">Zero padding on every side.</param>
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
    string Weight, string? Bias, string? FoldedNorm, bool Relu) : PlanOp
{
    /// <inheritdoc/>
    public override BufferSlice Reads => new(Source, SourceChannelOffset, InChannels);
    /// <inheritdoc/>
    public override BufferSlice Writes => new(Destination, DestinationChannelOffset, OutChannels);
    /// <inheritdoc/>
    public override OpWindow Window(int height, int width) => OpWindow.Square(Kernel, Stride, Padding);
    /// <inheritdoc/>
    public override string Summary => $"conv {Weight}";
}

/// <summary>
/// Inference BatchNorm (eps 1e-5) followed by ReLU and an optional pooling, written at channel
/// offset 0 of the destination. Pooling after the activation lets the plan move a transition's
/// 2x2 average pool in front of its 1x1 conv (both are linear, so they commute) and compute the
/// conv on a quarter of the pixels.
/// </summary>
/// <param name="Source">Index of the buffer read.</param>
/// <param name="SourceChannelOffset">First channel read.</param>
/// <param name="Channels">Channels read, and written at offset 0 of <paramref name="Destination"/>.</param>
/// <param name="Destination">Index of the buffer written.</param>
/// <param name="Pool">Pooling applied after the ReLU.</param>
/// <param name="Norm">Canonical prefix of the BatchNorm parameters (".weight", ".bias", ".running_mean", ".running_var").</param>
public sealed record BatchNormReluOp(
    int Source, int SourceChannelOffset, int Channels,
    int Destination, string Norm, PoolKind Pool) : PlanOp
{
    /// <inheritdoc/>
    public override BufferSlice Reads => new(Source, SourceChannelOffset, Channels);
    /// <inheritdoc/>
    public override BufferSlice Writes => new(Destination, 0, Channels);

    /// <summary>Non-overlapping: the stride equals the window, with no padding.</summary>
    public override OpWindow Window(int height, int width) => Pool switch
    {
        PoolKind.None => OpWindow.Square(1, 1, 0),
        PoolKind.Average2x2 => OpWindow.Square(2, 2, 0),
        _ => new OpWindow(height, width, height, width, 0),
    };

    /// <inheritdoc/>
    public override string Summary => $"batchnorm {Norm}, pool {Pool}";
}

/// <summary>Max pooling with implicit −∞ padding, as torch.nn.MaxPool2d.</summary>
/// <param name="Source">Index of the buffer read (from channel 0).</param>
/// <param name="Channels">Channels read and written.</param>
/// <param name="Destination">Index of the buffer written (at channel 0).</param>
/// <param name="Kernel">Square window size.</param>
/// <param name="Stride">Stride on both axes.</param>
/// <param name="Padding">−∞ padding on every side.</param>
public sealed record MaxPoolOp(
    int Source, int Channels, int Destination,
    int Kernel, int Stride, int Padding) : PlanOp
{
    /// <inheritdoc/>
    public override BufferSlice Reads => new(Source, 0, Channels);
    /// <inheritdoc/>
    public override BufferSlice Writes => new(Destination, 0, Channels);
    /// <inheritdoc/>
    public override OpWindow Window(int height, int width) => OpWindow.Square(Kernel, Stride, Padding);
    /// <inheritdoc/>
    public override string Summary => $"maxpool k{Kernel} s{Stride}";
}

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
