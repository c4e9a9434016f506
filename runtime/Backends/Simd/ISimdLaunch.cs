namespace DenseNetGen.Backends.Simd;

/// <summary>
/// One op of the SIMD backend, bound to its buffers and packed weights for one input shape (batch, height, width).
/// The executor runs tiles 0..<see cref="TileCount"/>-1 on its workers, in any order and concurrently: tiles write
/// disjoint parts of the output and read nothing another tile of the same op writes.
/// </summary>
/// <remarks>
/// Activation layout (every op, every width): NCHW16c, see <see cref="Blocked"/>.
/// </remarks>
internal interface ISimdOp
{
    int TileCount { get; }

    void RunTile(int tile);
}
