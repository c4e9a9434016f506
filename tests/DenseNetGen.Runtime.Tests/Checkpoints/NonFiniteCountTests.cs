using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The binder's vectorised count of NaN and ±∞ against <see cref="float.IsFinite"/>, value by value: every special
/// value at every position of arrays from empty to past a few 512-bit vectors, so each lane of the vector loop and
/// each position of the scalar tail sees each of them.
/// </summary>
public sealed class NonFiniteCountTests
{
    private static readonly float[] NotFinite =
    [
        float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity,
        BitConverter.Int32BitsToSingle(0x7F80_0001), // a signalling NaN
        BitConverter.Int32BitsToSingle(0x7FFF_FFFF), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001)),
    ];

    private static readonly float[] Finite =
    [
        0f, -0f, 1f, -1f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon,
        BitConverter.Int32BitsToSingle(0x7F7F_FFFF), BitConverter.Int32BitsToSingle(0x007F_FFFF), // largest normal, largest subnormal
    ];

    [Fact]
    public void CountsWhatFloatIsFiniteRefusesAtEveryPosition()
    {
        var random = new Random(16);
        for (int length = 0; length <= 67; length++)
            for (int position = 0; position < Math.Max(1, length); position++)
                foreach (var special in NotFinite.Concat(Finite))
                {
                    var values = new float[length];
                    for (int i = 0; i < length; i++) values[i] = Finite[random.Next(Finite.Length)];
                    if (length > 0) values[position] = special;
                    Assert.Equal(values.Count(v => !float.IsFinite(v)), NonFinite.Count(values));
                }
    }

    [Fact]
    public void CountsEveryValueWhenNoneIsFinite()
    {
        var values = Enumerable.Range(0, 1000).Select(i => NotFinite[i % NotFinite.Length]).ToArray();
        Assert.Equal(1000, NonFinite.Count(values));
        Assert.Equal(999, NonFinite.Count(values.AsSpan(1)));
    }
}
