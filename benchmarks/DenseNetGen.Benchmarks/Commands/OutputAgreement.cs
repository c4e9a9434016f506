using System.Globalization;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// `compare` times only runners that compute the same thing: each (model, batch) group's logits are held against
/// one reference runner's with the product's parity bar, max |Δ| ≤ 1e-4·max(1, max |reference|) (see README,
/// "Equal to PyTorch"). The reference is PyTorch where it ran, else ONNX Runtime, else the group's first runner.
/// </summary>
internal static class OutputAgreement
{
    /// <summary>One line naming the first runner whose logits disagree, and by how much; null when every group agrees.</summary>
    public static string? FirstDisagreement(IEnumerable<CompareRow> rows)
    {
        foreach (var group in rows.Where(r => r.Outputs is not null).GroupBy(r => (r.Model, r.Batch)))
        {
            var reference = group.FirstOrDefault(r => r.Runner.StartsWith("PyTorch", StringComparison.Ordinal))
                ?? group.FirstOrDefault(r => r.Runner == CompareRow.OnnxRuntime)
                ?? group.First();
            foreach (var row in group)
                if (row != reference && Disagreement(reference, row) is { } message) return message;
        }
        return null;
    }

    private static string? Disagreement(CompareRow reference, CompareRow row)
    {
        float[] expected = reference.Outputs!, actual = row.Outputs!;
        string what = $"{row.Runner}'s {row.Model} b{row.Batch} logits";
        if (expected.Length != actual.Length)
            return $"{what} have {actual.Length} values, {reference.Runner}'s {expected.Length}.";
        double bar = 1e-4 * Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]);
            // NaN compares false with everything: count it as the worst disagreement there is.
            if (!(error <= worst)) worst = double.IsNaN(error) ? double.PositiveInfinity : error;
        }
        return worst <= bar ? null
            : string.Create(CultureInfo.InvariantCulture, $"{what} differ from {reference.Runner}'s by max |Δ| {worst:g3}, beyond the parity bar {bar:g3}.");
    }
}
