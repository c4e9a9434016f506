using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The register tiles of the 1x1 GEMM, every row count from 1 to the width's tile (14 or 6) × one or two vectors, at
/// every width against a scalar GEMM in float64, on input slot counts that end inside a 16-channel block. A is packed
/// with the width's full tile of rows a block, as the convs pack it; its rows past the group's own, its lanes past the
/// last slot and B's rows past it hold large values, so a kernel that reads a row or a step too many is caught, not
/// silently multiplied by 0. A 1-vector tile leaves the second vector of C as it was, and every tile leaves C's rows
/// past its own. Each row is also the same bits as that row of the full tile (a pixel's outputs must not depend on
/// the group it falls in: batch slicing and the near-equal groups rely on it).
/// </summary>
public sealed class MicroKernelTests
{
    /// <summary>
    /// 14 rows where the width has 32 vector registers (AVX-512, and NEON at 128 bits), 6 where it has 16 (AVX2, SSE):
    /// the tile's 2·rows accumulators, two weight vectors and a broadcast must fit without spilling.
    /// </summary>
    [Fact]
    public void TheTileIsAsTallAsTheRegistersAllow()
    {
        Assert.Equal(14, MicroKernel<Vec512>.Rows);
        Assert.Equal(6, MicroKernel<Vec256>.Rows);
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? 14 : 6,
            MicroKernel<Vec128>.Rows);
        Assert.Equal(MicroKernel<Vec256>.Rows, MicroKernel<Unfused<Vec256>>.Rows);
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (int width in new[] { 512, 256, 128 })
            foreach (int rows in Enumerable.Range(1, 14))
                foreach (int vectors in new[] { 2, 1 })
                    foreach (int kSlots in new[] { 1, 16, 37 })
                        yield return [width, rows, vectors, kSlots];
        // The classifier's 1,024 input slots, one row (batch 1), at every width.
        foreach (int width in new[] { 512, 256, 128 })
            yield return [width, 1, 2, 1024];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TileMatchesAScalarGemm(int width, int rows, int vectors, int kSlots)
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
        int packed = MicroKernel<TVec>.Rows;
        if (rows > packed)
        {
            // Past the width's tile the kernel refuses: it would read the next block's rows as its own.
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => MicroKernel<TVec>.Run(null, null, kSlots, null, vectors, rows));
            Assert.Contains($"1 to {packed} rows", error.Message);
            return;
        }
        const float Poison = 1000f, Untouched = -7f;
        int kBlocks = (kSlots + 15) / 16, columns = 2 * TVec.Count;
        var random = new Random(20 * rows + kSlots);
        // A: [kBlock][packed][16], slot k of row r at [k / 16][r][k % 16]; B: [kSlots][columns], then poisoned rows.
        using var a = new NativeBuffer((long)kBlocks * packed * 16);
        using var b = new NativeBuffer((long)(kSlots + 16) * columns);
        using var c = new NativeBuffer((long)packed * columns);
        var expected = new float[packed * columns];
        for (int kb = 0; kb < kBlocks; kb++)
            for (int r = 0; r < packed; r++)
                for (int lane = 0; lane < 16; lane++)
                    a.Pointer[(kb * packed + r) * 16 + lane] = r < rows && kb * 16 + lane < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        for (int k = 0; k < kSlots + 16; k++)
            for (int j = 0; j < columns; j++)
                b.Pointer[k * columns + j] = k < kSlots ? (float)(random.NextDouble() * 2 - 1) : Poison;
        for (int r = 0; r < packed; r++)
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < kSlots; k++) sum += (double)a.Pointer[(k / 16 * packed + r) * 16 + k % 16] * b.Pointer[k * columns + j];
                expected[r * columns + j] = r < rows && j < vectors * TVec.Count ? (float)sum : Untouched;
                c.Pointer[r * columns + j] = Untouched;
            }

        MicroKernel<TVec>.Run(a.Pointer, b.Pointer, kSlots, c.Pointer, vectors, rows);

        ParityAssert.Close(expected, c.AsSpan().ToArray(), $"{rows}x{vectors}v at {TVec.Name}, {kSlots} slots");
        // The same bits as the full tile's rows on the same A (its extra rows multiply the poison, which stays finite).
        using var full = new NativeBuffer((long)packed * columns);
        MicroKernel<TVec>.Run(a.Pointer, b.Pointer, kSlots, full.Pointer, vectors, packed);
        for (int r = 0; r < rows; r++)
            Assert.Equal(full.AsSpan().Slice(r * columns, vectors * TVec.Count).ToArray(), c.AsSpan().Slice(r * columns, vectors * TVec.Count).ToArray());
    }
}
