using DenseNetGen.Preprocessing;

namespace DenseNetGen.Data;

/// <summary>Labelled images that can be read one at a time or as preprocessed batches.</summary>
public abstract class ImageDataset
{
    public abstract int Count { get; }

    /// <summary>The class index of every image.</summary>
    public abstract IReadOnlyList<int> Labels { get; }

    /// <summary>
    /// Image <paramref name="index"/> with <paramref name="channels"/> (1 or 3) channels. Batches call it from
    /// several threads at once.
    /// </summary>
    public abstract DecodedImage LoadImage(int index, int channels);

    /// <summary>Images [start, start + count) preprocessed into one tensor [count, C, crop, crop].</summary>
    public Tensor LoadBatch(ImagePreprocessor preprocessor, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (start < 0 || count <= 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Batch [{start}, {start + count}) is outside the dataset's {Count} images.");
        return preprocessor.ProcessAll(count, i => LoadImage(start + i, preprocessor.Channels));
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
