using System.Runtime.ExceptionServices;
using DenseNetGen.Planning;

namespace DenseNetGen.Preprocessing;

/// <summary>
/// Turns images into a network's input tensor exactly as mmpretrain's test pipeline does:
/// ResizeEdge(short, bilinear, cv2) -> CenterCrop -> (pixel - mean) / std, NCHW float32.
/// </summary>
public sealed class ImagePreprocessor
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>A preprocessor for a model card's <paramref name="info"/> (usually <c>model.ModelCard.Preprocess</c>).</summary>
    /// <exception cref="ArgumentException">Mean and std differ in length, a std is not positive, or the crop does not fit the resized edge.</exception>
    public ImagePreprocessor(PreprocessInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        // Any channel count the generator accepts: the spec's own mean and std, one per channel. Images decode to 1
        // (gray) or 3 (RGB) channels, so a network with another count takes tensors; decoding says so.
        if (info.Mean.Count < 1 || info.Std.Count != info.Mean.Count)
            throw new ArgumentException($"Preprocess mean and std need one value per channel, got {info.Mean.Count} and {info.Std.Count}.", nameof(info));
        if (info.Std.Any(s => !(s > 0)))
            throw new ArgumentException("Preprocess std values must be positive.", nameof(info));
        if (info.CropSize <= 0 || info.ResizeShortEdge < info.CropSize)
            throw new ArgumentException($"Crop {info.CropSize} must be positive and fit the resized short edge {info.ResizeShortEdge}.", nameof(info));
        Info = info;
        _mean = [.. info.Mean];
        _std = [.. info.Std];
    }

    /// <summary>The steps and constants this preprocessor applies.</summary>
    public PreprocessInfo Info { get; }

    /// <summary>The network's input channels: 1 = gray, 3 = RGB (the counts images decode to), or any other for tensors.</summary>
    public int Channels => _mean.Length;

    /// <summary>Side of the square output in pixels: the tensor's height and width.</summary>
    public int CropSize => Info.CropSize;

    /// <summary>Floats one preprocessed image occupies: Channels * CropSize * CropSize.</summary>
    public int ImageLength => Channels * CropSize * CropSize;

    /// <summary>
    /// mmpretrain's ResizeEdge(edge='short'): the short side becomes <paramref name="shortEdge"/>
    /// and the long side int(shortEdge * long / short), truncated (a square keeps both equal).
    /// </summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shortEdge) =>
        width < height
            ? (shortEdge, (int)((double)shortEdge * height / width))
            : ((int)((double)shortEdge * width / height), shortEdge);

    /// <summary>How many pixels <see cref="ResizedSize"/> makes, in 64 bits (its long side can pass int's range).</summary>
    /// <param name="width">The image's width.</param>
    /// <param name="height">The image's height.</param>
    /// <param name="shortEdge">What its short edge is resized to.</param>
    public static long ResizedPixels(int width, int height, int shortEdge)
    {
        var (shortSide, longSide) = width < height ? (width, height) : (height, width);
        return (long)shortEdge * (long)Math.Min((double)shortEdge * longSide / shortSide, long.MaxValue / Math.Max(shortEdge, 1));
    }

    /// <summary>mmcv's CenterCrop offset: max(0, round((size - crop) / 2)) with Python's half-to-even round.</summary>
    public static int CenterCropOffset(int size, int crop) =>
        Math.Max(0, (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven));

    /// <summary>The resized and center-cropped 8-bit image, before normalization.</summary>
    public DecodedImage ResizeAndCrop(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        // Before the resize buffer exists (decoders check from the header; images built in memory are checked here).
        ImageDecoder.CheckResizedSize(image.Width, image.Height, Info.ResizeShortEdge, ImageDecoder.MaxPixels, $"a {image.Width}x{image.Height} image");
        var (w, h) = ResizedSize(image.Width, image.Height, Info.ResizeShortEdge);
        // The channel conversion, the resized image and the crop, charged before they exist (in a batch's lease).
        DecodeBudget.Charge((image.Channels == Channels ? 0 : (long)image.Width * image.Height * Channels) + ((long)w * h + (long)CropSize * CropSize) * Channels);
        image = image.ToChannels(Channels);
        var resized = LinearResizer.Resize(image, w, h);
        int crop = CropSize, x0 = CenterCropOffset(w, crop), y0 = CenterCropOffset(h, crop);
        if (x0 == 0 && y0 == 0 && w == crop && h == crop) return resized;
        var cropped = new byte[crop * crop * Channels];
        int rowBytes = crop * Channels;
        for (int y = 0; y < crop; y++)
            Array.Copy(resized.Pixels, ((y0 + y) * w + x0) * Channels, cropped, y * rowBytes, rowBytes);
        return new DecodedImage(crop, crop, Channels, cropped);
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> and writes it preprocessed (CHW) into <paramref name="destination"/>,
    /// charged to the process-wide <see cref="DecodeBudget.Shared"/> as a batch's images are: callers decoding on many
    /// threads at once (a server's requests, each one image) wait for each other rather than all holding large images.
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not an image, or one over the pixel cap.</exception>
    public void Process(ReadOnlySpan<byte> encoded, Span<float> destination, string sourceName = "buffer") =>
        Process(encoded, destination, sourceName, DecodeBudget.Shared);

    /// <summary><see cref="Process(ReadOnlySpan{byte}, Span{float}, string)"/> charged to <paramref name="budget"/>.</summary>
    internal void Process(ReadOnlySpan<byte> encoded, Span<float> destination, string sourceName, DecodeBudget budget)
    {
        using var lease = budget.Open();
        Process(ImageDecoder.Decode(encoded, Channels, sourceName), destination);
    }

    /// <summary>Writes one preprocessed image (CHW) into <paramref name="destination"/>.</summary>
    public void Process(DecodedImage image, Span<float> destination)
    {
        if (destination.Length != ImageLength)
            throw new ArgumentException($"Destination holds {destination.Length} floats; one image needs {ImageLength}.", nameof(destination));
        var cropped = ResizeAndCrop(image);
        int plane = CropSize * CropSize, cn = Channels;
        var px = cropped.Pixels;
        for (int c = 0; c < cn; c++)
        {
            float mean = _mean[c], std = _std[c];
            var channel = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
                channel[i] = (px[i * cn + c] - mean) / std;
        }
    }

    /// <summary>One image as an input tensor [1, C, crop, crop].</summary>
    public Tensor Process(DecodedImage image) => Process([image]);

    /// <summary>Several images as one input tensor [N, C, crop, crop].</summary>
    public Tensor Process(IReadOnlyList<DecodedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return ProcessAll(images.Count, n => images[n]);
    }

    /// <summary>
    /// Images 0..count-1, each produced by <paramref name="load"/> (called from several threads at once), as one
    /// tensor [count, C, crop, crop]. Decoding and resizing run in parallel: on a GPU they, not the network, bound
    /// a data set's evaluation. The images in flight share <see cref="DecodeBudget.Shared"/>: their file bytes and
    /// buffers are charged to it from their headers, so many large images wait for each other instead of all decoding at once. When images fail, the lowest index's exception is rethrown as it was, so the
    /// message names the same file on every run.
    /// </summary>
    public Tensor ProcessAll(int count, Func<int, DecodedImage> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (count <= 0) throw new ArgumentException("A batch needs at least one image.", nameof(count));
        var data = new float[count * ImageLength];
        var errors = new Exception?[count];
        Parallel.For(0, count, n =>
        {
            try
            {
                // Decoded pixels and file bytes are charged to the shared budget as they are made (DecodeBudget).
                using var lease = DecodeBudget.Shared.Open();
                Process(load(n), data.AsSpan(n * ImageLength, ImageLength));
            }
            catch (Exception e)
            {
                errors[n] = e;
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first)
            ExceptionDispatchInfo.Throw(first);
        return new Tensor("input", [count, Channels, CropSize, CropSize], data);
    }

    /// <summary>Decodes and preprocesses one image file into [1, C, crop, crop].</summary>
    /// <exception cref="ImageDecodeException">The file is missing or not an image.</exception>
    public Tensor Load(string path) => Process(ImageDecoder.Decode(path, Channels, resizeShortEdge: Info.ResizeShortEdge));

    /// <summary>Decodes and preprocesses image files into one batch [N, C, crop, crop].</summary>
    /// <exception cref="ImageDecodeException">A file is missing or not an image.</exception>
    public Tensor Load(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return ProcessAll(paths.Count, n => ImageDecoder.Decode(paths[n], Channels, resizeShortEdge: Info.ResizeShortEdge));
    }

    /// <summary>Decodes and preprocesses an image stream into [1, C, crop, crop].</summary>
    public Tensor Load(Stream stream, string sourceName = "stream") => Process(ImageDecoder.Decode(stream, Channels, sourceName, resizeShortEdge: Info.ResizeShortEdge));
}
