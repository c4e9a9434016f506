using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The kernels' pinned memory: every start 64-byte aligned (a 16-float vector never straddles a cache line) whatever
/// address the allocator gives, zeroed, the span and the pointer the same floats; a length one array cannot hold is
/// refused; a thread's scratch is reused until a larger one is asked for.
/// </summary>
public sealed unsafe class PinnedFloatsTests
{
    [Fact]
    public void EveryStartIsAlignedZeroedAndSharedByTheSpan()
    {
        var misalignments = new HashSet<long>();
        var kept = new List<PinnedFloats>(); // kept alive, so the allocator hands out fresh addresses
        for (int i = 0; i < 200; i++)
        {
            int length = i % 37;
            var floats = new PinnedFloats(length);
            kept.Add(floats);
            Assert.Equal(length, floats.Length);
            Assert.Equal(length, floats.Span.Length);
            Assert.Equal(0, (long)floats.Pointer % 64);
            Assert.All(floats.Span.ToArray(), x => Assert.Equal(0f, x));
            fixed (float* span = floats.Span) Assert.True(length == 0 || span == floats.Pointer, $"length {length}: the span starts elsewhere");
            if (length > 0)
            {
                floats.Pointer[length - 1] = i;
                Assert.Equal(i, floats.Span[length - 1]);
            }
            // Where the allocator put the array's data, relative to a cache line: the test means nothing unless it varies.
            var array = (float[])typeof(PinnedFloats).GetField("_array", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(floats)!;
            misalignments.Add((long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) % 64);
            // Pinned: on the pinned object heap, which the GC reports as the oldest generation from the start, never moving.
            Assert.Equal(GC.MaxGeneration, GC.GetGeneration(array));
        }
        Assert.True(misalignments.Count > 1, "every allocation already started on a cache line");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-100L)]
    public void ANegativeLengthIsRefused(long length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PinnedFloats(length));
        Assert.Equal("length", e.ParamName);
        Assert.StartsWith($"{length} floats do not fit one array.", e.Message);
    }

    [Theory]
    [InlineData(2147483591L - 15)] // Array.MaxLength - 15: with its 16 floats of slack, one float too many
    [InlineData(2147483591L)]
    [InlineData(int.MaxValue)]
    [InlineData(1L << 40)]
    public void ALengthNoArrayHoldsIsRefused(long length)
    {
        // Array.MaxLength less the 16 floats of alignment slack is the most one array holds.
        Assert.Equal(2147483591, System.Array.MaxLength);
        Assert.True(length > System.Array.MaxLength - 16);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PinnedFloats(length));
        Assert.StartsWith($"{length} floats do not fit one array.", e.Message);
    }

    [Fact]
    public void AThreadsScratchIsReusedUntilALargerOneIsAskedFor()
    {
        var (first, same, smaller, larger, again) = OnNewThread(() =>
        {
            float* a = PinnedFloats.ThreadScratch(100);
            float* b = PinnedFloats.ThreadScratch(100);
            float* c = PinnedFloats.ThreadScratch(10);
            float* d = PinnedFloats.ThreadScratch(101);
            float* e = PinnedFloats.ThreadScratch(101);
            return ((nint)a, (nint)b, (nint)c, (nint)d, (nint)e);
        });
        Assert.Equal(0, first % 64);
        Assert.Equal(first, same);
        Assert.Equal(first, smaller);
        Assert.NotEqual(first, larger);
        Assert.Equal(0, larger % 64);
        Assert.Equal(larger, again);
    }

    private static T OnNewThread<T>(Func<T> body)
    {
        T result = default!;
        var thread = new Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result;
    }
}
