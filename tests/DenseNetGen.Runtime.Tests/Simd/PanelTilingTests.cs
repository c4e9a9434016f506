using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// How a GEMM launch cuts row groups × weight panels into tiles: every (group, panel) pair in exactly one tile, the
/// shares of a group's panels contiguous and differing by at most one panel, and about four tiles per thread when
/// groups are few (hand-counted below).
/// </summary>
public sealed class PanelTilingTests
{
    [Theory]
    [InlineData(4, 3, 2, 2, 8)]     // batch 1 at 7x7: 4 groups want 8 tiles on 2 threads, so 2 shares of 3 panels
    [InlineData(4, 2, 4, 2, 8)]     // 4 shares wanted, only 2 panels: one panel each
    [InlineData(1, 10, 3, 10, 10)]  // one group, 12 tiles wanted, 10 panels: one panel a tile
    [InlineData(5, 7, 3, 3, 15)]    // (12 + 4) / 5 = 3 shares of 7 panels: 2, 2 and 3
    [InlineData(100, 6, 8, 1, 100)] // many groups: each tile takes every panel
    [InlineData(8, 5, 2, 1, 8)]     // exactly 4 tiles a thread already
    public void EveryGroupAndPanelIsInOneTile(int groups, int panels, int threads, int chunks, int count)
    {
        var tiling = new PanelTiling(groups, panels, threads);
        Assert.Equal((chunks, count), (tiling.Chunks, tiling.Count));
        var owner = new int[groups, panels];
        for (int tile = 0; tile < tiling.Count; tile++)
        {
            var (group, first, end) = tiling.Split(tile);
            Assert.Equal(tile / chunks, group);
            int share = end - first;
            Assert.InRange(share, panels / chunks, (panels + chunks - 1) / chunks);
            for (int panel = first; panel < end; panel++) owner[group, panel]++;
        }
        Assert.All(owner.Cast<int>(), n => Assert.Equal(1, n));
    }
}
