using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>A compile-time count: the JIT folds <c>Value</c> in each instantiation, so guarded lines vanish.</summary>
internal interface ICount
{
    static abstract int Value { get; }
}

/// <summary>The inputs of one register tile of <see cref="ConvTile"/>.</summary>
internal unsafe struct ConvTileArgs
{
    /// <summary>The staged slab at the tile's output row and first pixel (pixel p is 16p floats on).</summary>
    public float* Slab;
    /// <summary>Offsets in floats from <see cref="Slab"/> of each kernel position (ky·k + kx) in the slab.</summary>
    public int* Positions;
    public int PositionCount;
    /// <summary>Input channel blocks in a slab row, the distance between them, the first block's first lane, and the lane after the last block's last.</summary>
    public int Blocks, BlockStride, FirstLane, LastEnd;
    /// <summary>The packed weights of the tile's first vector (stride 32 floats per input channel), and its bias.</summary>
    public float* Weights, Bias;
    /// <summary>Where each vector's pixel 0 is stored; pixel p follows at +16p.</summary>
    public float* Destination0, Destination1;
    /// <summary>The lanes [Lo, Hi) of each vector that belong to the conv's output; others are left untouched.</summary>
    public int Lo0, Hi0, Lo1, Hi1;
    public bool Relu;
}

