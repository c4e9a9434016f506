using DenseNetGen.Backends.Simd.Levels;
using DenseNetGen.Planning;
using DenseNetGen.Runtime.Tests.Parity;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>The plan a level library is handed is the app's plan: every network's comes back equal, member by member.</summary>
public sealed class PlanCodecTests
{
    public static TheoryData<string> Plans() => [.. s_plans.Keys];

    [Theory]
    [MemberData(nameof(Plans))]
    public void EveryPlanComesBackEqual(string name)
    {
        var plan = s_plans[name];
        var back = PlanCodec.Read(PlanCodec.Write(plan));
        Assert.Equal(plan, back);
        // Equality is by value; these would differ if a field were read into its neighbour of the same type.
        Assert.Equal(plan.Ops.Select(op => op.ToString()), back.Ops.Select(op => op.ToString()));
        Assert.Equal(plan.Parameters.Select(p => p.ToString()), back.Parameters.Select(p => p.ToString()));
    }

    [Fact]
    public void EveryOpKindAndOptionalFieldIsWritten()
    {
        var kinds = s_plans.Values.SelectMany(p => p.Ops).ToList();
        Assert.Contains(kinds, op => op is ConvOp { Bias: not null });
        Assert.Contains(kinds, op => op is ConvOp { Bias: null });
        Assert.Contains(kinds, op => op is ConvOp { FoldedNorm: not null });
        Assert.Contains(kinds, op => op is MaxPoolOp);
        foreach (var pool in Enum.GetValues<PoolKind>())
            Assert.Contains(kinds, op => op is BatchNormReluOp b && b.Pool == pool);
    }

    [Fact]
    public void CutBytesAreRefused()
    {
        var bytes = PlanCodec.Write(OddImageNet.Definition);
        foreach (int length in new[] { 0, 1, bytes.Length / 2, bytes.Length - 1 })
            Assert.Throws<InvalidDataException>(() => PlanCodec.Read(bytes.AsSpan(0, length)));
        Assert.Throws<InvalidDataException>(() => PlanCodec.Read([.. bytes, 0]));
    }

    [Fact]
    public void AListLongerThanItsBytesIsRefusedBeforeItIsMade()
    {
        // The name, seven ints, then the buffer count: set to int.MaxValue.
        var bytes = PlanCodec.Write(OddImageNet.Definition);
        int count = 1 + OddImageNet.Definition.Name.Length + 7 * 4;
        BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, count);
        var e = Assert.Throws<InvalidDataException>(() => PlanCodec.Read(bytes));
        Assert.Contains("2147483647", e.Message);
    }

    [Fact]
    public void AnEmptyListComesBackEmpty()
    {
        var plan = OddImageNet.Definition with { Stages = [] };
        Assert.Equal(plan, PlanCodec.Read(PlanCodec.Write(plan)));
    }

    [Fact]
    public void AListLongerThanWhatRemainsIsRefusedThoughShorterThanTheWhole()
    {
        var bytes = PlanCodec.Write(OddImageNet.Definition);
        int count = 1 + OddImageNet.Definition.Name.Length + 7 * 4;
        BitConverter.GetBytes(bytes.Length - 1).CopyTo(bytes, count);
        var e = Assert.Throws<InvalidDataException>(() => PlanCodec.Read(bytes));
        Assert.StartsWith($"A list of {bytes.Length - 1} items where {bytes.Length - count - 4} bytes remain.", e.Message);
    }

    private static readonly IReadOnlyDictionary<string, NetworkPlan> s_plans = NetworkParityTests.Plans;
}
