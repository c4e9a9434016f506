namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>
/// Everything a convolution launch needs besides its buffers, passed to the kernel by value.
/// </summary>
/// <remarks>
/// Layouts the conv kernels assume:
/// <list type="bullet">
/// <item>Activations are NCHW with a channel capacity per buffer: element (n, c, y, x) of a buffer with
/// capacity C and spatial H×W lives at ((n·C + c)·H + y)·W + x. A conv reads channels
/// [SourceOffset, SourceOffset + InChannels) and writes [DestinationOffset, DestinationOffset + OutChannels).</item>
/// <item>Weights are uploaded transposed as [InChannels][K][K][OutPadded] (OutPadded = OutChannels rounded up to
/// <see cref="ConvKernels.ChannelTile"/>, zero-filled), so a thread's channel tile loads contiguously.</item>
/// <item>Bias is [OutPadded] (zeros when the op has none); the folded BatchNorm is already in weight and bias.</item>
/// </list>
/// Relu and ChannelsFastest are 0/1 flags (kernel parameters must be blittable); ChannelsFastest is set per
/// backend by the kernel set (see <c>KernelSets/CpuKernelSet</c>).
/// </remarks>
internal readonly record struct ConvGeometry(
    int Batch,
    int InChannels, int SourceCapacity, int SourceOffset, int InHeight, int InWidth,
    int OutChannels, int OutPadded, int DestinationCapacity, int DestinationOffset, int OutHeight, int OutWidth,
    int Kernel, int Stride, int Padding, int Relu, int ChannelsFastest = 0)
{
    public int InPixels => InHeight * InWidth;
    public int OutPixels => OutHeight * OutWidth;
    public int ChannelTiles => OutPadded / ConvKernels.ChannelTile;
    public long MultiplyAdds => (long)Batch * OutChannels * OutPixels * InChannels * Kernel * Kernel;

    /// <summary>A 1x1, stride-1, unpadded conv: a per-image GEMM over flattened pixels.</summary>
    public bool IsPointwise => Kernel == 1 && Stride == 1 && Padding == 0;

    public static int Pad(int channels) =>
        (channels + ConvKernels.ChannelTile - 1) / ConvKernels.ChannelTile * ConvKernels.ChannelTile;
}
