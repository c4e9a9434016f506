using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// How a GEMM launch cuts rows × weight panels into tiles: every (row, panel) pair in exactly one tile, the groups
/// contiguous, at most the micro-kernel's rows and differing by at most one row, the shares of a group's panels
/// contiguous and differing by at most one panel, numbered share by share (tiles [0, Groups) hold the first share of
/// every group, so a thread's contiguous range of tiles reads few shares' weights), and about four tiles per thread
/// when groups are few (hand-counted below).
/// </summary>
public sealed class PanelTilingTests
{
    [Theory]
    // batch 1 at 7x7: 49 pixels in 4 groups (13, 12, 12, 12, not 14, 14, 14, 7) want 8 tiles on 2 threads: 2 shares of 3 panels
    [InlineData(49, 14, 3, 2, 4, 13, 2, 8)]
    [InlineData(56, 14, 2, 4, 4, 14, 2, 8)]       // 4 shares wanted, only 2 panels: one panel each
    [InlineData(1, 14, 10, 3, 1, 1, 10, 10)]      // one row (the classifier at batch 1), 12 tiles wanted, 10 panels: one panel a tile
    [InlineData(70, 14, 7, 3, 5, 14, 3, 15)]      // (12 + 4) / 5 = 3 shares of 7 panels: 2, 2 and 3
    [InlineData(1400, 14, 6, 8, 100, 14, 1, 100)] // many groups: each tile takes every panel
    [InlineData(128, 14, 5, 2, 10, 13, 1, 10)]    // Winograd F(4x4) at 14x14, batch 8: 10 groups of 12 or 13, not 9 of 14 and one of 2
    [InlineData(31, 6, 5, 2, 6, 6, 2, 12)]        // the 6-row tile: 31 rows in groups of 5 and 6
    public void EveryRowAndPanelIsInOneTile(int rows, int groupRows, int panels, int threads, int groups, int largest, int shares, int count)
    {
        var tiling = new PanelTiling(rows, groupRows, panels, threads);
        Assert.Equal((groups, shares, count), (tiling.Groups, tiling.Shares, tiling.Count));
        var owner = new int[rows, panels];
        var sizes = new List<int>();
        int nextRow = 0;
        for (int tile = 0; tile < tiling.Count; tile++)
        {
            var (firstRow, groupSize, first, end) = tiling.Split(tile);
            Assert.Equal(panels * (tile / groups) / shares, first); // share tile / Groups
            if (tile < groups)
            {
                Assert.Equal(nextRow, firstRow); // groups in order, none skipped
                nextRow = firstRow + groupSize;
                sizes.Add(groupSize);
            }
            Assert.InRange(end - first, panels / shares, (panels + shares - 1) / shares);
            for (int row = firstRow; row < firstRow + groupSize; row++)
                for (int panel = first; panel < end; panel++) owner[row, panel]++;
        }
        Assert.All(owner.Cast<int>(), n => Assert.Equal(1, n));
        Assert.Equal(largest, sizes.Max());
        Assert.InRange(sizes.Max() - sizes.Min(), 0, 1);
        Assert.InRange(sizes.Max(), 1, groupRows);
    }
}
