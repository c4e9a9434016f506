using System.Runtime.Intrinsics;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The width and the multiply-add follow what the JIT accelerates, so CI's runs with DOTNET_EnableAVX512=0,
/// DOTNET_EnableAVX2=0 (which also turns FMA off) and DOTNET_EnableHWIntrinsic=0 really run the parity suite at
/// 256 bits, at 128 bits without FMA and in software without FMA.
/// </summary>
public sealed class VectorWidthTests
{
    [Fact]
    public void WidthFollowsTheEnabledInstructionSets()
    {
        static bool Off(string name) => Environment.GetEnvironmentVariable(name) == "0";

        if (Off("DOTNET_EnableHWIntrinsic"))
            Assert.Equal("Vector128 (software), no FMA", VectorWidth.Name);
        else if (Off("DOTNET_EnableAVX2") && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
            Assert.Equal("Vector128, no FMA", VectorWidth.Name);
        else if (Off("DOTNET_EnableAVX512"))
            Assert.True(VectorWidth.Bits <= 256, $"AVX-512 is off but the width is {VectorWidth.Bits}");
        Assert.Equal(Vector512.IsHardwareAccelerated ? 512 : VectorWidth.Bits, VectorWidth.Bits);
        using var device = DenseNetGen.Execution.ComputeDevice.Open(DenseNetGen.Backends.DeviceKind.Cpu);
        Assert.Contains(VectorWidth.Name, device.Description);
    }
}
