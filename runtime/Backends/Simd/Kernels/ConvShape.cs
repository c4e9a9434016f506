using System.Globalization;
using System.Text;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// One conv as a blocked op sees it: it reads channels [InOffset, InOffset + InChannels) of a source buffer with
/// SourceChannels capacity and Batch × Height × Width pixels, and writes channels [OutOffset, OutOffset + OutChannels)
/// of a destination with DestinationChannels capacity and the conv's output size.
/// </summary>
internal readonly record struct ConvShape(
    int Batch, int Height, int Width,
    int SourceChannels, int InOffset, int InChannels,
    int DestinationChannels, int OutOffset, int OutChannels,
    int Kernel, int Stride, int Padding)
{
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Throws unless the shape describes a conv that reads and writes inside its buffers.</summary>
    public void Validate()
    {
        if (Batch < 1 || Height < 1 || Width < 1 || InChannels < 1 || OutChannels < 1 || Kernel < 1 || Stride < 1 || Padding < 0)
            throw new ArgumentOutOfRangeException(nameof(Batch), $"Invalid conv shape {this}.");
        if (InOffset < 0 || InOffset + InChannels > SourceChannels || OutOffset < 0 || OutOffset + OutChannels > DestinationChannels)
            throw new ArgumentOutOfRangeException(nameof(InOffset), $"The conv's channels lie outside its buffers: {this}.");
        if (Height + 2 * Padding < Kernel || Width + 2 * Padding < Kernel || Padding >= Kernel)
            throw new ArgumentOutOfRangeException(nameof(Kernel), $"The conv has no output or pads a whole window: {this}.");
    }

    /// <summary>
    /// The positional fields only: the record's own printing would add <see cref="OutHeight"/> and <see cref="OutWidth"/>,
    /// which divide by a Stride that a shape being refused may have as 0.
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture,
            $"Batch = {Batch}, Height = {Height}, Width = {Width}, SourceChannels = {SourceChannels}, InOffset = {InOffset}, InChannels = {InChannels}, ");
        builder.Append(CultureInfo.InvariantCulture,
            $"DestinationChannels = {DestinationChannels}, OutOffset = {OutOffset}, OutChannels = {OutChannels}, Kernel = {Kernel}, Stride = {Stride}, Padding = {Padding}");
        return true;
    }
}
