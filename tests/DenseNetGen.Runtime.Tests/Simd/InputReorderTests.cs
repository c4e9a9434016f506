using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The NCHW input into the blocked layout (<see cref="Blocked"/>): every float of the destination, written from a
/// NaN-filled start, against the layout's index formula applied to each element, lanes past the channels 0. Shapes
/// give one to three channel blocks (the last partial) and rows cut into ranges of uneven length, at every width (the
/// partial block's pixels are zeroed by vectors first). Tiles run last to first, an order a scheduler may pick, so a
/// tile that wrote past its range into a neighbour's finished pixels would be caught.
/// </summary>
public sealed class InputReorderTests
{
    public static IEnumerable<object[]> Cases()
    {
        object[][] shapes =
        [
            [1, 3, 9, 11],  // a stem image: one block, a range per row
            [2, 20, 5, 4],  // two blocks, the second 4 channels: 4 ranges of 5 rows
            [1, 33, 40, 3], // three blocks, 5 ranges of 8 rows
            [3, 1, 1, 7],   // one row: one range
            [17, 16, 2, 2], // more images than target tiles: a whole image per tile
        ];
        foreach (int bits in new[] { 512, 256, 128 })
            foreach (var shape in shapes)
                yield return [.. shape, bits];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public unsafe void EveryFloatLandsAtItsBlockedIndex(int batch, int channels, int height, int width, int bits)
    {
        var random = new Random(batch * 1000 + channels);
        var input = new PinnedFloats((long)batch * channels * height * width);
        for (int i = 0; i < input.Length; i++) input.Span[i] = (float)(random.NextDouble() * 2 - 1);
        var output = new PinnedFloats(Blocked.Length(batch, channels, height, width));
        output.Span.Fill(float.NaN);
        int blocks = (channels + 15) / 16;
        var expected = new float[output.Length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < height * width; p++)
                    expected[((n * blocks + c / 16) * height * width + p) * 16 + c % 16] = input.Span[(n * channels + c) * height * width + p];

        ISimdLaunch reorder = bits switch
        {
            512 => new InputReorder<Vec512>(batch, channels, height, width, output.Pointer) { Source = input.Pointer },
            256 => new InputReorder<Vec256>(batch, channels, height, width, output.Pointer) { Source = input.Pointer },
            _ => new InputReorder<Vec128>(batch, channels, height, width, output.Pointer) { Source = input.Pointer },
        };
        for (int tile = reorder.TileCount - 1; tile >= 0; tile--) reorder.RunTile(tile);

        Assert.Equal(expected, output.Span.ToArray());
    }
}
