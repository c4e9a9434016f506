using System.Runtime.Intrinsics;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The width and the multiply-add follow what the processor offers and the runtime is allowed to use, so CI's runs
/// with DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0 (which also turns FMA off) and DOTNET_EnableHWIntrinsic=0 really
/// run the parity suite at 256 bits, at 128 bits without FMA and in software without FMA, and the run with
/// DOTNET_PreferredVectorBitWidth=128 at 128 bits with FMA. The expected width comes from outside .NET: the kernel's
/// CPU flags (/proc/cpuinfo) and those environment variables.
/// </summary>
public sealed class VectorWidthTests
{
    [Fact]
    public void WidthFollowsTheCpuFlagsAndTheEnabledInstructionSets()
    {
        var flags = CpuFlags();
        if (flags is null) return; // not Linux: nothing outside .NET to compare with
        static bool Off(string name) => Environment.GetEnvironmentVariable(name) == "0";
        // PreferredVectorBitWidth (decimal, unlike most DOTNET_ settings) caps the accelerated width, instruction sets kept.
        int cap = int.TryParse(Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth"), out int preferred) ? preferred : int.MaxValue;

        // The first row that applies gives the width; x86 rows need the instruction set and none of its switches off.
        // FMA (FMA3 on x86) belongs to the AVX2 group: switching AVX2 off switches it off too.
        bool fma = flags.Contains("fma") && !Off("DOTNET_EnableAVX2") && !Off("DOTNET_EnableHWIntrinsic");
        string Fused(string name) => fma ? name : name + ", no FMA";
        (bool Applies, int Bits, string Name)[] rows =
        [
            (Off("DOTNET_EnableHWIntrinsic"), 128, "Vector128 (software), no FMA"),
            (flags.Contains("avx512f") && !Off("DOTNET_EnableAVX512") && !Off("DOTNET_EnableAVX2") && cap >= 512, 512, "Vector512"),
            (flags.Contains("avx2") && !Off("DOTNET_EnableAVX2") && cap >= 256, 256, Fused("Vector256")),
            (true, 128, Fused("Vector128")),
        ];
        var expected = rows.First(r => r.Applies);
        // .NET leaves 512-bit vectors unaccelerated on processors whose AVX-512 lowers the clock (Skylake-X and
        // Cascade Lake among them); the backend must then run at 256 bits.
        if (expected.Bits == 512 && !Vector512.IsHardwareAccelerated)
            expected = (true, 256, Fused("Vector256"));

        Assert.Equal((expected.Bits, expected.Name), (VectorWidth.Bits, VectorWidth.Name));
        using var device = DenseNetGen.Execution.ComputeDevice.Open(DenseNetGen.Backends.DeviceKind.Cpu);
        Assert.Contains(VectorWidth.Name, device.Description);
    }

    /// <summary>The first "flags" (x86) or "Features" (ARM) line of /proc/cpuinfo, as a set; null where there is none.</summary>
    private static HashSet<string>? CpuFlags()
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal));
        return line is null ? null : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }
}
