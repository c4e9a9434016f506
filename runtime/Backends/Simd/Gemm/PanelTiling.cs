namespace DenseNetGen.Backends.Simd.Gemm;

/// <summary>
/// How a launch that runs <see cref="MicroKernel{TVec}"/> over row groups cuts its work into tiles: tile t is row
/// group t / Chunks and the t % Chunks-th of Chunks near-equal shares of the weight panels. With many groups a tile
/// takes every panel (Chunks = 1); with few (batch 1 at 7x7: 4 groups of 14 pixels) panels are shared so every thread
/// gets about four tiles, at the price of packing a group's input once per share.
/// </summary>
internal readonly struct PanelTiling
{
    private readonly int _panels;

    /// <param name="groups">Row groups of the launch.</param>
    /// <param name="panels">Weight panels every group multiplies.</param>
    /// <param name="threads">Workers that will run the tiles.</param>
    public PanelTiling(int groups, int panels, int threads)
    {
        _panels = panels;
        Chunks = Math.Clamp((4 * threads + groups - 1) / groups, 1, panels);
        Count = groups * Chunks;
    }

    /// <summary>Shares of the panels per group.</summary>
    public int Chunks { get; }

    /// <summary>Tiles in all.</summary>
    public int Count { get; }

    /// <summary>Tile <paramref name="tile"/>'s row group and its panels [FirstPanel, EndPanel).</summary>
    public (int Group, int FirstPanel, int EndPanel) Split(int tile)
    {
        int group = tile / Chunks, chunk = tile % Chunks;
        return (group, (int)((long)_panels * chunk / Chunks), (int)((long)_panels * (chunk + 1) / Chunks));
    }
}
