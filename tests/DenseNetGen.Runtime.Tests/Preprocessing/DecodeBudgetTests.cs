using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

/// <summary>
/// <see cref="DecodeBudget"/>'s rules, each image on its own thread as Parallel.For runs them: a charge that does not fit
/// waits for others to finish, the oldest image never waits (so one image larger than the budget still decodes and
/// nothing deadlocks), and what is charged at once is at most the budget plus the oldest image's charge.
/// </summary>
public class DecodeBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void AChargeThatDoesNotFitWaitsUntilTheOlderImageIsDone()
    {
        var budget = new DecodeBudget(100);
        using var olderCharged = new ManualResetEventSlim();
        using var olderMayFinish = new ManualResetEventSlim();
        using var youngerCharged = new ManualResetEventSlim();

        var older = OnThread(() =>
        {
            using var lease = budget.Open();
            DecodeBudget.Charge(80);
            olderCharged.Set();
            olderMayFinish.Wait(Patience);
        });
        Assert.True(olderCharged.Wait(Patience));
        var younger = OnThread(() =>
        {
            using var lease = budget.Open();
            DecodeBudget.Charge(50);
            youngerCharged.Set();
        });

        Assert.False(youngerCharged.Wait(TimeSpan.FromMilliseconds(300)), "50 bytes were charged while 80 of a 100-byte budget were held");
        olderMayFinish.Set();
        Assert.True(youngerCharged.Wait(Patience), "the younger image still waited after the older one was done");
        older.Join();
        younger.Join();
        Assert.Equal(80, budget.PeakBytes);
    }

    [Fact]
    public void TheOldestImageNeverWaitsEvenWhenLargerThanTheBudget()
    {
        var budget = new DecodeBudget(100);
        var thread = OnThread(() =>
        {
            using var lease = budget.Open();
            DecodeBudget.Charge(60);
            DecodeBudget.Charge(1_000);
        });

        Assert.True(thread.Join(Patience), "the only image in flight waited for a budget it alone was holding");
        Assert.Equal(1_060, budget.PeakBytes);
    }

    [Fact]
    public void ManyImagesAtOnceStayWithinTheBudgetPlusOneImage()
    {
        var budget = new DecodeBudget(1_000);
        // 64 images of 300 + 100 bytes each, charged in two steps as the decoder does (file bytes, then from the header).
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            using var lease = budget.Open();
            DecodeBudget.Charge(100);
            Thread.Sleep(1);
            DecodeBudget.Charge(300);
            Thread.Sleep(1);
        });

        Assert.InRange(budget.PeakBytes, 400, 1_000 + 400);
    }

    [Fact]
    public void NothingIsChargedOutsideALease()
    {
        var budget = new DecodeBudget(10);
        DecodeBudget.Charge(1_000_000);

        Assert.Equal(0, budget.PeakBytes);
    }

    private static Thread OnThread(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        return thread;
    }
}
