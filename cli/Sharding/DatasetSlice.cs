using DenseNetGen.Data;
using DenseNetGen.Preprocessing;

namespace DenseNetGen.Cli.Sharding;

/// <summary>Images [start, start + length) of a data set, as a data set of their own (a shard's share).</summary>
internal sealed class DatasetSlice : ImageDataset
{
    private readonly ImageDataset _source;
    private readonly int _start;

    public DatasetSlice(ImageDataset source, int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)length, source.Count);
        _source = source;
        _start = start;
        Labels = new ArraySegment<int>([.. source.Labels.Skip(start).Take(length)]);
    }

    public override int Count => Labels.Count;

    public override IReadOnlyList<int> Labels { get; }

    public override DecodedImage LoadImage(int index, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _source.LoadImage(_start + index, channels);
    }
}
