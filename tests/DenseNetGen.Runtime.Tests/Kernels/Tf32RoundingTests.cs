using System.Text.Json;
using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The software cvt.rna.tf32.f32 the CPU accelerator stages TF32 operands with, against tests/references/tf32/
/// rounding.json (tools/make_tf32_references.py: the same rounding done in float64 arithmetic): ties away from zero,
/// both signs, the mantissa carry into the exponent, overflow to Inf, subnormals, NaN and Inf left alone.
/// </summary>
public sealed class Tf32RoundingTests
{
    [Fact]
    public void SoftwareRoundingMatchesThePythonReference()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.References("tf32"), "rounding.json")));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        var wrong = new List<string>();
        foreach (var c in cases)
        {
            uint bits = c.GetProperty("bits").GetUInt32(), expected = c.GetProperty("rounded").GetUInt32();
            uint actual = BitConverter.SingleToUInt32Bits(Tf32Rounding.Round(BitConverter.UInt32BitsToSingle(bits)));
            if (actual != expected)
                wrong.Add($"{c.GetProperty("what").GetString()}: 0x{bits:x8} gave 0x{actual:x8}, expected 0x{expected:x8}");
        }

        Assert.True(cases.Length > 500, $"only {cases.Length} cases in rounding.json");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
