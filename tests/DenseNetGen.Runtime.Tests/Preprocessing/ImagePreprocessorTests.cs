using DenseNetGen.Planning;
using DenseNetGen.Preprocessing;
using Xunit.Abstractions;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

public sealed class ImagePreprocessorTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseNames() => new(ReferenceImages.Cases.Select(c => c.Case));

    private static ImagePreprocessor For(ReferenceCase c) => new(new PreprocessInfo(c.Mean, c.Std, c.Resize, c.Crop));

    /// <summary>
    /// Encoded bytes preprocessed into a span (a server request's image, <c>PredictAsync</c>) give OpenCV's tensor and
    /// are charged to the decode budget like a batch's images: the decoded pixels at least, before they exist.
    /// </summary>
    [Fact]
    public void Encoded_bytes_into_a_span_match_OpenCV_and_are_charged_to_the_decode_budget()
    {
        var c = ReferenceImages.Cases.First(c => c.Image.EndsWith(".png", StringComparison.Ordinal));
        var preprocessor = For(c);
        var path = ReferenceImages.PathOf(c.Image);
        var budget = new DecodeBudget(1L << 30);
        var destination = new float[preprocessor.ImageLength];

        preprocessor.Process(File.ReadAllBytes(path), destination, c.Image, budget);

        Assert.Equal(ReferenceImages.Tensor(c), destination);
        var image = ImageDecoder.Decode(path);
        Assert.True(budget.PeakBytes >= (long)image.Width * image.Height * 3, $"{budget.PeakBytes} bytes charged for a {image.Width}x{image.Height} image");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_the_OpenCV_mmpretrain_pipeline(string name)
    {
        var c = ReferenceImages.Case(name);
        var preprocessor = For(c);
        var tensor = preprocessor.Load(ReferenceImages.PathOf(c.Image));
        var expected = ReferenceImages.Tensor(c);

        Assert.Equal(c.Shape, tensor.Shape);
        Assert.Equal(expected.Length, tensor.Data.Length);
        // Undo the normalization so the difference reads in 8-bit pixel levels.
        int plane = c.Crop * c.Crop;
        double maxLevels = 0;
        int differing = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double levels = Math.Abs(tensor.Data[i] - expected[i]) * c.Std[i / plane];
            maxLevels = Math.Max(maxLevels, levels);
            if (tensor.Data[i] != expected[i]) differing++;
        }
        output.WriteLine($"{name}: max |diff| = {maxLevels:F4} levels, {differing} of {expected.Length} values differ");

        if (c.Image.EndsWith(".jpg", StringComparison.Ordinal))
            Assert.True(maxLevels <= 1.0 + 1e-3, $"{name}: max difference {maxLevels} levels exceeds 1/255");
        else
            Assert.Equal(0, differing);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Resize_and_crop_geometry_follows_mmcv(string name)
    {
        var c = ReferenceImages.Case(name);
        var image = ImageDecoder.Decode(ReferenceImages.PathOf(c.Image), c.Mean.Length);

        var (w, h) = ImagePreprocessor.ResizedSize(image.Width, image.Height, c.Resize);

        Assert.Equal(c.Resized, new[] { w, h });
        Assert.Equal(c.CropOffset, new[] { ImagePreprocessor.CenterCropOffset(w, c.Crop), ImagePreprocessor.CenterCropOffset(h, c.Crop) });
    }

    [Fact]
    public void Center_crop_rounds_halves_to_even_like_python()
    {
        Assert.Equal(2, ImagePreprocessor.CenterCropOffset(32, 27));   // round(2.5) == 2
        Assert.Equal(4, ImagePreprocessor.CenterCropOffset(36, 29));   // round(3.5) == 4
        Assert.Equal(0, ImagePreprocessor.CenterCropOffset(20, 24));
    }

    [Fact]
    public void A_batch_stacks_the_single_image_tensors()
    {
        var c = ReferenceImages.Case("landscape-320x180.imagenet");
        var preprocessor = For(c);
        string[] paths = [ReferenceImages.PathOf("landscape-320x180.png"), ReferenceImages.PathOf("portrait-97x131.bmp")];

        var batch = preprocessor.Load(paths);

        Assert.Equal(new[] { 2, 3, 224, 224 }, batch.Shape);
        for (int n = 0; n < 2; n++)
        {
            var single = preprocessor.Load(paths[n]);
            Assert.Equal(single.Data, batch.Data.AsSpan(n * preprocessor.ImageLength, preprocessor.ImageLength).ToArray());
        }
    }

    [Fact]
    public void Same_size_resize_and_full_crop_only_normalize()
    {
        var pixels = Enumerable.Range(0, 28 * 28).Select(i => (byte)(i * 7)).ToArray();
        var image = new DecodedImage(28, 28, 1, pixels);
        var preprocessor = new ImagePreprocessor(new PreprocessInfo([72.94f], [90.02f], 28, 28));

        var tensor = preprocessor.Process(image);

        Assert.Equal(pixels.Select(p => (p - 72.94f) / 90.02f).ToArray(), tensor.Data);
    }

    /// <summary>The generator accepts any inChannels with its own mean and std; so does the preprocessor.</summary>
    [Fact]
    public void Any_channel_count_is_accepted_and_images_say_what_they_decode_to()
    {
        var preprocessor = new ImagePreprocessor(new PreprocessInfo([0f, 0f], [1f, 1f], 30, 30));

        Assert.Equal(2, preprocessor.Channels);
        Assert.Equal(2 * 30 * 30, preprocessor.ImageLength);
        var error = Assert.ThrowsAny<ArgumentException>(() => preprocessor.Load(ReferenceImages.PathOf("tiny-29x23.png")));
        Assert.Contains("1 (gray) or 3 (RGB)", error.Message);
    }

    [Fact]
    public void A_crop_larger_than_the_resized_edge_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ImagePreprocessor(new PreprocessInfo([0f], [1f], 200, 224)));
    }
}
