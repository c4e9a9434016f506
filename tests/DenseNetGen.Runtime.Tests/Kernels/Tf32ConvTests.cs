using DenseNetGen.Backends.Ilgpu.GpuKernels;
using DenseNetGen.Execution;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The TF32 convs (<see cref="TestDevice.Tf32"/>: emulated on the CPU accelerator, or tensor cores on CUDA)
/// against tests/references/kernels/tf32_*.json (tools/make_tf32_references.py). Exactly representable operands
/// must give the FP32 sums exactly, which any fragment layout or index error breaks; ordinary operands must stay
/// within the bound TF32's rounding allows, and be off by more than FP32 alone could be, which shows they were
/// rounded.
/// </summary>
public sealed class Tf32ConvTests
{
    /// <summary>Half a TF32 ulp relative to the value: the most rna rounding moves an operand.</summary>
    private static readonly double s_operandError = Math.ScaleB(1.0, -11);

    private static ComputeDevice Device => TestDevice.Tf32;

    [Fact]
    public void TheDeviceSaysItsConvsAreTf32() => Assert.Contains("; precision: tf32", Device.Description);

    /// <summary>
    /// Both TF32 kernels: 3x3 convs run haloed (<see cref="Tf32HaloConvKernels"/>), 1x1 ones as the tiled GEMM
    /// (<see cref="Tf32ConvKernels"/>). Partial channel, pixel and K tiles, and K split in two on a one-multiprocessor
    /// device such as the CPU accelerator (checked first: the case must cover what it claims).
    /// </summary>
    [Theory]
    [InlineData("tf32_exact_tiles", 3, 5, 72, 1)]
    [InlineData("tf32_exact_split", 3, 16, 40, 1)]
    [InlineData("tf32_exact_halo_split", 3, 20, 24, 2)]
    [InlineData("tf32_exact_gemm_tiles", 1, 40, 72, 1)]
    [InlineData("tf32_exact_gemm_split", 1, 144, 40, 2)]
    public void Tf32OperandsGiveTheExactSums(string name, int kernel, int inChannels, int outChannels, int splitsOnOneMultiprocessor)
    {
        var reference = KernelReference.Load(name);
        int n = reference["input"].Shape[0], h = reference["input"].Shape[2], w = reference["input"].Shape[3];
        int padding = kernel / 2;
        var geometry = GpuKernelSet.Shape(new TiledConvGeometry(n, inChannels, inChannels, 0, h, w, h, w, outChannels, outChannels,
            outChannels, 0, h, w, kernel, 1, padding, 0, TiledPrologue.None, 1, inChannels * kernel * kernel));
        Assert.Equal((kernel == 3, splitsOnOneMultiprocessor), (geometry.IsHalo, GpuLaunchPlan.Split(geometry, multiprocessors: 1).Splits));
        using var executor = new PlanExecutor(Conv(inChannels, outChannels, kernel, 1, padding), Weights(reference), Device);

        var output = Run(executor, reference["input"]);

        var expected = reference["output"].Data;
        Assert.Equal(expected.Length, output.Length);
        int wrong = Enumerable.Range(0, output.Length).FirstOrDefault(i => output[i] != expected[i], -1);
        int plane = output.Length / (reference["input"].Shape[0] * outChannels);
        Assert.True(wrong < 0, wrong < 0 ? "" :
            $"{name}: output {wrong} (channel {wrong / plane % outChannels}, pixel {wrong % plane}) is {output[wrong]}, expected {expected[wrong]}; " +
            $"{output.Where((v, i) => v != expected[i]).Count()} of {output.Length} differ.");
    }

    [Fact]
    public void RoundedOperandsStayWithinTheTf32Bound()
    {
        var reference = KernelReference.Load("tf32_tiles");
        const int depth = 5 * 9;
        using var executor = new PlanExecutor(Conv(5, 72, 3, 1, 1), Weights(reference), Device);

        var output = Run(executor, reference["input"]);

        float[] fp32 = reference["output"].Data, emulated = reference["output_tf32"].Data, magnitude = reference["output_abs"].Data;
        // FP32 sums of K products: at most (K + 1)·2^-24 of Σ|w·x| off the exact sum.
        double sums = (depth + 1) * Math.ScaleB(1.0, -24);
        // Rounding both operands moves a product by at most (2·2^-11 + 2^-22) of it.
        double products = 2 * s_operandError + s_operandError * s_operandError;
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - (double)fp32[i]) <= (products + sums) * magnitude[i] * (1 + 1e-6),
                $"output {i}: {output[i]} is further from the FP32 {fp32[i]} than TF32 allows (Σ|w·x| = {magnitude[i]}).");
            // The same rounded operands summed in float64 by tools/make_tf32_references.py: only FP32 sums apart.
            Assert.True(Math.Abs(output[i] - (double)emulated[i]) <= sums * (1 + products) * magnitude[i] + 1e-30,
                $"output {i}: {output[i]}, the TF32 emulation gives {emulated[i]} (Σ|w·x| = {magnitude[i]}).");
        }
        int rounded = output.Where((v, i) => Math.Abs(v - (double)fp32[i]) > sums * magnitude[i]).Count();
        Assert.True(rounded > output.Length / 10, $"only {rounded} of {output.Length} outputs are further from FP32 than FP32 sums could put them.");
    }

    [Fact]
    public void DenseLayerFollowsTheTf32Emulation() =>
        AssertFollowsTf32("tf32_dense_layer", DenseLayer());

    [Fact]
    public void TransitionFollowsTheTf32Emulation() =>
        AssertFollowsTf32("tf32_transition", Transition());

    /// <summary>
    /// A plan with prologues (and, for the dense layer, split K): within FP32's parity bar of the layer computed by
    /// PyTorch from the same TF32-rounded operands, and several times further from the FP32 layer than from it.
    /// </summary>
    private static void AssertFollowsTf32(string name, Planning.NetworkPlan plan)
    {
        var reference = KernelReference.Load(name);
        using var executor = new PlanExecutor(plan, Weights(reference), Device);

        var output = Run(executor, reference["input"]);

        float[] fp32 = reference["output"].Data, emulated = reference["output_tf32"].Data;
        ParityAssert.Close(emulated, output, name + " against the TF32 emulation");
        double toTf32 = Tolerance.MaxDifference(output, emulated), toFp32 = Tolerance.MaxDifference(output, fp32);
        Assert.True(toFp32 > 8 * toTf32, $"{name}: max |Δ| {toFp32:g3} from FP32, {toTf32:g3} from the TF32 emulation.");
    }
}
