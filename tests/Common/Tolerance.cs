namespace DenseNetGen.Tests;

/// <summary>
/// One arithmetic path's parity bar: max |Δ| ≤ <see cref="Relative"/> · max(1, max |reference|). Each bar sits a few
/// times above the largest error measured on that path (README, "Parity bars"), so a bug that moves one output
/// channel or one border pixel fails it. Compiled into the tests and into densenet-bench's parity command.
/// </summary>
/// <param name="Path">What computes the outputs held to this bar.</param>
/// <param name="Relative">The bar, relative to max(1, max |reference|).</param>
internal sealed record Tolerance(string Path, double Relative)
{
    /// <summary>
    /// FP32 on every backend (SIMD at 512, 256 and 128 bits and in software, the ILGPU kernels on the CPU accelerator,
    /// PoCL and CUDA) against PyTorch's FP32: measured at most 4.8e-6 (SIMD) and 5.4e-6 (ILGPU kernels).
    /// </summary>
    public static readonly Tolerance Fp32 = new("FP32", 5e-6);

    /// <summary>
    /// TF32 convs against PyTorch with TF32 on (the GPU check): two independent TF32 roundings, at most 1.1e-3 each
    /// from FP32 on the zoo (tools/tf32_emulation.py), times about 2.3 for cuDNN's own conversion and sum order.
    /// Against tools/make_tf32_references.py's emulation of our own rounding, TF32 kernels are held to <see cref="Fp32"/>.
    /// </summary>
    public static readonly Tolerance Tf32 = new("TF32", 5e-3);

    /// <summary>
    /// Winograd 3x3 convs (the transforms add error FP32 direct convs do not have): measured at most 5.3e-6 on a single
    /// conv (F(4x4,3x3), 128 → 32 channels on a 7x7 map, WinogradConvTests) and 1.2e-6 on the zoo's logits; the bar
    /// sits about four times above the single conv's.
    /// </summary>
    public static readonly Tolerance Winograd = new("Winograd", 2e-5);

    /// <summary>Every path's bar, for listings.</summary>
    public static IReadOnlyList<Tolerance> All { get; } = [Fp32, Tf32, Winograd];

    /// <summary>The absolute bar for outputs compared with <paramref name="reference"/>; infinity-free only for finite references.</summary>
    public double Bar(ReadOnlySpan<float> reference) => Relative * Math.Max(1.0, MaxAbs(reference));

    /// <summary>max |v|, NaN when any value is NaN (Math.Max propagates it, LINQ's Max skips it).</summary>
    public static double MaxAbs(ReadOnlySpan<float> values)
    {
        double max = 0;
        foreach (var v in values) max = Math.Max(max, Math.Abs((double)v));
        return max;
    }

    /// <summary>max |a − b| over two equally long arrays, NaN when either holds a NaN and infinity for an infinity.</summary>
    public static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}");
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
