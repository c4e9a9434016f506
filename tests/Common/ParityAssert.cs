namespace DenseNetGen.Tests;

/// <summary>The product's parity bar against PyTorch: max |Δ| ≤ 1e-4·max(1, max|reference|).</summary>
internal static class ParityAssert
{
    public static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        double error = Math.Abs(expected[worst] - (double)actual[worst]);
        Assert.True(error <= 1e-4 * scale,
            $"{what}: max |Δ| {error:g3} at {worst} (expected {expected[worst]}, got {actual[worst]}) exceeds {1e-4 * scale:g3}.");
    }
}
