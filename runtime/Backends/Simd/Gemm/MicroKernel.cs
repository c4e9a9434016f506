using System.Runtime.CompilerServices;

using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Backends.Simd.Gemm;

/// <summary>
/// The register-blocked inner products of the 1x1 convolution GEMM: a tile of pixel rows × two vectors of output
/// channels. 14 rows (28 accumulators, 2 weight vectors and the broadcast: 31) fit the 32 registers of AVX-512 and of
/// AArch64's NEON (<see cref="VectorWidth.Registers{TVec}"/>); 6 rows (12 + 3) fit the 16 of AVX2 and SSE. At 128 bits
/// on AArch64 the taller tile loads each weight vector once per 14 broadcasts instead of 6, so the loop does 28 FMAs
/// per 2 weight loads and 14 broadcast loads rather than 12 per 2 and 6, and spills nothing.
/// Unrolled by hand so every accumulator is its own local the JIT keeps in a register. Named by tile as XNNPACK
/// names its micro-kernels, independent of the vector width: <c>Gemm14x2v</c>, 14 rows × 2 vectors, is
/// <c>Gemm&lt;Count14, Count2&gt;</c>, which <see cref="Run"/> picks from the group's rows and vectors. A group of
/// fewer rows (the last of a launch, or near-equal groups, see <see cref="PanelTiling"/>) runs the same source with
/// the rows past its own compiled out, and so does a 1-vector tile with the second vector's lines (the counts are type
/// parameters, as in <see cref="ConvTile"/>): a panel whose conv's channels end within its first vector
/// (DenseNet-161's 48-channel 3x3 convs fill 1.5 panels of 32) does half the FMAs.
/// </summary>
/// <remarks>
/// Layout: A is packed [kBlocks][<see cref="Rows"/>][16] (pixel rows, 16 channels each) whatever rows a group has; B is
/// one packed weight panel [kSlots][2·Count]; C is [rows][2·Count]. Every row's sums run over the input slots in the
/// same order in every tile, so a pixel's outputs are the same bits in a group of 1 or of 14, alone or in a batch.
/// </remarks>
internal static unsafe class MicroKernel<TVec> where TVec : struct, IVec<TVec>
{
    /// <summary>Pixel rows per tile for this width: the rows A is packed with.</summary>
    public static int Rows => VectorWidth.Registers<TVec>() == 32 ? 14 : 6;

    /// <summary>C's first <paramref name="rows"/> rows = A·B for one panel; C's other rows are left as they were.</summary>
    /// <param name="a">The group's packed input, [kBlocks][<see cref="Rows"/>][16].</param>
    /// <param name="b">One weight panel, [kSlots][2·Count].</param>
    /// <param name="kSlots">Input slots: the sums' length.</param>
    /// <param name="c">The result, [rows][2·Count].</param>
    /// <param name="vectors">1 computes only the panel's first vector of columns, leaving the second as it was; 2 both.</param>
    /// <param name="rows">The group's rows, 1 to <see cref="Rows"/>; A's rows past them are never read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is outside 1 to <see cref="Rows"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(float* a, float* b, int kSlots, float* c, int vectors, int rows)
    {
        // Past Rows the tile would read the next block's rows as its own.
        if ((uint)(rows - 1) >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"1 to {Rows} rows");
        int block = Rows * 16;
        if (vectors == 1) Run<Count1>(a, b, kSlots, c, rows, block);
        else Run<Count2>(a, b, kSlots, c, rows, block);
    }

    private static void Run<TVectors>(float* a, float* b, int kSlots, float* c, int rows, int block) where TVectors : struct, ICount
    {
        switch (rows)
        {
            case 14: Gemm<Count14, TVectors>(a, b, kSlots, c, block); break;
            case 13: Gemm<Count13, TVectors>(a, b, kSlots, c, block); break;
            case 12: Gemm<Count12, TVectors>(a, b, kSlots, c, block); break;
            case 11: Gemm<Count11, TVectors>(a, b, kSlots, c, block); break;
            case 10: Gemm<Count10, TVectors>(a, b, kSlots, c, block); break;
            case 9: Gemm<Count9, TVectors>(a, b, kSlots, c, block); break;
            case 8: Gemm<Count8, TVectors>(a, b, kSlots, c, block); break;
            case 7: Gemm<Count7, TVectors>(a, b, kSlots, c, block); break;
            case 6: Gemm<Count6, TVectors>(a, b, kSlots, c, block); break;
            case 5: Gemm<Count5, TVectors>(a, b, kSlots, c, block); break;
            case 4: Gemm<Count4, TVectors>(a, b, kSlots, c, block); break;
            case 3: Gemm<Count3, TVectors>(a, b, kSlots, c, block); break;
            case 2: Gemm<Count2, TVectors>(a, b, kSlots, c, block); break;
            default: Gemm<Count1, TVectors>(a, b, kSlots, c, block); break;
        }
    }

