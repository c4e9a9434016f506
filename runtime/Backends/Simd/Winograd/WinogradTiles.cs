using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>
/// A Winograd minimal-filtering algorithm F(m×m, 3×3) as a type parameter: an output tile of m×m pixels is computed
/// from an α×α input tile (α = m + 2) as Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, so a 3x3 conv costs α² multiplies per tile
/// instead of 9m². The 2D transforms are the 1D ones below applied to columns, then rows; each 1D transform works on
/// vectors of channels (lanes are independent channels), written out by hand so no multiply by 0 or 1 remains.
/// </summary>
internal unsafe interface IWinogradTile
{
    /// <summary>m: output pixels per tile side.</summary>
    static abstract int Output { get; }

    /// <summary>α = m + 2: input pixels per tile side, and transform elements per side.</summary>
    static abstract int Alpha { get; }

    /// <summary>"F(2x2,3x3)" or "F(4x4,3x3)", for profiles and the device line.</summary>
    static abstract string Name { get; }

    /// <summary>G, α×3: a 3-tap kernel g becomes Gg (done once at load, in float64).</summary>
    static abstract double[,] KernelTransform { get; }

    /// <summary>v = Bᵀd on α vectors: d[i] at <paramref name="d"/> + i·dStride floats, v[i] at <paramref name="v"/> + i·vStride.</summary>
    static abstract void Input<TVec>(float* d, int dStride, float* v, int vStride) where TVec : struct, IVec<TVec>;

    /// <summary>y = Aᵀm: m[i] (i &lt; α) at <paramref name="m"/> + i·mStride floats, y[i] (i &lt; Output) at <paramref name="y"/> + i·yStride.</summary>
    static abstract void OutputTransform<TVec>(float* m, int mStride, float* y, int yStride) where TVec : struct, IVec<TVec>;
}

/// <summary>
/// F(2x2,3x3), interpolation points 0, 1, −1, ∞ (Lavin and Gray 2015): 16 multiplies per 4 outputs instead of 36.
/// Its transforms only add and subtract, so it is nearly as exact as the direct conv.
/// </summary>
internal readonly unsafe struct WinogradF2 : IWinogradTile
{
    public static int Output => 2;
    public static int Alpha => 4;
    public static string Name => "F(2x2,3x3)";

    public static double[,] KernelTransform { get; } = new double[,]
    {
        { 1, 0, 0 },
        { 0.5, 0.5, 0.5 },
        { 0.5, -0.5, 0.5 },
        { 0, 0, 1 },
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input<TVec>(float* d, int dStride, float* v, int vStride) where TVec : struct, IVec<TVec>
    {
        TVec d0 = TVec.Load(d), d1 = TVec.Load(d + dStride), d2 = TVec.Load(d + 2 * dStride), d3 = TVec.Load(d + 3 * dStride);
        TVec.Store(v, TVec.Subtract(d0, d2));
        TVec.Store(v + vStride, TVec.Add(d1, d2));
        TVec.Store(v + 2 * vStride, TVec.Subtract(d2, d1));
        TVec.Store(v + 3 * vStride, TVec.Subtract(d1, d3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputTransform<TVec>(float* m, int mStride, float* y, int yStride) where TVec : struct, IVec<TVec>
    {
        TVec m0 = TVec.Load(m), m1 = TVec.Load(m + mStride), m2 = TVec.Load(m + 2 * mStride), m3 = TVec.Load(m + 3 * mStride);
        TVec.Store(y, TVec.Add(TVec.Add(m0, m1), m2));
        TVec.Store(y + yStride, TVec.Subtract(TVec.Subtract(m1, m2), m3));
    }
}

/// <summary>
/// F(4x4,3x3), interpolation points 0, ±1, ±2, ∞ (Lavin and Gray 2015): 36 multiplies per 16 outputs instead of 144.
/// Its transforms scale by up to 8 (output) and 5 (input), so its rounding error is several times F(2x2,3x3)'s.
/// </summary>
internal readonly unsafe struct WinogradF4 : IWinogradTile
{
    public static int Output => 4;
    public static int Alpha => 6;
    public static string Name => "F(4x4,3x3)";

    public static double[,] KernelTransform { get; } = new double[,]
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input<TVec>(float* d, int dStride, float* v, int vStride) where TVec : struct, IVec<TVec>
    {
        TVec d0 = TVec.Load(d), d1 = TVec.Load(d + dStride), d2 = TVec.Load(d + 2 * dStride);
        TVec d3 = TVec.Load(d + 3 * dStride), d4 = TVec.Load(d + 4 * dStride), d5 = TVec.Load(d + 5 * dStride);
        TVec four = TVec.Broadcast(4), minusFour = TVec.Broadcast(-4), two = TVec.Broadcast(2), minusFive = TVec.Broadcast(-5);
        TVec d4MinusD2 = TVec.Subtract(d4, d2);
        TVec.Store(v, TVec.Fma(four, d0, TVec.Fma(minusFive, d2, d4)));                                    // 4d0 − 5d2 + d4
        TVec.Store(v + vStride, TVec.Fma(minusFour, TVec.Add(d1, d2), TVec.Add(d3, d4)));                  // −4d1 − 4d2 + d3 + d4
        TVec.Store(v + 2 * vStride, TVec.Fma(four, TVec.Subtract(d1, d2), TVec.Subtract(d4, d3)));         // 4d1 − 4d2 − d3 + d4
        TVec.Store(v + 3 * vStride, TVec.Fma(two, TVec.Subtract(d3, d1), d4MinusD2));                      // −2d1 − d2 + 2d3 + d4
        TVec.Store(v + 4 * vStride, TVec.Fma(two, TVec.Subtract(d1, d3), d4MinusD2));                      // 2d1 − d2 − 2d3 + d4
        TVec.Store(v + 5 * vStride, TVec.Fma(four, d1, TVec.Fma(minusFive, d3, d5)));                      // 4d1 − 5d3 + d5
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputTransform<TVec>(float* m, int mStride, float* y, int yStride) where TVec : struct, IVec<TVec>
    {
        TVec m0 = TVec.Load(m), m1 = TVec.Load(m + mStride), m2 = TVec.Load(m + 2 * mStride);
        TVec m3 = TVec.Load(m + 3 * mStride), m4 = TVec.Load(m + 4 * mStride), m5 = TVec.Load(m + 5 * mStride);
        TVec sum12 = TVec.Add(m1, m2), difference12 = TVec.Subtract(m1, m2);
        TVec sum34 = TVec.Add(m3, m4), difference34 = TVec.Subtract(m3, m4);
        TVec.Store(y, TVec.Add(TVec.Add(m0, sum12), sum34));                                               // m0 + m1 + m2 + m3 + m4
        TVec.Store(y + yStride, TVec.Fma(TVec.Broadcast(2), difference34, difference12));                  // m1 − m2 + 2(m3 − m4)
        TVec.Store(y + 2 * yStride, TVec.Fma(TVec.Broadcast(4), sum34, sum12));                            // m1 + m2 + 4(m3 + m4)
        TVec.Store(y + 3 * yStride, TVec.Add(TVec.Fma(TVec.Broadcast(8), difference34, difference12), m5)); // m1 − m2 + 8(m3 − m4) + m5
    }
}
