using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// One vector width, as a type parameter: kernels are written once, generic over <c>TVec</c>, and the JIT compiles
/// a copy per width with the calls inlined. <see cref="Count"/> divides <see cref="Blocked.Lanes"/>.
/// </summary>
internal unsafe interface IVec<TSelf> where TSelf : struct, IVec<TSelf>
{
    static abstract int Count { get; }
    /// <summary>How device descriptions name this vector type, e.g. "Vector512" or "Vector128, no FMA".</summary>
    static abstract string Name { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf Broadcast(float value);
    static abstract TSelf Load(float* source);
    static abstract void Store(float* destination, TSelf value);
    /// <summary>a·b + c with one rounding (<see cref="Unfused{TVec}"/>: two).</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    /// <summary>IEEE 754's maximum: NaN if either is NaN, and −0 below +0 (max pool's semantics).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
    /// <summary>
    /// The platform's maximum in one instruction (<c>MaxNative</c>): <see cref="Max"/> wherever neither is NaN and they
    /// are not zeros of opposite signs. <see cref="Max"/> is three instructions at 512 bits on x86 and a longer compare
    /// and blend sequence at 256 and 128 (no <c>vrangeps</c> there): the 256-bit max pool took 2–3x the 512-bit one.
    /// </summary>
    static abstract TSelf MaxNative(TSelf a, TSelf b);
    /// <summary>Whether any lane is NaN.</summary>
    static abstract bool AnyNaN(TSelf x);
    /// <summary>
    /// max(x, 0), ReLU, in one instruction: <c>MaxNative</c> with 0 first. Where either is NaN, x86's <c>maxps</c>
    /// returns its second operand and AArch64's <c>fmax</c> NaN, so a NaN passes through as it does through PyTorch's
    /// ReLU. <see cref="Max"/> is three instructions at 512 bits on x86 (<c>vrangeps</c> and two
    /// <c>vfixupimmps</c>, plus a constant and two zeroings), on the FP pipes the FMAs need, in every packing
    /// prologue and output of a conv.
    /// </summary>
    static abstract TSelf Relu(TSelf x);
}

internal unsafe readonly struct Vec512 : IVec<Vec512>
{
    private readonly Vector512<float> _v;
    private Vec512(Vector512<float> v) => _v = v;
    public static int Count => Vector512<float>.Count;
    public static string Name => "Vector512";
    public static Vec512 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vec512 value) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Fma(Vec512 a, Vec512 b, Vec512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Add(Vec512 a, Vec512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Subtract(Vec512 a, Vec512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Multiply(Vec512 a, Vec512 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Max(Vec512 a, Vec512 b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 MaxNative(Vec512 a, Vec512 b) => new(Vector512.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyNaN(Vec512 x) => !Vector512.EqualsAll(x._v, x._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Relu(Vec512 x) => new(Vector512.MaxNative(Vector512<float>.Zero, x._v));
}

internal unsafe readonly struct Vec256 : IVec<Vec256>
{
    private readonly Vector256<float> _v;
    private Vec256(Vector256<float> v) => _v = v;
    public static int Count => Vector256<float>.Count;
    public static string Name => "Vector256";
    public static Vec256 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vec256 value) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Fma(Vec256 a, Vec256 b, Vec256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Add(Vec256 a, Vec256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Subtract(Vec256 a, Vec256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Multiply(Vec256 a, Vec256 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Max(Vec256 a, Vec256 b) => new(Vector256.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 MaxNative(Vec256 a, Vec256 b) => new(Vector256.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyNaN(Vec256 x) => !Vector256.EqualsAll(x._v, x._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Relu(Vec256 x) => new(Vector256.MaxNative(Vector256<float>.Zero, x._v));
}

/// <summary>The narrowest width: NEON on ARM64, SSE elsewhere, and software when no hardware vectors are enabled.</summary>
internal unsafe readonly struct Vec128 : IVec<Vec128>
{
    private readonly Vector128<float> _v;
    private Vec128(Vector128<float> v) => _v = v;
    public static int Count => Vector128<float>.Count;
    public static string Name => Vector128.IsHardwareAccelerated ? "Vector128" : "Vector128 (software)";
    public static Vec128 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Broadcast(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Load(float* source) => new(Vector128.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vec128 value) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Fma(Vec128 a, Vec128 b, Vec128 c) => new(Vector128.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Add(Vec128 a, Vec128 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Subtract(Vec128 a, Vec128 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Multiply(Vec128 a, Vec128 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Max(Vec128 a, Vec128 b) => new(Vector128.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 MaxNative(Vec128 a, Vec128 b) => new(Vector128.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyNaN(Vec128 x) => !Vector128.EqualsAll(x._v, x._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Relu(Vec128 x) => new(Vector128.MaxNative(Vector128<float>.Zero, x._v));
}
