using DenseNetGen.Preprocessing;

namespace DenseNetGen.Data;

/// <summary>Labelled images that can be read one at a time or as preprocessed batches.</summary>
public abstract class ImageDataset
{
    /// <summary>Number of images.</summary>
    public abstract int Count { get; }

    /// <summary>The class index of every image.</summary>
    public abstract IReadOnlyList<int> Labels { get; }

    /// <summary>
    /// Image <paramref name="index"/> with <paramref name="channels"/> (1 or 3) channels. Batches call it from
    /// several threads at once.
    /// </summary>
    public abstract DecodedImage LoadImage(int index, int channels);

    /// <summary>
    /// This data set labelled for a model with <paramref name="numClasses"/> classes named <paramref name="classNames"/>
    /// (index order; null when the model's classes have no names). The base checks that every label is one of the
    /// model's classes; data sets that know their classes check more.
    /// </summary>
    /// <exception cref="DatasetMismatchException">The data set's classes are not the model's.</exception>
    public virtual ImageDataset ForClasses(int numClasses, IReadOnlyList<string>? classNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        for (int i = 0; i < Count; i++)
        {
            if (Labels[i] < 0 || Labels[i] >= numClasses)
                throw new DatasetMismatchException(
                    $"image {i} has label {Labels[i]}, but the model's classes are 0 to {numClasses - 1}: the data set is for another model.",
                    Labels.Max() + 1, numClasses, []);
        }
        return this;
    }

    /// <summary>Images [start, start + count) preprocessed into one tensor [count, C, crop, crop].</summary>
    public Tensor LoadBatch(ImagePreprocessor preprocessor, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (start < 0 || count <= 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Batch [{start}, {start + count}) is outside the dataset's {Count} images.");
        return preprocessor.ProcessAll(count, i => Checked(preprocessor, start + i));
    }

    /// <summary>Names image <paramref name="index"/> in error messages (its file, or its place in the data set's file).</summary>
    /// <param name="index">The image's index.</param>
    public virtual string Describe(int index) => $"image {index} of the data set";

    // Refused by name before the resize makes its buffer: the preprocessor's own check cannot name the image.
    private DecodedImage Checked(ImagePreprocessor preprocessor, int index)
    {
        var image = LoadImage(index, preprocessor.Channels);
        ImageDecoder.CheckResizedSize(image.Width, image.Height, preprocessor.Info.ResizeShortEdge, ImageDecoder.MaxPixels, Describe(index));
        return image;
    }

    /// <summary>The whole dataset in order, as batches of at most <paramref name="batchSize"/> images with their labels.</summary>
    public IEnumerable<(Tensor Images, int[] Labels)> Batches(ImagePreprocessor preprocessor, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Iterate();

        IEnumerable<(Tensor, int[])> Iterate()
        {
            for (int start = 0; start < Count; start += batchSize)
            {
                int count = Math.Min(batchSize, Count - start);
                var labels = new int[count];
                for (int i = 0; i < count; i++) labels[i] = Labels[start + i];
                yield return (LoadBatch(preprocessor, start, count), labels);
            }
        }
    }
}
