using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// What a blocked kernel accepts as a conv or pool: each bad field refused on its own (the exception's parameter names
/// the check that fired), and the shapes at each limit accepted, with torch's output size (floor mode).
/// </summary>
public sealed class ConvShapeTests
{
    // Batch, Height, Width, SourceChannels, InOffset, InChannels, DestinationChannels, OutOffset, OutChannels, Kernel, Stride, Padding
    private static readonly ConvShape s_valid = new(1, 5, 5, 8, 0, 8, 8, 0, 8, 3, 1, 1);

    public static TheoryData<string, string> BadShapes() => new()
    {
        { "batch 0", "Batch" }, { "height 0", "Batch" }, { "width 0", "Batch" }, { "no input channels", "Batch" },
        { "no output channels", "Batch" }, { "kernel 0", "Batch" }, { "stride 0", "Batch" }, { "negative padding", "Batch" },
        { "negative input offset", "InOffset" }, { "input past the source", "InOffset" },
        { "negative output offset", "InOffset" }, { "output past the destination", "InOffset" },
        { "rows under the kernel", "Kernel" }, { "columns under the kernel", "Kernel" }, { "padding a whole window", "Kernel" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void EachBadFieldIsRefused(string what, string check)
    {
        var shape = what switch
        {
            "batch 0" => s_valid with { Batch = 0 },
            "height 0" => s_valid with { Height = 0 },
            "width 0" => s_valid with { Width = 0 },
            "no input channels" => s_valid with { InChannels = 0 },
            "no output channels" => s_valid with { OutChannels = 0 },
            "kernel 0" => s_valid with { Kernel = 0, Padding = 0 },
            "stride 0" => s_valid with { Stride = 0 },
            "negative padding" => s_valid with { Padding = -1 },
            "negative input offset" => s_valid with { InOffset = -1, InChannels = 1 },
            "input past the source" => s_valid with { InOffset = 1 },
            "negative output offset" => s_valid with { OutOffset = -1, OutChannels = 1 },
            "output past the destination" => s_valid with { OutOffset = 1 },
            "rows under the kernel" => s_valid with { Height = 2, Padding = 0 },
            "columns under the kernel" => s_valid with { Width = 2, Padding = 0 },
            "padding a whole window" => s_valid with { Padding = 3 },
            _ => throw new ArgumentException(what),
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(shape.Validate);
        Assert.Equal(check, error.ParamName);
        string fields = $"ConvShape {{ Batch = {shape.Batch}, Height = {shape.Height}, Width = {shape.Width}, SourceChannels = 8, InOffset = {shape.InOffset}, " +
            $"InChannels = {shape.InChannels}, DestinationChannels = 8, OutOffset = {shape.OutOffset}, OutChannels = {shape.OutChannels}, " +
            $"Kernel = {shape.Kernel}, Stride = {shape.Stride}, Padding = {shape.Padding} }}";
        Assert.StartsWith(check switch
        {
            "Batch" => $"Invalid conv shape {fields}.",
            "InOffset" => $"The conv's channels lie outside its buffers: {fields}.",
            _ => $"The conv has no output or pads a whole window: {fields}.",
        }, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Batch, Height, Width, SourceChannels, InOffset, InChannels, DestinationChannels, OutOffset, OutChannels, Kernel, Stride, Padding, out rows, out columns
    [InlineData(1, 5, 5, 8, 2, 6, 8, 3, 5, 3, 1, 1, 5, 5)]      // channels ending at the buffers' last
    [InlineData(2, 1, 1, 1, 0, 1, 1, 0, 1, 3, 1, 1, 1, 1)]      // a 1x1 map padded to exactly the window
    [InlineData(1, 3, 4, 4, 0, 4, 4, 0, 4, 3, 1, 0, 1, 2)]      // no padding, rows exactly the window
    [InlineData(1, 4, 4, 4, 0, 4, 4, 0, 4, 3, 2, 2, 3, 3)]      // padding one less than the window
    [InlineData(1, 23, 29, 3, 0, 3, 20, 0, 20, 7, 2, 3, 12, 15)] // the stem, odd sizes: (23 + 6 − 7) / 2 + 1
    [InlineData(1, 11, 13, 19, 17, 2, 33, 0, 33, 5, 3, 2, 4, 5)] // stride 3 floors: (11 + 4 − 5) / 3 + 1
    [InlineData(1, 2, 3, 1, 0, 1, 1, 0, 1, 1, 1, 0, 2, 3)]       // a 1x1 window
    public void ShapesAtTheLimitsAreAcceptedWithTorchsOutputSize(int batch, int height, int width, int sourceChannels, int inOffset,
        int inChannels, int destinationChannels, int outOffset, int outChannels, int kernel, int stride, int padding, int outHeight, int outWidth)
    {
        var shape = new ConvShape(batch, height, width, sourceChannels, inOffset, inChannels, destinationChannels, outOffset, outChannels,
            kernel, stride, padding);
        shape.Validate();
        Assert.Equal((outHeight, outWidth), (shape.OutHeight, shape.OutWidth));
    }
}