/// <summary>
/// The direct-convolution register tile: TPixels (≤ 14) consecutive output pixels of a row × TVectors (1 or 2) vectors
/// of output channels, accumulated in registers over every kernel position and input channel, then bias, optional
/// ReLU and the store. Each input scalar is broadcast once and feeds TVectors FMAs; each weight vector feeds TPixels.
/// </summary>
/// <remarks>
/// The slab holds the input already padded (and prologue-applied), with stride phases split apart, so consecutive
/// output pixels read consecutive slab pixels 16 floats apart at every kernel position: no bounds checks inside.
/// 2·TPixels accumulators + 2 weights must fit the register file (<see cref="VectorWidth.Registers{TVec}"/>: 32 with AVX-512 and NEON, 16 with AVX2 or SSE).
/// </remarks>
internal static unsafe class ConvTile
{
    public const int MaxPixels = 14;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TVec, TPixels, TVectors>(in ConvTileArgs t)
        where TVec : struct, IVec<TVec> where TPixels : struct, ICount where TVectors : struct, ICount
    {
        TVec a0 = TVec.Zero, b0 = TVec.Zero;
        TVec a1 = TVec.Zero, b1 = TVec.Zero;
        TVec a2 = TVec.Zero, b2 = TVec.Zero;
        TVec a3 = TVec.Zero, b3 = TVec.Zero;
        TVec a4 = TVec.Zero, b4 = TVec.Zero;
        TVec a5 = TVec.Zero, b5 = TVec.Zero;
        TVec a6 = TVec.Zero, b6 = TVec.Zero;
        TVec a7 = TVec.Zero, b7 = TVec.Zero;
        TVec a8 = TVec.Zero, b8 = TVec.Zero;
        TVec a9 = TVec.Zero, b9 = TVec.Zero;
        TVec a10 = TVec.Zero, b10 = TVec.Zero;
        TVec a11 = TVec.Zero, b11 = TVec.Zero;
        TVec a12 = TVec.Zero, b12 = TVec.Zero;
        TVec a13 = TVec.Zero, b13 = TVec.Zero;
        float* w = t.Weights;
        int lastBlock = t.Blocks - 1;
        for (int position = 0; position < t.PositionCount; position++)
        {
            float* start = t.Slab + t.Positions[position];
            for (int block = 0; block <= lastBlock; block++)
            {
                int lo = block == 0 ? t.FirstLane : 0, hi = block == lastBlock ? t.LastEnd : Blocked.Lanes;
                float* s = start + block * t.BlockStride + lo;
                for (float* end = s + (hi - lo); s < end; s++, w += ConvWeights.GroupChannels)
                {
                    var w0 = TVec.Load(w);
                    var w1 = TVectors.Value > 1 ? TVec.Load(w + TVec.Count) : default;
                    { var x = TVec.Broadcast(s[0]); a0 = TVec.Fma(x, w0, a0); if (TVectors.Value > 1) b0 = TVec.Fma(x, w1, b0); }
                    if (TPixels.Value > 1) { var x = TVec.Broadcast(s[16]); a1 = TVec.Fma(x, w0, a1); if (TVectors.Value > 1) b1 = TVec.Fma(x, w1, b1); }
                    if (TPixels.Value > 2) { var x = TVec.Broadcast(s[32]); a2 = TVec.Fma(x, w0, a2); if (TVectors.Value > 1) b2 = TVec.Fma(x, w1, b2); }
                    if (TPixels.Value > 3) { var x = TVec.Broadcast(s[48]); a3 = TVec.Fma(x, w0, a3); if (TVectors.Value > 1) b3 = TVec.Fma(x, w1, b3); }
                    if (TPixels.Value > 4) { var x = TVec.Broadcast(s[64]); a4 = TVec.Fma(x, w0, a4); if (TVectors.Value > 1) b4 = TVec.Fma(x, w1, b4); }
                    if (TPixels.Value > 5) { var x = TVec.Broadcast(s[80]); a5 = TVec.Fma(x, w0, a5); if (TVectors.Value > 1) b5 = TVec.Fma(x, w1, b5); }
                    if (TPixels.Value > 6) { var x = TVec.Broadcast(s[96]); a6 = TVec.Fma(x, w0, a6); if (TVectors.Value > 1) b6 = TVec.Fma(x, w1, b6); }
                    if (TPixels.Value > 7) { var x = TVec.Broadcast(s[112]); a7 = TVec.Fma(x, w0, a7); if (TVectors.Value > 1) b7 = TVec.Fma(x, w1, b7); }
                    if (TPixels.Value > 8) { var x = TVec.Broadcast(s[128]); a8 = TVec.Fma(x, w0, a8); if (TVectors.Value > 1) b8 = TVec.Fma(x, w1, b8); }
                    if (TPixels.Value > 9) { var x = TVec.Broadcast(s[144]); a9 = TVec.Fma(x, w0, a9); if (TVectors.Value > 1) b9 = TVec.Fma(x, w1, b9); }
                    if (TPixels.Value > 10) { var x = TVec.Broadcast(s[160]); a10 = TVec.Fma(x, w0, a10); if (TVectors.Value > 1) b10 = TVec.Fma(x, w1, b10); }
                    if (TPixels.Value > 11) { var x = TVec.Broadcast(s[176]); a11 = TVec.Fma(x, w0, a11); if (TVectors.Value > 1) b11 = TVec.Fma(x, w1, b11); }
                    if (TPixels.Value > 12) { var x = TVec.Broadcast(s[192]); a12 = TVec.Fma(x, w0, a12); if (TVectors.Value > 1) b12 = TVec.Fma(x, w1, b12); }
                    if (TPixels.Value > 13) { var x = TVec.Broadcast(s[208]); a13 = TVec.Fma(x, w0, a13); if (TVectors.Value > 1) b13 = TVec.Fma(x, w1, b13); }
                }
            }
        }

        bool relu = t.Relu;
        float* lanes = stackalloc float[Blocked.Lanes];
        var bias0 = TVec.Load(t.Bias);
        var bias1 = TVectors.Value > 1 ? TVec.Load(t.Bias + TVec.Count) : default;
        { Emit(a0, bias0, t.Destination0, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b0, bias1, t.Destination1, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 1) { Emit(a1, bias0, t.Destination0 + 16, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b1, bias1, t.Destination1 + 16, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 2) { Emit(a2, bias0, t.Destination0 + 32, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b2, bias1, t.Destination1 + 32, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 3) { Emit(a3, bias0, t.Destination0 + 48, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b3, bias1, t.Destination1 + 48, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 4) { Emit(a4, bias0, t.Destination0 + 64, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b4, bias1, t.Destination1 + 64, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 5) { Emit(a5, bias0, t.Destination0 + 80, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b5, bias1, t.Destination1 + 80, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 6) { Emit(a6, bias0, t.Destination0 + 96, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b6, bias1, t.Destination1 + 96, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 7) { Emit(a7, bias0, t.Destination0 + 112, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b7, bias1, t.Destination1 + 112, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 8) { Emit(a8, bias0, t.Destination0 + 128, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b8, bias1, t.Destination1 + 128, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 9) { Emit(a9, bias0, t.Destination0 + 144, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b9, bias1, t.Destination1 + 144, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 10) { Emit(a10, bias0, t.Destination0 + 160, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b10, bias1, t.Destination1 + 160, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 11) { Emit(a11, bias0, t.Destination0 + 176, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b11, bias1, t.Destination1 + 176, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 12) { Emit(a12, bias0, t.Destination0 + 192, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b12, bias1, t.Destination1 + 192, t.Lo1, t.Hi1, relu, lanes); }
        if (TPixels.Value > 13) { Emit(a13, bias0, t.Destination0 + 208, t.Lo0, t.Hi0, relu, lanes); if (TVectors.Value > 1) Emit(b13, bias1, t.Destination1 + 208, t.Lo1, t.Hi1, relu, lanes); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit<TVec>(TVec sum, TVec bias, float* destination, int lo, int hi, bool relu, float* lanes) where TVec : struct, IVec<TVec>
    {
        var value = TVec.Add(sum, bias);
        if (relu) value = TVec.Relu(value);
        if (lo == 0 && hi == TVec.Count)
        {
            TVec.Store(destination, value);
            return;
        }
        // A vector straddling the conv's first or last channel: lanes outside belong to other layers.
        TVec.Store(lanes, value);
        for (int lane = lo; lane < hi; lane++) destination[lane] = lanes[lane];
    }
}
