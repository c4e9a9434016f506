using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The chunks a waiting thread prefetches: every byte of every range once, in order, each chunk inside one range and
/// at most <see cref="PrefetchCursor.ChunkBytes"/> long, empty ranges skipped.
/// </summary>
public sealed class PrefetchCursorTests
{
    [Theory]
    [InlineData(new long[] { })]
    [InlineData(new long[] { 0 })]
    [InlineData(new long[] { 64 })]
    [InlineData(new long[] { 4096 })]
    [InlineData(new long[] { 4097, 0, 8192, 64 })]
    [InlineData(new long[] { 0, 0, 100_000, 4095, 1 })]
    public void HandsOutEveryByteOnceInOrderInChunksOfAtMostFourKilobytes(long[] lengths)
    {
        // Ranges at made-up addresses, far apart: the cursor only does arithmetic on them.
        var ranges = lengths.Select((bytes, i) => new WeightRange((nint)(0x1000_0000L * (i + 1)), bytes)).ToArray();
        var cursor = new PrefetchCursor(ranges);
        var chunks = new List<(nint Start, long Bytes)>();
        while (cursor.Next(out nint start, out long bytes)) chunks.Add((start, bytes));

        // The chunks tile each non-empty range from its start to its end, in the ranges' order, each at most a chunk
        // long and as few as that allows.
        int chunk = 0;
        foreach (var range in ranges.Where(r => r.Bytes > 0))
        {
            long covered = 0;
            int first = chunk;
            while (covered < range.Bytes)
            {
                var (start, bytes) = chunks[chunk++];
                Assert.Equal(range.Start + (nint)covered, start);
                Assert.InRange(bytes, 1, PrefetchCursor.ChunkBytes);
                covered += bytes;
            }
            Assert.Equal(range.Bytes, covered);
            Assert.Equal((range.Bytes + PrefetchCursor.ChunkBytes - 1) / PrefetchCursor.ChunkBytes, chunk - first);
        }
        Assert.Equal(chunks.Count, chunk);
        Assert.False(cursor.Next(out _, out _));
    }

    [Fact]
    public void NoRangesHandOutNothing()
    {
        var cursor = new PrefetchCursor(null);
        Assert.False(cursor.Next(out nint start, out long bytes));
        Assert.Equal((0, 0), ((long)start, bytes));
    }
}
