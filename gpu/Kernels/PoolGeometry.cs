namespace DenseNetGen.Backends.Ilgpu.Kernels;

/// <summary>
/// A BatchNorm+ReLU+average-pool or a max-pool launch, passed to the kernel by value. Activations are NCHW with a
/// channel capacity per buffer (see <see cref="ConvGeometry"/>); the source is read from channel
/// <see cref="SourceOffset"/>, the destination written from channel 0. One output pixel covers input rows
/// [oy·Stride − Padding, +Window) and likewise columns.
/// </summary>
internal readonly record struct PoolGeometry(
    int Batch, int Channels,
    int SourceCapacity, int SourceOffset, int InHeight, int InWidth,
    int DestinationCapacity, int OutHeight, int OutWidth,
    int WindowHeight, int WindowWidth, int Stride, int Padding)
{
    public int OutputCount => Batch * Channels * OutHeight * OutWidth;
}
