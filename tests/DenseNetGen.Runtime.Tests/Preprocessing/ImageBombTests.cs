using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

/// <summary>
/// The pixel cap: images declaring more pixels than <see cref="ImageDecoder.MaxPixels"/> are refused from the header,
/// before any pixel buffer exists, as an <see cref="ImageDecodeException"/> naming the file.
/// </summary>
public sealed class ImageBombTests
{
    public static TheoryData<string, int, int> Bombs() => new()
    {
        { "png", 40000, 40000 },   // 1.6 gigapixels: width*height*4 overflowed int before the cap
        { "png", 12000, 9000 },     // 108 megapixels, just over the default cap
        { "jpeg", 60000, 60000 },
        { "bmp", 20000, 20000 },
        { "bmp", 30000, -30000 },  // top-down rows
    };

    [Theory]
    [MemberData(nameof(Bombs))]
    public void A_declared_size_over_the_default_cap_is_refused_from_the_header(string format, int width, int height)
    {
        var bytes = format switch
        {
            "png" => HostileImages.Png(width, height),
            "jpeg" => HostileImages.Jpeg(width, height),
            _ => HostileImages.Bmp(width, height),
        };
        var name = $"bomb-{width}x{height}.{format}";

        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, 3, name));

        Assert.Equal(name, e.ImageSource);
        Assert.Contains($"{width}x{Math.Abs(height)}", e.Message);
        Assert.Contains($"cap of {ImageDecoder.DefaultMaxPixels:N0}", e.Message);
    }

    [Fact]
    public void A_size_past_what_the_codec_supports_is_refused_by_the_codec()
    {
        // Skia's BMP codec refuses dimensions over 2^16 itself; that refusal is an ImageDecodeException too.
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(HostileImages.Bmp(100000, 100000), 3, "wide.bmp"));

        Assert.Contains("wide.bmp", e.Message);
    }

    [Fact]
    public void A_bomb_file_on_disk_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"densenet-bomb-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, HostileImages.Png(40000, 40000));
        try
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));

            Assert.Equal(path, e.ImageSource);
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_cap_applies_to_genuine_images_and_can_be_raised_per_call()
    {
        var png = HostileImages.GenuinePng(300, 200);

        var refused = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, 3, "genuine.png", maxPixels: 59_999));
        var decoded = ImageDecoder.Decode(png, 3, "genuine.png", maxPixels: 60_000);

        Assert.Contains("300x200 = 60,000 pixels, more than the cap of 59,999", refused.Message);
        Assert.Equal((300, 200), (decoded.Width, decoded.Height));
        Assert.Equal([299 % 256, 199, (299 + 199) % 256], decoded.Pixels[^3..].Select(b => (int)b));
    }

    [Fact]
    public void A_size_under_the_cap_with_missing_pixel_data_fails_cleanly()
    {
        // Under the cap the decoder does run: the 4 MB buffer is allocated, the data runs out, and that is a decode error.
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(HostileImages.Png(1000, 1000), 3, "short.png"));

        Assert.Contains("short.png", e.Message);
    }

    [Theory]
    [InlineData("100000000", 100_000_000L)]
    [InlineData(" 250_000_000 ", 250_000_000L)]
    [InlineData("1,000", 1000L)]
    public void The_setting_parses_as_users_type_it(string text, long expected)
    {
        Assert.Equal(expected, ImageDecoder.ParseMaxPixels(text, ImageDecoder.MaxPixelsVariable));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("1e9")]
    [InlineData("99999999999999999999")]
    public void A_bad_setting_is_an_error_naming_where_it_came_from(string text)
    {
        var e = Assert.Throws<DenseNetGen.Backends.InvalidSettingException>(() => ImageDecoder.ParseMaxPixels(text, "--max-image-pixels"));

        Assert.StartsWith($"--max-image-pixels: '{text}'", e.Message);
    }
}
