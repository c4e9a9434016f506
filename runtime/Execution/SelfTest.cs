using System.Diagnostics;
using System.Globalization;
using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>
/// A known-answer test of a backend's kernels, in the spirit of a cryptographic library's power-on self-test: the
/// <see cref="SelfTestPlan"/> runs twice on the backend (so state one call leaves behind, such as split-K arrival
/// counts, would show in the second) and both results are held to the SIMD CPU backend's. When they differ, the plan
/// runs again op by op on both to name the first op, and the backend's kernel for it, that is off, and by how much.
/// </summary>
internal static class SelfTest
{
    /// <summary>
    /// FP32 bar against the SIMD backend, relative to max(1, max |reference|): the SIMD backend may run 3x3 convs as
    /// Winograd (held to 2e-5 of PyTorch) and the ILGPU kernels are held to 5e-6 of PyTorch; a wrong kernel is off by
    /// orders of magnitude more.
    /// </summary>
    public const double Fp32Bar = 2.5e-5;

    /// <summary>TF32 bar against the SIMD backend's FP32: TF32's parity bar (two TF32 roundings and cuDNN's sum order).</summary>
    public const double Tf32Bar = 5e-3;

    /// <summary>Runs the self-test on <paramref name="backend"/>; the time counts everything but preparing the backend's network (which compiles its kernels, as any first network would).</summary>
    public static SelfTestResult Run(IBackend backend)
    {
        var (plan, weights, input) = SelfTestPlan.Create();
        var geometry = PlanGeometry.Compute(plan, SelfTestPlan.Batch, SelfTestPlan.Size, SelfTestPlan.Size);
        double bar = backend.Precision == Precision.Tf32 ? Tf32Bar : Fp32Bar;
        using var network = backend.Prepare(plan, weights);
        var clock = Stopwatch.StartNew();
        using var shape = network.ForShape(geometry);
        using var reference = SimdBackend.Open(new ComputeOptions(Threads: 1, Spinning: false));
        using var referenceNetwork = reference.Prepare(plan, weights);
        using var referenceShape = referenceNetwork.ForShape(geometry);
        var expected = referenceShape.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
        for (int run = 1; run <= 2; run++)
        {
            var actual = shape.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            double difference = MaxDifference(actual, expected), limit = Bar(expected, bar);
            if (!(difference <= limit))
                return SelfTestResult.Failed(Locate(plan, input, shape, referenceShape, bar) ??
                    $"run {run} of 2: the logits differ from the SIMD CPU backend's by {Format(difference)} (bar {Format(limit)}) though every op matched when run on its own");
        }
        return SelfTestResult.Ok(clock.ElapsedMilliseconds);
    }

    /// <summary>
    /// The first op whose output is off, run op by op from the input on both backends: every op that ends a
    /// launch on any backend (convs, pools, the head's norm) is compared over the channels it writes.
    /// </summary>
    private static string? Locate(NetworkPlan plan, float[] input, IShapedNetwork shape, IShapedNetwork reference, double bar)
    {
        for (int op = 0; op < plan.Ops.Count; op++)
        {
            if (plan.Ops[op] is BatchNormReluOp { Pool: not PoolKind.Global })
                continue; // fused into the conv after it on the GPU set, so never written there
            var writes = plan.Ops[op].Writes;
            var actual = Channels(shape.Run(input, op + 1, [writes.Buffer], null)[0], plan.Buffers[writes.Buffer].Channels, writes);
            var expected = Channels(reference.Run(input, op + 1, [writes.Buffer], null)[0], plan.Buffers[writes.Buffer].Channels, writes);
            double difference = MaxDifference(actual, expected), limit = Bar(expected, bar);
            if (!(difference <= limit))
                return $"op {op} ({plan.Ops[op].Summary}) on {shape.Kernel(op) ?? "its kernel"} is off by {Format(difference)} (bar {Format(limit)})";
        }
        return null;
    }

    /// <summary>The channels <paramref name="slice"/> writes, of every image of an NCHW buffer with <paramref name="channels"/> channels.</summary>
    private static float[] Channels(float[] buffer, int channels, BufferSlice slice)
    {
        int plane = buffer.Length / (SelfTestPlan.Batch * channels);
        var result = new float[SelfTestPlan.Batch * slice.Channels * plane];
        for (int n = 0; n < SelfTestPlan.Batch; n++)
            buffer.AsSpan((n * channels + slice.ChannelOffset) * plane, slice.Channels * plane)
                .CopyTo(result.AsSpan(n * slice.Channels * plane));
        return result;
    }

    private static double Bar(float[] reference, double relative)
    {
        double max = 0;
        foreach (var v in reference) max = Math.Max(max, Math.Abs((double)v));
        return relative * Math.Max(1.0, max);
    }

    /// <summary>max |a − b|; NaN when either holds a NaN, so a NaN never passes a bar.</summary>
    private static double MaxDifference(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }

    private static string Format(double value) => value.ToString("0.0e0", CultureInfo.InvariantCulture);
}

/// <summary>A self-test's outcome: passed in <paramref name="Milliseconds"/>, or <paramref name="Failure"/> says where it failed.</summary>
/// <param name="Failure">Null when it passed; otherwise the op, its kernel and how far off it was.</param>
/// <param name="Milliseconds">How long it took.</param>
internal sealed record SelfTestResult(string? Failure, long Milliseconds)
{
    public bool Passed => Failure is null;

    public static SelfTestResult Ok(long milliseconds) => new(null, milliseconds);

    public static SelfTestResult Failed(string failure) => new(failure, 0);
}
