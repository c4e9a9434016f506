using System.Runtime.CompilerServices;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// Any width <typeparamref name="TVec"/> with <see cref="IVec{TSelf}.Fma"/> done as a multiply then an add (two
/// roundings, still vectorised). Chosen once per process, like the width, where the hardware has no fused
/// multiply-add for it (x86 without FMA3, and vectors in software): there <c>VectorNNN.FusedMultiplyAdd</c> falls
/// back to a correctly rounded fused op per element in software, about 300 times slower than this.
/// </summary>
/// <remarks>
/// One wrapper for every width, so no kernel branches per element: the JIT compiles each kernel once more over
/// <c>Unfused&lt;TVec&gt;</c> with these one-liners inlined. The two roundings stay within the parity bar (the CI
/// runs the parity suite on this path).
/// </remarks>
internal unsafe readonly struct Unfused<TVec> : IVec<Unfused<TVec>> where TVec : struct, IVec<TVec>
{
    private readonly TVec _v;
    private Unfused(TVec v) => _v = v;
    public static int Count => TVec.Count;
    public static string Name => TVec.Name + ", no FMA";
    public static Unfused<TVec> Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Broadcast(float value) => new(TVec.Broadcast(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Load(float* source) => new(TVec.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Unfused<TVec> value) => TVec.Store(destination, value._v);
    /// <summary>a·b + c with two roundings.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Fma(Unfused<TVec> a, Unfused<TVec> b, Unfused<TVec> c) => new(TVec.Add(TVec.Multiply(a._v, b._v), c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Add(Unfused<TVec> a, Unfused<TVec> b) => new(TVec.Add(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Subtract(Unfused<TVec> a, Unfused<TVec> b) => new(TVec.Subtract(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Multiply(Unfused<TVec> a, Unfused<TVec> b) => new(TVec.Multiply(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Max(Unfused<TVec> a, Unfused<TVec> b) => new(TVec.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> MaxNative(Unfused<TVec> a, Unfused<TVec> b) => new(TVec.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyNaN(Unfused<TVec> x) => TVec.AnyNaN(x._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Unfused<TVec> Relu(Unfused<TVec> x) => new(TVec.Relu(x._v));
}
