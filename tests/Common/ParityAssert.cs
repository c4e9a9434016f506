namespace DenseNetGen.Tests;

/// <summary>
/// The product's parity bar against an independent reference: both arrays finite, and max |Δ| within the path's
/// <see cref="Tolerance"/> (<see cref="Tolerance.Fp32"/> unless named). DENSENET_PARITY_LOG=FILE appends every
/// comparison's worst error to FILE (what, path, max |Δ|, scale, relative), which is how README's measured errors
/// per path were taken.
/// </summary>
internal static class ParityAssert
{
    /// <summary>Holds <paramref name="actual"/> to <paramref name="expected"/> at the FP32 bar.</summary>
    public static void Close(float[] expected, float[] actual, string what) => Close(expected, actual, what, Tolerance.Fp32);

    /// <summary>Holds <paramref name="actual"/> to <paramref name="expected"/> at <paramref name="tolerance"/>'s bar.</summary>
    public static void Close(float[] expected, float[] actual, string what, Tolerance tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        // Every comparison below is false for NaN, so non-finite values are refused first, wherever they are, in the
        // output and in the reference (a NaN reference would otherwise make the scale NaN and hide everything).
        AssertFinite(actual, $"{what}: output");
        AssertFinite(expected, $"{what}: reference");
        double scale = Math.Max(1.0, Tolerance.MaxAbs(expected));
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs((double)expected[i] - actual[i]) > Math.Abs((double)expected[worst] - actual[worst])) worst = i;
        double error = expected.Length == 0 ? 0 : Math.Abs(expected[worst] - (double)actual[worst]);
        Log(what, tolerance, error, scale);
        Assert.True(error <= tolerance.Relative * scale,
            $"{what}: max |Δ| {error:g3} at {worst} (expected {expected[worst]}, got {actual[worst]}) exceeds the " +
            $"{tolerance.Path} bar {tolerance.Relative:g2}·{scale:g3} = {tolerance.Relative * scale:g3}.");
    }

    private static void AssertFinite(float[] values, string what)
    {
        var nonFinite = Array.FindIndex(values, v => !float.IsFinite(v));
        Assert.True(nonFinite < 0, $"{what} {nonFinite} is {(nonFinite < 0 ? 0 : values[nonFinite])}, not finite.");
    }

    private static readonly object s_logLock = new();

    private static void Log(string what, Tolerance tolerance, double error, double scale)
    {
        if (Environment.GetEnvironmentVariable("DENSENET_PARITY_LOG") is not { Length: > 0 } file) return;
        lock (s_logLock)
            File.AppendAllText(file, FormattableString.Invariant($"{what}\t{tolerance.Path}\t{error:g3}\t{scale:g4}\t{error / scale:g3}\n"));
    }
}
