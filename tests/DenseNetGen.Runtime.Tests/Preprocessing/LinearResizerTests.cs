using System.IO.Compression;
using System.Text.Json;
using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

public sealed class LinearResizerTests
{
    [Fact]
    public void Matches_cv2_resize_inter_linear_bit_for_bit_at_every_reference_size()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ReferenceImages.PathOf("resize.json")));
        var sizes = doc.RootElement.GetProperty("sizes").EnumerateArray()
            .Select(s => (W: s[0].GetInt32(), H: s[1].GetInt32())).ToArray();
        var rgb = ImageDecoder.Decode(ReferenceImages.PathOf(doc.RootElement.GetProperty("image").GetString()!), 3);
        var gray = rgb.ToChannels(1);
        using var expected = new GZipStream(File.OpenRead(ReferenceImages.PathOf("resize.u8.gz")), CompressionMode.Decompress);

        foreach (var (w, h) in sizes)
        {
            foreach (var source in new[] { rgb, gray })
            {
                var reference = new byte[w * h * source.Channels];
                expected.ReadExactly(reference);

                var resized = LinearResizer.Resize(source, w, h);

                Assert.True(reference.AsSpan().SequenceEqual(resized.Pixels), $"{source} -> {w}x{h} differs from cv2.resize");
            }
        }
        Assert.Equal(-1, expected.ReadByte());
    }
}
