using System.Runtime.Intrinsics.X86;

namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// An x86-64 microarchitecture level a level library is compiled for (NativeAOT's <c>IlcInstructionSet</c>), with the
/// CPUID bits .NET requires of it: a NativeAOT image checks them when it starts and stops the process when one is
/// missing, so the app checks them itself before it loads the library.
/// </summary>
/// <param name="Name">The level's name as <c>IlcInstructionSet</c> takes it, e.g. "x86-64-v4".</param>
/// <param name="Bits">The vector width the SIMD backend runs at on it.</param>
/// <param name="Requires">Each CPUID bit the level needs: leaf, register (0 EAX … 3 EDX), bit, and the feature's name.</param>
internal sealed record X86Level(string Name, int Bits, IReadOnlyList<(uint Leaf, int Register, int Bit, string Feature)> Requires)
{
    private const int Ebx = 1, Ecx = 2;

    // x86-64-v3 as .NET 10 groups it (AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE), with XSAVE enabled by the OS.
    private static readonly (uint, int, int, string)[] s_v3 =
    [
        (1, Ecx, 12, "FMA"), (1, Ecx, 22, "MOVBE"), (1, Ecx, 27, "OSXSAVE"), (1, Ecx, 28, "AVX"), (1, Ecx, 29, "F16C"),
        (7, Ebx, 3, "BMI1"), (7, Ebx, 5, "AVX2"), (7, Ebx, 8, "BMI2"), (0x8000_0001, Ecx, 5, "LZCNT"),
    ];

    /// <summary>Every level a library is built for, widest first: the order the app tries them in.</summary>
    public static IReadOnlyList<X86Level> All { get; } =
    [
        new("x86-64-v4", 512, [.. s_v3, (7, Ebx, 16, "AVX512F"), (7, Ebx, 17, "AVX512DQ"), (7, Ebx, 28, "AVX512CD"),
            (7, Ebx, 30, "AVX512BW"), (7, Ebx, 31, "AVX512VL")]),
        new("x86-64-v3", 256, s_v3),
    ];

    /// <summary>The library's file name on this OS, e.g. "libdensenetgen-simd-x86-64-v4.so".</summary>
    public string FileName => OperatingSystem.IsWindows() ? $"{BaseName}.dll"
        : OperatingSystem.IsMacOS() ? $"lib{BaseName}.dylib"
        : $"lib{BaseName}.so";

    /// <summary>The name a build gives the library project's output (<c>NativeLib=Shared</c> adds the OS's prefix and suffix).</summary>
    public string BaseName => $"densenetgen-simd-{Name}";

    /// <summary>
    /// Whether this CPU has every feature the level needs. CPUID says what the CPU has and whether the OS saves the
    /// extended registers at all (OSXSAVE), not which of them (XGETBV, which .NET does not expose): an OS that saves
    /// the AVX registers but not AVX-512's while CPUID reports AVX-512 would stop the process when it loads the v4
    /// library. No supported OS does that.
    /// </summary>
    public bool IsSupported() => !Missing().Any();

    /// <summary>The features this CPU lacks of the level's (all of them where CPUID is not available).</summary>
    public IEnumerable<string> Missing()
    {
        if (!X86Base.IsSupported)
        {
            foreach (var r in Requires) yield return r.Feature;
            yield break;
        }
        uint maxLeaf = (uint)X86Base.CpuId(0, 0).Eax, maxExtended = (uint)X86Base.CpuId(unchecked((int)0x8000_0000), 0).Eax;
        foreach (var (leaf, register, bit, feature) in Requires)
        {
            if (leaf > (leaf >= 0x8000_0000 ? maxExtended : maxLeaf))
            {
                yield return feature;
                continue;
            }
            var (eax, ebx, ecx, edx) = X86Base.CpuId(unchecked((int)leaf), 0);
            int value = register switch { 0 => eax, Ebx => ebx, Ecx => ecx, _ => edx };
            if ((value & (1 << bit)) == 0) yield return feature;
        }
    }
}
