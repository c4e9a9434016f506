namespace DenseNetGen.Tests;

/// <summary>The product's parity bar against PyTorch: every output finite, and max |Δ| ≤ 1e-4·max(1, max|reference|).</summary>
internal static class ParityAssert
{
    public static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        // Every comparison below is false for NaN, so non-finite outputs are refused first, wherever they are.
        var nonFinite = Array.FindIndex(actual, v => !float.IsFinite(v));
        Assert.True(nonFinite < 0, $"{what}: output {nonFinite} is {(nonFinite < 0 ? 0 : actual[nonFinite])}, not finite.");
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        double error = Math.Abs(expected[worst] - (double)actual[worst]);
        Assert.True(error <= 1e-4 * scale,
            $"{what}: max |Δ| {error:g3} at {worst} (expected {expected[worst]}, got {actual[worst]}) exceeds {1e-4 * scale:g3}.");
    }
}
