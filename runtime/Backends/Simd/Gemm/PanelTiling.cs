namespace DenseNetGen.Backends.Simd.Gemm;

/// <summary>
/// How a launch that runs <see cref="MicroKernel{TVec}"/> over rows (pixels, or Winograd tiles) cuts its work into
/// tiles: the rows fall into the fewest groups of at most the micro-kernel's rows, as near equal as they can be, and
/// tile t is group t % Groups with the (t / Groups)-th of Shares near-equal shares of the weight panels. With many
/// groups a tile takes every panel (Shares = 1); with few (batch 1 at 7x7: 49 pixels, 4 groups) panels are shared so
/// every thread gets about four tiles, at the price of packing a group's input once per share.
/// </summary>
/// <remarks>
/// Why near-equal groups rather than full groups and a remainder: the micro-kernel computes a group's own rows only, so
/// 49 rows in groups of 13, 12, 12 and 12 cost 25 and 24 rows on two threads where 14, 14, 14 and 7 cost 28 and 21
/// (DenseNet-121 at batch 1: the Winograd convs at 28x28 and the 1x1 convs at 7x7; at batch 8 the Winograd convs at
/// 14x14, 128 tiles: 64 rows a thread, not 70 and 58). Why share-major numbering: the pool gives each thread a
/// contiguous range of tiles, so on two threads each reads one share's weights for every group rather than every
/// weight for half the groups (at 7x7, 256 of 512 KB against 100 KB more input; DenseNet-121 b1 0.989–0.991x,
/// DenseNet-161 0.980–0.999x alternated in one process).
/// </remarks>
internal readonly struct PanelTiling
{
    private readonly int _rows, _panels;

    /// <param name="rows">Rows of the launch.</param>
    /// <param name="groupRows">The most rows one group may have: the micro-kernel's.</param>
    /// <param name="panels">Weight panels every group multiplies.</param>
    /// <param name="threads">Workers that will run the tiles.</param>
    public PanelTiling(int rows, int groupRows, int panels, int threads)
    {
        _rows = rows;
        _panels = panels;
        Groups = (rows + groupRows - 1) / groupRows;
        Shares = Math.Clamp((4 * threads + Groups - 1) / Math.Max(1, Groups), 1, Math.Max(1, panels));
        Count = Groups * Shares;
    }

    /// <summary>Row groups.</summary>
    public int Groups { get; }

    /// <summary>Shares of the panels per group.</summary>
    public int Shares { get; }

    /// <summary>Tiles in all.</summary>
    public int Count { get; }

    /// <summary>Tile <paramref name="tile"/>'s rows [FirstRow, FirstRow + Rows) and its panels [FirstPanel, EndPanel).</summary>
    public (int FirstRow, int Rows, int FirstPanel, int EndPanel) Split(int tile)
    {
        int group = tile % Groups, share = tile / Groups;
        int first = (int)((long)_rows * group / Groups), end = (int)((long)_rows * (group + 1) / Groups);
        return (first, end - first, (int)((long)_panels * share / Shares), (int)((long)_panels * (share + 1) / Shares));
    }
}
