using DenseNetGen.Preprocessing;

namespace DenseNetGen.Data;

/// <summary>Which of Fashion-MNIST's two file pairs to read.</summary>
public enum FashionMnistSplit
{
    /// <summary>The 60,000 training images (train-images-idx3-ubyte, train-labels-idx1-ubyte).</summary>
    Train,
    /// <summary>The 10,000 test images (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte).</summary>
    Test,
}

/// <summary>Fashion-MNIST (or MNIST) from its IDX files: 28x28 gray images and their labels.</summary>
public sealed class FashionMnistDataset : ImageDataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly string _imagesPath;

    /// <summary>Reads an images file (rank 3) and its labels file (rank 1); either may be gzipped.</summary>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree on the count.</exception>
    public FashionMnistDataset(string imagesPath, string labelsPath)
    {
        _imagesPath = imagesPath;
        var images = IdxFile.Read(imagesPath, 3);
        var labels = IdxFile.Read(labelsPath, 1);
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException($"'{imagesPath}' holds {images.Dimensions[0]} images but '{labelsPath}' holds {labels.Dimensions[0]} labels.");
        Height = images.Dimensions[1];
        Width = images.Dimensions[2];
        if (images.Dimensions[0] > 0 && (Height == 0 || Width == 0))
            throw new InvalidDataException($"'{imagesPath}' holds images of {Height}x{Width} pixels.");
        _pixels = images.Data;
        _labels = labels.Data.Select(b => (int)b).ToArray();
    }

    /// <summary>
    /// Opens a split from <paramref name="directory"/> using the standard file names
    /// (train-/t10k-images-idx3-ubyte, train-/t10k-labels-idx1-ubyte), with or without ".gz".
    /// </summary>
    public static FashionMnistDataset Open(string directory, FashionMnistSplit split)
    {
        var prefix = split == FashionMnistSplit.Train ? "train" : "t10k";
        return new FashionMnistDataset(
            Locate(directory, $"{prefix}-images-idx3-ubyte"),
            Locate(directory, $"{prefix}-labels-idx1-ubyte"));
    }

    /// <summary>Whether <paramref name="directory"/> holds a split's IDX files (test or train, plain or gzipped).</summary>
    public static bool IsDataset(string directory) =>
        new[] { "t10k", "train" }.Any(prefix => FindFile(directory, $"{prefix}-images-idx3-ubyte") is not null);

    /// <summary>Columns of every image, from the images file's header (28 for Fashion-MNIST).</summary>
    public int Width { get; }

    /// <summary>Rows of every image (28 for Fashion-MNIST).</summary>
    public int Height { get; }

    /// <inheritdoc/>
    public override int Count => _labels.Length;

    /// <inheritdoc/>
    public override IReadOnlyList<int> Labels => _labels;

    /// <summary>IDX labels carry no names: the model must have exactly as many classes as the labels use.</summary>
    public override ImageDataset ForClasses(int numClasses, IReadOnlyList<string>? classNames)
    {
        int classes = _labels.Length == 0 ? 0 : _labels.Max() + 1;
        if (classes != numClasses)
            throw new DatasetMismatchException(
                $"the IDX data set has {classes} classes but the model has {numClasses}.", classes, numClasses, []);
        return this;
    }

    /// <summary>The images file and the image's index in it.</summary>
    /// <param name="index">The image's index.</param>
    public override string Describe(int index) => $"{_imagesPath} image {index}";

    /// <summary>Image <paramref name="index"/>, gray, repeated to <paramref name="channels"/> (1 or 3) channels; a fresh copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    public override DecodedImage LoadImage(int index, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = Width * Height;
        // The image's copy (and its RGB form), charged to a batch's DecodeBudget lease before they exist.
        DecodeBudget.Charge(size * (channels == 1 ? 1L : 4L));
        var gray = new DecodedImage(Width, Height, 1, _pixels.AsSpan(index * size, size).ToArray());
        return gray.ToChannels(channels);
    }

    private static string Locate(string directory, string name) =>
        FindFile(directory, name)
        ?? throw new FileNotFoundException($"Neither '{name}' nor '{name}.gz' exists in '{directory}'.", Path.Combine(directory, name));

    private static string? FindFile(string directory, string name) =>
        new[] { name, name + ".gz" }.Select(candidate => Path.Combine(directory, candidate)).FirstOrDefault(File.Exists);
}
