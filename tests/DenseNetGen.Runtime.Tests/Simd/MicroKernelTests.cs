using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The register tiles of the 1x1 GEMM (14 and 6 pixel rows × one or two vectors) at every width against a scalar GEMM
/// in float64, on input slot counts that end inside a 16-channel block. The packed A's lanes past the last slot and B's
/// rows past it hold large values, so a kernel that reads one step too many is caught, not silently multiplied by 0;
/// a 1-vector tile leaves the second vector of C as it was.
/// </summary>
public sealed class MicroKernelTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int rows in new[] { 14, 6 })
            foreach (int vectors in new[] { 2, 1 })
                foreach (int width in new[] { 512, 256, 128 })
                    foreach (int kSlots in new[] { 1, 16, 24, 37 })
                        yield return [rows, vectors, width, kSlots];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TileMatchesAScalarGemm(int rows, int vectors, int width, int kSlots)
    {
        Action<int, int, int> run = width switch
        {
            512 => Check<Vec512>,
            256 => Check<Vec256>,
            _ => Check<Vec128>,
        };
        run(rows, vectors, kSlots);
    }

    private static unsafe void Check<TVec>(int rows, int vectors, int kSlots) where TVec : struct, IVec<TVec>
    {
        const float Poison = 1000f, Untouched = -7f;
        int kBlocks = (kSlots + 15) / 16, columns = 2 * TVec.Count;
        var random = new Random(20 * rows + kSlots);
        // A: [kBlock][rows][16], slot k of row r at [k / 16][r][k % 16]; B: [kSlots][columns], then poisoned rows.
        using var a = new NativeBuffer((long)kBlocks * rows * 16);
        using var b = new NativeBuffer((long)(kSlots + 16) * columns);
        using var c = new NativeBuffer((long)rows * columns);
        var expected = new double[rows * columns];
        for (int kb = 0; kb < kBlocks; kb++)
            for (int r = 0; r < rows; r++)
                for (int lane = 0; lane < 16; lane++)
                    a.Pointer[(kb * rows + r) * 16 + lane] = kb * 16 + lane < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        for (int k = 0; k < kSlots + 16; k++)
            for (int j = 0; j < columns; j++)
                b.Pointer[k * columns + j] = k < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < kSlots; k++) sum += (double)a.Pointer[(k / 16 * rows + r) * 16 + k % 16] * b.Pointer[k * columns + j];
                expected[r * columns + j] = j < vectors * TVec.Count ? sum : Untouched;
                c.Pointer[r * columns + j] = Untouched;
            }

        Action gemm = (rows, vectors) switch
        {
            (14, 2) => () => MicroKernel<TVec>.Gemm14x2v(a.Pointer, b.Pointer, kSlots, c.Pointer),
            (14, _) => () => MicroKernel<TVec>.Gemm14x1v(a.Pointer, b.Pointer, kSlots, c.Pointer),
            (_, 2) => () => MicroKernel<TVec>.Gemm6x2v(a.Pointer, b.Pointer, kSlots, c.Pointer),
            _ => () => MicroKernel<TVec>.Gemm6x1v(a.Pointer, b.Pointer, kSlots, c.Pointer),
        };
        gemm();

        ParityAssert.Close(Array.ConvertAll(expected, v => (float)v), c.AsSpan().ToArray(), $"{rows}x{vectors}v at {TVec.Name}, {kSlots} slots");
    }

    public static IEnumerable<object[]> RowCases()
    {
        foreach (int vectors in new[] { 2, 1 })
            foreach (int width in new[] { 512, 256, 128 })
                foreach (int kSlots in new[] { 1, 3, 16, 24, 37, 1024 })
                    yield return [vectors, width, kSlots];
    }

    /// <summary>
    /// The one-row tile (the classifier at batch 1) against the same scalar GEMM, and bit for bit against row 0 of the
    /// width's own tile: row 0 of an A packed with the tile's rows a block, whose other rows, like the lanes past the last
    /// slot and B's rows past it, hold the poison.
    /// </summary>
    [Theory]
    [MemberData(nameof(RowCases))]
    public void OneRowTileMatchesAScalarGemm(int vectors, int width, int kSlots)
    {
        Action<int, int> run = width switch
        {
            512 => CheckRow<Vec512>,
            256 => CheckRow<Vec256>,
            _ => CheckRow<Vec128>,
        };
        run(vectors, kSlots);
    }

    private static unsafe void CheckRow<TVec>(int vectors, int kSlots) where TVec : struct, IVec<TVec>
    {
        int packedRows = MicroKernel<TVec>.Rows;
        const float Poison = 1000f, Untouched = -7f;
        int kBlocks = (kSlots + 15) / 16, columns = 2 * TVec.Count;
        var random = new Random(7 * packedRows + kSlots);
        using var a = new NativeBuffer((long)kBlocks * packedRows * 16);
        using var b = new NativeBuffer((long)(kSlots + 16) * columns);
        using var c = new NativeBuffer(columns);
        for (int kb = 0; kb < kBlocks; kb++)
            for (int r = 0; r < packedRows; r++)
                for (int lane = 0; lane < 16; lane++)
                    a.Pointer[(kb * packedRows + r) * 16 + lane] = r == 0 && kb * 16 + lane < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        for (int k = 0; k < kSlots + 16; k++)
            for (int j = 0; j < columns; j++)
                b.Pointer[k * columns + j] = k < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        var expected = new float[columns];
        for (int j = 0; j < columns; j++)
        {
            double sum = 0;
            for (int k = 0; k < kSlots; k++) sum += (double)a.Pointer[k / 16 * packedRows * 16 + k % 16] * b.Pointer[k * columns + j];
            expected[j] = j < vectors * TVec.Count ? (float)sum : Untouched;
            c.Pointer[j] = Untouched;
        }

        MicroKernel<TVec>.Gemm1x2v(a.Pointer, packedRows, b.Pointer, kSlots, c.Pointer, vectors);

        ParityAssert.Close(expected, c.AsSpan().ToArray(), $"1x{vectors}v over {packedRows}-row A at {TVec.Name}, {kSlots} slots");
        // The same bits as row 0 of the tile that packed A, so an image's logits do not depend on its batch.
        using var tile = new NativeBuffer((long)packedRows * columns);
        for (int j = 0; j < columns; j++) tile.Pointer[j] = Untouched;
        MicroKernel<TVec>.Run(a.Pointer, b.Pointer, kSlots, tile.Pointer, vectors);
        Assert.Equal(tile.AsSpan()[..(vectors * TVec.Count)].ToArray(), c.AsSpan()[..(vectors * TVec.Count)].ToArray());
    }
}
