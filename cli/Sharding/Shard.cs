using System.Globalization;

namespace DenseNetGen.Cli.Sharding;

/// <summary>
/// Slice <see cref="Index"/> of <see cref="Count"/> (`--shard I/N`, I from 0): the contiguous images
/// [I·total/N, (I+1)·total/N), so every shard is within one image of the others' size, the slices are fixed by the
/// total alone, and together they cover every image exactly once.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The most shards a run may be cut into.</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>The whole data set as one shard.</summary>
    public static Shard Whole => new(0, 1);

    /// <summary>"I/N" with 0 ≤ I &lt; N ≤ <see cref="MaxCount"/>.</summary>
    /// <exception cref="UsageException">Anything else.</exception>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && TryCount(parts[0], out int index) && TryCount(parts[1], out int count) && count is >= 1 and <= MaxCount && index < count)
            return new Shard(index, count);
        throw new UsageException($"--shard must be I/N with 0 <= I < N <= {MaxCount} (e.g. 0/4 for the first of four), got '{text}'.");
    }

    /// <summary>First image and image count of this shard of <paramref name="total"/> images.</summary>
    public (int Start, int Length) Range(int total)
    {
        int start = (int)((long)Index * total / Count);
        int end = (int)((long)(Index + 1) * total / Count);
        return (start, end - start);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    private static bool TryCount(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
