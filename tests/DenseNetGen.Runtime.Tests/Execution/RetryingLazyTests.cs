using DenseNetGen.Backends;
using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// What <see cref="ComputeDevice.Default"/> is kept in: a failed making is tried again on the next use (a
/// <see cref="Lazy{T}"/> would throw the first exception forever), a success is kept, and racing threads make it once.
/// </summary>
public sealed class RetryingLazyTests
{
    [Fact]
    public void AFailureIsTriedAgainAndASuccessIsKept()
    {
        int calls = 0;
        var lazy = new RetryingLazy<object>(() => ++calls == 1
            ? throw new InvalidSettingException("DENSENET_THREADS", "DENSENET_THREADS: expected a thread count from 1 to 1024, got 'abc'.")
            : new object());

        var error = Assert.Throws<InvalidSettingException>(() => lazy.Value);
        var made = lazy.Value;

        Assert.Equal("DENSENET_THREADS", error.Setting);
        Assert.Same(made, lazy.Value);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void ASecondThreadWaitsForTheFirstInsteadOfMakingItAgain()
    {
        using var release = new ManualResetEventSlim();
        int calls = 0;
        var lazy = new RetryingLazy<object>(() =>
        {
            Interlocked.Increment(ref calls);
            release.Wait();
            return new object();
        });
        object? first = null, second = null;
        var a = new Thread(() => first = lazy.Value);
        var b = new Thread(() => second = lazy.Value);

        a.Start();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref calls) == 1, TimeSpan.FromMinutes(1)));
        b.Start();
        // b blocks either on the gate (as it should) or, were there none, inside a second making; either way it waits.
        Assert.True(SpinWait.SpinUntil(() => (b.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromMinutes(1)));
        release.Set();
        a.Join();
        b.Join();

        Assert.Equal(1, calls);
        Assert.NotNull(first);
        Assert.Same(first, second);
    }
}
