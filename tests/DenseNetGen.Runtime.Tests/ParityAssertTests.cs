using Xunit.Sdk;

namespace DenseNetGen.Runtime.Tests;

/// <summary>The parity bar itself: a NaN or infinity anywhere in the output fails, not only at index 0.</summary>
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
    }

    [Fact]
    public void CloseValuesPassAndFarOnesFail()
    {
        ParityAssert.Close([1f, 2f, 3f], [1f, 2.00005f, 3f], "test");
        Assert.Throws<TrueException>(() => ParityAssert.Close([1f, 2f, 3f], [1f, 2.01f, 3f], "test"));
    }
}
