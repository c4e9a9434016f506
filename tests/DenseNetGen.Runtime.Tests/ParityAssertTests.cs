using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;
using Xunit.Sdk;

namespace DenseNetGen.Runtime.Tests;

/// <summary>
/// The parity bar itself: a NaN or infinity anywhere in the output or the reference fails, not only at index 0; and
/// the FP32 bar is tight enough to see, through a whole network, one wrong channel or one wrong border pixel.
/// </summary>
public sealed class ParityAssertTests
{
    [Theory]
    [InlineData(0, float.NaN)]
    [InlineData(2, float.NaN)]
    [InlineData(3, float.PositiveInfinity)]
    [InlineData(1, float.NegativeInfinity)]
    public void NonFiniteOutputFailsWherever(int index, float value)
    {
        float[] expected = [1f, 2f, 3f, 4f];
        var actual = (float[])expected.Clone();
        actual[index] = value;

        Assert.Throws<TrueException>(() => ParityAssert.Close(expected, actual, "test"));
        Assert.Throws<TrueException>(() => ParityAssert.Close(actual, expected, "test"));
    }

    [Fact]
    public void CloseValuesPassAndFarOnesFail()
    {
        // Scale max(1, 3) = 3: the FP32 bar is 3 · 5e-6 = 1.5e-5 absolute.
        ParityAssert.Close([1f, 2f, -3f], [1f, 2.00001f, -3f], "test");
        Assert.Throws<TrueException>(() => ParityAssert.Close([1f, 2f, -3f], [1f, 2.00002f, -3f], "test"));
        ParityAssert.Close([1f, 2f, -3f], [1f, 2.00002f, -3f], "test", Tolerance.Winograd);
        // Below 1 the scale stays 1: 5e-6 absolute.
        Assert.Throws<TrueException>(() => ParityAssert.Close([0.001f], [0.00101f], "test"));
    }

    [Theory]
    [InlineData(new[] { 1f, float.NaN, 3f }, new[] { 1f, 2f, 3f })]
    [InlineData(new[] { 1f, 2f, 3f }, new[] { float.NaN, 2f, 3f })]
    [InlineData(new[] { 1f, 2f }, new[] { 1f, float.PositiveInfinity })]
    public void MaxDifferenceIsNotFiniteWhenAValueIsNot(float[] a, float[] b) =>
        Assert.False(double.IsFinite(Tolerance.MaxDifference(a, b)));

    /// <summary>
    /// TinyCifarNet with deterministic weights against PyTorch (tests/references/parity/TinyCifarNet.json), after a
    /// change the size of a silent bug: each moves the logits by more than the FP32 bar, but by less than the former
    /// bar of 1e-4, which let it pass. Effects as tools/densenet_torch.py computes them in PyTorch: 7.9e-5 for the
    /// corner pixel, 1.3e-5 for the channel (relative to max(1, max |logit|) = 1.71).
    /// </summary>
    [Theory]
    [InlineData("the bottom-right input pixel read as padding (0)")]
    [InlineData("one output channel of a 3x3 conv with float16 weights")]
    public void TheFp32BarFailsOneWrongBorderPixelOrChannel(string perturbation)
    {
        var pytorch = ParityReference.Load(RepositoryPaths.References("parity"), "TinyCifarNet").Cases[0];
        int[] shape = pytorch.InputShape;
        var weights = DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters);
        var input = DeterministicWeights.Input(shape[0], shape[1], shape[2], shape[3]);
        if (perturbation.Contains("pixel"))
            input[^1] = 0;
        else
        {
            // Output channel 0 of the first dense layer's 3x3 conv: its 18·3·3 weights come first.
            var conv = weights["features.denseblock1.denselayer1.conv2.weight"].Data;
            for (int i = 0; i < 18 * 9; i++) conv[i] = (float)(Half)conv[i];
        }
        using var model = TinyCifarNet.FromTensors(weights, TestDevice.Device);

        var logits = model.Forward(input, shape[0], shape[2], shape[3]);

        Assert.Throws<TrueException>(() => ParityAssert.Close(pytorch.Logits, logits, perturbation));
        ParityAssert.Close(pytorch.Logits, logits, perturbation, new Tolerance("the former FP32 bar", 1e-4));
    }
}