    /// <summary>
    /// C[TRows][TVectors·Count] = A·B, every tile in one source: rows past <typeparamref name="TRows"/> and the second
    /// vector when <typeparamref name="TVectors"/> is 1 are compiled out, their accumulators never used.
    /// <paramref name="block"/> (floats from one block of A to the next) comes in as an argument because nothing here
    /// may be a call: a call spills the accumulators, and NativeAOT left <see cref="Rows"/> one here, so every step
    /// of the loop loaded and stored them (the 1x1 convs at 29% of peak against 68% under the JIT).
    /// Compiled fully optimized at its first call, as every other kernel tile is: at tier 0 each <c>TVec</c> operation
    /// is a call, and a tile that a small net calls a few times a pass stayed there for its first 30 calls. On one
    /// core, where the background recompile waits for the core, Fashion-MNIST took 27 ms a pass instead of 0.3 for
    /// its first 60 passes (2026-12-05).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemm<TRows, TVectors>(float* a, float* b, int kSlots, float* c, int block) where TRows : struct, ICount where TVectors : struct, ICount
    {
        TVec c0_0 = TVec.Zero, c0_1 = TVec.Zero, c1_0 = TVec.Zero, c1_1 = TVec.Zero, c2_0 = TVec.Zero, c2_1 = TVec.Zero;
        TVec c3_0 = TVec.Zero, c3_1 = TVec.Zero, c4_0 = TVec.Zero, c4_1 = TVec.Zero, c5_0 = TVec.Zero, c5_1 = TVec.Zero;
        TVec c6_0 = TVec.Zero, c6_1 = TVec.Zero, c7_0 = TVec.Zero, c7_1 = TVec.Zero, c8_0 = TVec.Zero, c8_1 = TVec.Zero;
        TVec c9_0 = TVec.Zero, c9_1 = TVec.Zero, c10_0 = TVec.Zero, c10_1 = TVec.Zero, c11_0 = TVec.Zero, c11_1 = TVec.Zero;
        TVec c12_0 = TVec.Zero, c12_1 = TVec.Zero, c13_0 = TVec.Zero, c13_1 = TVec.Zero;
        int step = 2 * TVec.Count;
        for (int k0 = 0; k0 < kSlots; k0 += 16, a += block)
        {
            // A pointer walks the block's channels so every broadcast is a constant displacement from it; the last
            // block stops at the last input channel (a 24-channel input runs 24 steps, not 32).
            for (float* ak = a, end = a + Math.Min(16, kSlots - k0); ak < end; ak++, b += step)
            {
                TVec b0 = TVec.Load(b), b1 = TVectors.Value > 1 ? TVec.Load(b + TVec.Count) : default;
                TVec x = TVec.Broadcast(ak[0]); c0_0 = TVec.Fma(x, b0, c0_0); if (TVectors.Value > 1) c0_1 = TVec.Fma(x, b1, c0_1);
                if (TRows.Value > 1) { x = TVec.Broadcast(ak[16]); c1_0 = TVec.Fma(x, b0, c1_0); if (TVectors.Value > 1) c1_1 = TVec.Fma(x, b1, c1_1); }
                if (TRows.Value > 2) { x = TVec.Broadcast(ak[32]); c2_0 = TVec.Fma(x, b0, c2_0); if (TVectors.Value > 1) c2_1 = TVec.Fma(x, b1, c2_1); }
                if (TRows.Value > 3) { x = TVec.Broadcast(ak[48]); c3_0 = TVec.Fma(x, b0, c3_0); if (TVectors.Value > 1) c3_1 = TVec.Fma(x, b1, c3_1); }
                if (TRows.Value > 4) { x = TVec.Broadcast(ak[64]); c4_0 = TVec.Fma(x, b0, c4_0); if (TVectors.Value > 1) c4_1 = TVec.Fma(x, b1, c4_1); }
                if (TRows.Value > 5) { x = TVec.Broadcast(ak[80]); c5_0 = TVec.Fma(x, b0, c5_0); if (TVectors.Value > 1) c5_1 = TVec.Fma(x, b1, c5_1); }
                if (TRows.Value > 6) { x = TVec.Broadcast(ak[96]); c6_0 = TVec.Fma(x, b0, c6_0); if (TVectors.Value > 1) c6_1 = TVec.Fma(x, b1, c6_1); }
                if (TRows.Value > 7) { x = TVec.Broadcast(ak[112]); c7_0 = TVec.Fma(x, b0, c7_0); if (TVectors.Value > 1) c7_1 = TVec.Fma(x, b1, c7_1); }
                if (TRows.Value > 8) { x = TVec.Broadcast(ak[128]); c8_0 = TVec.Fma(x, b0, c8_0); if (TVectors.Value > 1) c8_1 = TVec.Fma(x, b1, c8_1); }
                if (TRows.Value > 9) { x = TVec.Broadcast(ak[144]); c9_0 = TVec.Fma(x, b0, c9_0); if (TVectors.Value > 1) c9_1 = TVec.Fma(x, b1, c9_1); }
                if (TRows.Value > 10) { x = TVec.Broadcast(ak[160]); c10_0 = TVec.Fma(x, b0, c10_0); if (TVectors.Value > 1) c10_1 = TVec.Fma(x, b1, c10_1); }
                if (TRows.Value > 11) { x = TVec.Broadcast(ak[176]); c11_0 = TVec.Fma(x, b0, c11_0); if (TVectors.Value > 1) c11_1 = TVec.Fma(x, b1, c11_1); }
                if (TRows.Value > 12) { x = TVec.Broadcast(ak[192]); c12_0 = TVec.Fma(x, b0, c12_0); if (TVectors.Value > 1) c12_1 = TVec.Fma(x, b1, c12_1); }
                if (TRows.Value > 13) { x = TVec.Broadcast(ak[208]); c13_0 = TVec.Fma(x, b0, c13_0); if (TVectors.Value > 1) c13_1 = TVec.Fma(x, b1, c13_1); }
            }
        }
        TVec.Store(c + 0 * step, c0_0); if (TVectors.Value > 1) TVec.Store(c + 0 * step + TVec.Count, c0_1);
        if (TRows.Value > 1) { TVec.Store(c + 1 * step, c1_0); if (TVectors.Value > 1) TVec.Store(c + 1 * step + TVec.Count, c1_1); }
        if (TRows.Value > 2) { TVec.Store(c + 2 * step, c2_0); if (TVectors.Value > 1) TVec.Store(c + 2 * step + TVec.Count, c2_1); }
        if (TRows.Value > 3) { TVec.Store(c + 3 * step, c3_0); if (TVectors.Value > 1) TVec.Store(c + 3 * step + TVec.Count, c3_1); }
        if (TRows.Value > 4) { TVec.Store(c + 4 * step, c4_0); if (TVectors.Value > 1) TVec.Store(c + 4 * step + TVec.Count, c4_1); }
        if (TRows.Value > 5) { TVec.Store(c + 5 * step, c5_0); if (TVectors.Value > 1) TVec.Store(c + 5 * step + TVec.Count, c5_1); }
        if (TRows.Value > 6) { TVec.Store(c + 6 * step, c6_0); if (TVectors.Value > 1) TVec.Store(c + 6 * step + TVec.Count, c6_1); }
        if (TRows.Value > 7) { TVec.Store(c + 7 * step, c7_0); if (TVectors.Value > 1) TVec.Store(c + 7 * step + TVec.Count, c7_1); }
        if (TRows.Value > 8) { TVec.Store(c + 8 * step, c8_0); if (TVectors.Value > 1) TVec.Store(c + 8 * step + TVec.Count, c8_1); }
        if (TRows.Value > 9) { TVec.Store(c + 9 * step, c9_0); if (TVectors.Value > 1) TVec.Store(c + 9 * step + TVec.Count, c9_1); }
        if (TRows.Value > 10) { TVec.Store(c + 10 * step, c10_0); if (TVectors.Value > 1) TVec.Store(c + 10 * step + TVec.Count, c10_1); }
        if (TRows.Value > 11) { TVec.Store(c + 11 * step, c11_0); if (TVectors.Value > 1) TVec.Store(c + 11 * step + TVec.Count, c11_1); }
        if (TRows.Value > 12) { TVec.Store(c + 12 * step, c12_0); if (TVectors.Value > 1) TVec.Store(c + 12 * step + TVec.Count, c12_1); }
        if (TRows.Value > 13) { TVec.Store(c + 13 * step, c13_0); if (TVectors.Value > 1) TVec.Store(c + 13 * step + TVec.Count, c13_1); }
    }
}
