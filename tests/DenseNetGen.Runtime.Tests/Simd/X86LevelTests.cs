using System.Runtime.Intrinsics.X86;
using DenseNetGen.Backends.Simd.Levels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The CPUID bits a level is checked by are the features .NET names: the JIT reads the same CPU through its own
/// detection, so every feature it reports must be one the level's bits report (a wrong bit would refuse a level the
/// CPU has, or worse, accept one it lacks). Under DOTNET_EnableAVX512=0 and the like the JIT reports fewer: the
/// implication still holds.
/// </summary>
public sealed class X86LevelTests
{
    [Fact]
    public void EveryFeatureTheJitSeesIsOneTheLevelSees()
    {
        if (!X86Base.IsSupported) return; // ARM64: no level applies
        var v4 = X86Level.All.Single(l => l.Name == "x86-64-v4");
        var v3 = X86Level.All.Single(l => l.Name == "x86-64-v3");
        bool jitV3 = Avx2.IsSupported && Fma.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported;
        bool jitV4 = jitV3 && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        if (jitV3) Assert.Empty(v3.Missing());
        if (jitV4) Assert.Empty(v4.Missing());
        // v4 includes v3: a CPU lacking v3 lacks v4.
        Assert.Subset(v4.Missing().ToHashSet(), v3.Missing().ToHashSet());
    }

    [Fact]
    public void LevelsAreTriedWidestFirst() =>
        Assert.Equal(X86Level.All.OrderByDescending(l => l.Bits).Select(l => l.Name), X86Level.All.Select(l => l.Name));

    /// <summary>
    /// A bit every x86-64 CPU sets (leaf 1, EDX bit 25, SSE) is present; a bit none sets (EDX bit 10, reserved) and
    /// leaves past the CPU's last are missing.
    /// </summary>
    [Fact]
    public void AFeatureTheCpuLacksIsMissing()
    {
        if (!X86Base.IsSupported) return;
        const int Edx = 3;
        var lacking = new X86Level("test", 128, [(1, Edx, 25, "SSE"), (1, Edx, 10, "reserved"), (0x7FFF_FFFF, 1, 0, "past the last leaf"),
            (0x8FFF_FFFF, 1, 0, "past the last extended leaf")]);
        Assert.Equal(["reserved", "past the last leaf", "past the last extended leaf"], lacking.Missing());
        Assert.False(lacking.IsSupported());
        var sse = new X86Level("sse", 128, [(1, Edx, 25, "SSE")]);
        Assert.True(sse.IsSupported());
    }
}
