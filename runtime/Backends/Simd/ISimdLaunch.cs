namespace DenseNetGen.Backends.Simd;

/// <summary>
/// A launch of the SIMD backend: a kernel (<c>PointwiseConv</c>, <c>DirectConv</c>, ...) bound to its buffers and packed
/// weights for one input shape (batch, height, width), made by <see cref="SimdStep.Bind"/>. The worker pool runs tiles
/// 0..<see cref="TileCount"/>-1, in any order and concurrently: tiles write disjoint parts of the output and read
/// nothing another tile of the same launch writes.
/// </summary>
/// <remarks>
/// Activation layout (every op, every width): NCHW16c, see <see cref="Blocked"/>.
/// </remarks>
internal interface ISimdLaunch
{
    int TileCount { get; }

    void RunTile(int tile);
}
