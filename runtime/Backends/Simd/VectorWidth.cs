using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DenseNetGen.Backends.Simd;

/// <summary>The vector width the SIMD backend runs at, chosen once per process from what the JIT accelerates.</summary>
internal static class VectorWidth
{
    /// <summary>
    /// 512 where AVX-512 is accelerated; 256 on AVX2 with FMA; otherwise 128 (NEON, SSE, or software when hardware
    /// intrinsics are off, e.g. DOTNET_EnableHWIntrinsic=0).
    /// </summary>
    public static int Bits { get; } =
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256
        : 128;

    /// <summary>How the width is named in device descriptions: "Vector512", "Vector256", "Vector128" or "Vector128 (software)".</summary>
    public static string Name => Bits == 128 && !Vector128.IsHardwareAccelerated ? "Vector128 (software)" : $"Vector{Bits}";
}
