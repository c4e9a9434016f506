using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using X86Fma = System.Runtime.Intrinsics.X86.Fma;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The vector width the SIMD backend runs at and whether it multiplies and adds in one fused instruction, both
/// chosen once per process from what the JIT accelerates. Under NativeAOT that is what the image was compiled for
/// (IlcInstructionSet; at default settings x86-64-v2, so Vector128 without FMA on any x86 CPU): its
/// <c>IsSupported</c> checks beyond that baseline are constant false, not run-time checks.
/// </summary>
internal static class VectorWidth
{
    /// <summary>
    /// 512 where AVX-512 is accelerated; 256 where AVX2 is; otherwise 128 (NEON, SSE, or software when hardware
    /// intrinsics are off, e.g. DOTNET_EnableHWIntrinsic=0).
    /// </summary>
    public static int Bits { get; } =
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : 128;

    /// <summary>
    /// Whether <c>VectorNNN.FusedMultiplyAdd</c> is one hardware instruction at <see cref="Bits"/>: AVX-512F has it
    /// for 512 bits, FMA3 for 256 and 128 on x86, NEON's FMLA on ARM64. Otherwise .NET computes it per element in
    /// software, so the kernels run over <see cref="Unfused{TVec}"/> instead (DOTNET_EnableAVX2=0 also turns FMA off).
    /// </summary>
    public static bool Fused { get; } = Bits == 512 || X86Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>
    /// How device descriptions name the vector type <see cref="Dispatch{TResult}"/> gives every program: "Vector512",
    /// "Vector256", "Vector128", "Vector128, no FMA" or "Vector128 (software), no FMA".
    /// </summary>
    public static string Name { get; } = Dispatch(new NameOf());

    /// <summary>
    /// Vector registers the kernels' register tiles may fill at <typeparamref name="TVec"/>'s width: 32 with AVX-512
    /// and on AArch64 (NEON has 32 128-bit registers, so its Vector128 tiles are as tall as AVX-512's), else 16 (AVX2,
    /// SSE; software vectors take the same tiles).
    /// </summary>
    public static int Registers<TVec>() where TVec : struct, IVec<TVec> => TVec.Count == 16 || AdvSimd.Arm64.IsSupported ? 32 : 16;

    /// <summary>Runs <paramref name="use"/> with this process's width and multiply-add as its type argument.</summary>
    public static TResult Dispatch<TResult>(IWidthUser<TResult> use) => (Bits, Fused) switch
    {
        (512, _) => use.Use<Vec512>(),
        (256, true) => use.Use<Vec256>(),
        (256, false) => use.Use<Unfused<Vec256>>(),
        (_, true) => use.Use<Vec128>(),
        _ => use.Use<Unfused<Vec128>>(),
    };
}

/// <summary>Something built for one vector type: <see cref="VectorWidth.Dispatch{TResult}"/> supplies the process's.</summary>
internal interface IWidthUser<TResult>
{
    TResult Use<TVec>() where TVec : struct, IVec<TVec>;
}

file sealed class NameOf : IWidthUser<string>
{
    public string Use<TVec>() where TVec : struct, IVec<TVec> => TVec.Name;
}
