using System.Runtime.Intrinsics;
using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The width follows what the JIT accelerates, so CI's runs with DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0 and
/// DOTNET_EnableHWIntrinsic=0 really run the parity suite at 256 bits, 128 bits and in software.
/// </summary>
public sealed class VectorWidthTests
{
    [Fact]
    public void WidthFollowsTheEnabledInstructionSets()
    {
        static bool Off(string name) => Environment.GetEnvironmentVariable(name) == "0";

        if (Off("DOTNET_EnableHWIntrinsic"))
            Assert.Equal("Vector128 (software)", VectorWidth.Name);
        else if (Off("DOTNET_EnableAVX2"))
            Assert.Equal(128, VectorWidth.Bits);
        else if (Off("DOTNET_EnableAVX512"))
            Assert.True(VectorWidth.Bits <= 256, $"AVX-512 is off but the width is {VectorWidth.Bits}");
        Assert.Equal(Vector512.IsHardwareAccelerated ? 512 : VectorWidth.Bits, VectorWidth.Bits);
        using var device = DenseNetGen.Execution.ComputeDevice.Open(DenseNetGen.Backends.DeviceKind.Cpu);
        Assert.Contains(VectorWidth.Name, device.Description);
    }
}
