using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

public sealed class ImageDecoderTests
{
    [Fact]
    public void A_missing_file_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "densenetgen-no-such-image.png");

        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));

        Assert.Equal(path, e.ImageSource);
        Assert.Contains(path, e.Message);
        Assert.IsAssignableFrom<DenseNetException>(e);
    }

    [Fact]
    public void Bytes_that_are_not_an_image_name_the_source()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("not an image at all"u8, 3, "notes.txt"));

        Assert.Contains("notes.txt", e.Message);
    }

    [Fact]
    public void A_truncated_png_is_an_error_not_a_crash()
    {
        var bytes = File.ReadAllBytes(ReferenceImages.PathOf("odd-397x283.png"));

        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes.AsSpan(0, bytes.Length / 2), 3, "half.png"));
    }

    [Fact]
    public void Exif_orientation_is_applied_like_cv2_imread()
    {
        // Stored 160x96 with orientation 6 (rotate 90 degrees clockwise).
        var image = ImageDecoder.Decode(ReferenceImages.PathOf("exif-rotate90-160x96.jpg"));

        Assert.Equal((96, 160), (image.Width, image.Height));
    }

    [Fact]
    public void Stream_and_path_decode_alike()
    {
        var path = ReferenceImages.PathOf("portrait-97x131.bmp");
        using var stream = File.OpenRead(path);

        var fromStream = ImageDecoder.Decode(stream);
        var fromPath = ImageDecoder.Decode(path);

        Assert.Equal(fromPath.Pixels, fromStream.Pixels);
    }

    [Fact]
    public void Gray_png_replicates_into_rgb_and_converts_back_exactly()
    {
        var gray = ImageDecoder.Decode(ReferenceImages.PathOf("gray-150x200.png"), 1);
        var rgb = ImageDecoder.Decode(ReferenceImages.PathOf("gray-150x200.png"), 3);

        Assert.Equal(gray.Pixels, rgb.ToChannels(1).Pixels);
        Assert.Equal(gray.Pixels, rgb.Pixels.Where((_, i) => i % 3 == 1).ToArray());
    }
}
