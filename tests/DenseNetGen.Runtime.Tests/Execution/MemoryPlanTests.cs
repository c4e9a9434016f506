using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends.Ilgpu.Runner;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Execution;

public sealed class MemoryPlanTests
{
    /// <summary>
    /// A chain a → b → c → d: a and c, and b and d, are never alive together and share memory; neighbours never do.
    /// The arena is the largest live pair.
    /// </summary>
    [Fact]
    public void BuffersShareMemoryOnlyWhenTheirLifetimesDoNotOverlap()
    {
        long[] sizes = [16, 32, 48, 64];
        var plan = MemoryPlan.Compute(sizes, [([], 0), ([0], 1), ([1], 2), ([2], 3)], keep: [3]);

        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
            {
                bool disjoint = plan.Offsets[a] + sizes[a] <= plan.Offsets[b] || plan.Offsets[b] + sizes[b] <= plan.Offsets[a];
                if (b == a + 1) Assert.True(disjoint, $"buffers {a} and {b} are alive together but overlap");
            }
        Assert.Equal(48 + 64, plan.TotalFloats);
    }

    [Fact]
    public void AnUntouchedBufferTakesNoMemory()
    {
        var plan = MemoryPlan.Compute([16, 16, 16], [([], 0), ([0], 2)], keep: [2]);
        Assert.Equal(-1, plan.Offsets[1]);
        Assert.Equal(32, plan.TotalFloats);
    }

    /// <summary>Buffers alive at the same step never overlap, whatever order first-fit meets them in.</summary>
    private static void AssertNoLiveOverlap(MemoryPlan plan, IReadOnlyList<(int[] Reads, int Write)> touches, int[] keep)
    {
        int n = plan.Sizes.Length;
        bool Alive(int b, int step) =>
            touches.Select((t, i) => (t, i)).Any(x => x.t.Write == b || x.t.Reads.Contains(b)) &&
            touches.Select((t, i) => (t, i)).Where(x => x.t.Write == b || x.t.Reads.Contains(b)).Min(x => x.i) <= step &&
            (keep.Contains(b) || touches.Select((t, i) => (t, i)).Where(x => x.t.Write == b || x.t.Reads.Contains(b)).Max(x => x.i) >= step);
        for (int step = 0; step <= touches.Count; step++)
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                    if (Alive(a, step) && Alive(b, step))
                        Assert.True(plan.Offsets[a] + plan.Sizes[a] <= plan.Offsets[b] || plan.Offsets[b] + plan.Sizes[b] <= plan.Offsets[a],
                            $"buffers {a} and {b} are alive at step {step} but overlap");
    }

    [Fact]
    public void ThreeBuffersAliveTogetherGetThreeRanges()
    {
        // 0, 1 and 2 are all read by the last step: first-fit must move 2 past both larger ones (64 + 32 + 16).
        (int[] Reads, int Write)[] touches = [([], 0), ([], 1), ([], 2), ([0, 1, 2], 3)];
        var plan = MemoryPlan.Compute([64, 32, 16, 16], touches, keep: [3]);

        AssertNoLiveOverlap(plan, touches, [3]);
        Assert.Equal(64 + 32 + 16 + 16, plan.TotalFloats);
    }

    [Fact]
    public void ABufferFillsAGapOfExactlyItsSize()
    {
        // 0 dies at step 1, where 1 (placed at 64) is born; 2 is born at step 2, alive with 1 only: the 64 floats below 1
        // fit it exactly, so the arena is two buffers, 128 floats.
        (int[] Reads, int Write)[] touches = [([], 0), ([0], 1), ([], 2)];
        var plan = MemoryPlan.Compute([64, 64, 64], touches, keep: [1, 2]);

        AssertNoLiveOverlap(plan, touches, [1, 2]);
        Assert.Equal([0L, 64, 0], plan.Offsets);
        Assert.Equal(128, plan.TotalFloats);
    }

    [Fact]
    public void ResultsLiveToTheEndEvenWhenWrittenFirst()
    {
        // 0 is written at step 0 and never read, but kept (a result): no later buffer may take its memory. 1 is written at
        // step 1 and read at step 2: it needs memory too.
        (int[] Reads, int Write)[] touches = [([], 0), ([], 1), ([1], 2), ([2], 3)];
        var plan = MemoryPlan.Compute([16, 16, 16, 16], touches, keep: [0]);

        AssertNoLiveOverlap(plan, touches, [0]);
        Assert.All(plan.Offsets, o => Assert.True(o >= 0));
        Assert.Equal(16 + 16 + 16, plan.TotalFloats);

        // Touched once, at step 0, and not kept: it still gets memory for that step.
        var once = MemoryPlan.Compute([16, 16], [([], 0), ([], 1)], keep: [1]);
        Assert.Equal(0, once.Offsets[0]);
    }

    /// <summary>
    /// Steps 1 and 2 run slice by slice (together = 3 touches: the input's write and both steps): every buffer they
    /// touch lives through all three, so 0, 1 and 2 take three ranges though 0 and 2 never meet in run order; 3,
    /// touched after them only, may take 0's. A buffer marked per slice keeps its (slice-sized) size.
    /// </summary>
    [Fact]
    public void BuffersOfSlicedStepsLiveThroughAllOfThem()
    {
        (int[] Reads, int Write)[] touches = [([], 0), ([0], 1), ([1], 2), ([2], 3)];
        var plain = MemoryPlan.Compute([16, 16, 16, 16], touches, keep: [3]);
        Assert.Equal(32, plain.TotalFloats);

        var sliced = MemoryPlan.Compute([16, 16, 16, 16], touches, keep: [3], together: 3, perSlice: [true, true, false, false]);
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                Assert.True(sliced.Offsets[a] + 16 <= sliced.Offsets[b] || sliced.Offsets[b] + 16 <= sliced.Offsets[a],
                    $"buffers {a} and {b} of the sliced steps overlap");
        Assert.Equal(48, sliced.TotalFloats);
        Assert.Equal([true, true, false, false], sliced.PerSlice);
    }

    /// <summary>
    /// Every place slices may end, on three nets: a buffer no sliced step touches (first touched by the first step after
    /// them, or later) never holds slices; a buffer that holds slices and is touched after them too is sized for the
    /// batch; the results (features, logits) hold the batch even when only sliced steps write them (slices through the
    /// classifier); and a buffer holding slices is touched by a sliced step. Each claim is checked from the steps'
    /// own sources and destinations, not from the plan's reasoning.
    /// </summary>
    [Theory]
    [InlineData("DenseNet121", 4, 2)]
    [InlineData("TinyCifarNet", 6, 3)]
    [InlineData("OddImageNet", 2, 1)]
    public void SlicesHoldOnlyBuffersThatOnlySlicedStepsNeed(string name, int batch, int sliceImages)
    {
        var plan = name switch { "DenseNet121" => DenseNet121.Definition, "TinyCifarNet" => TinyCifarNet.Definition, _ => OddImageNet.Definition };
        var geometry = PlanGeometry.Compute(plan, batch, plan.InputSize, plan.InputSize);
        var steps = PlanFusion.Steps(plan, c => c is { Kernel: 1, Stride: 1, Padding: 0 });
        int[] results = [plan.FeatureBuffer, plan.OutputBuffer];
        for (int sliced = 1; sliced <= steps.Count; sliced++)
        {
            var layout = MemoryPlan.For(plan, geometry, steps, c => c, sliced, sliceImages);
            for (int b = 0; b < plan.Buffers.Count; b++)
            {
                bool Touches(PlanStep s) => s.Source == b || s.Destination == b;
                // Buffer 0, the input, is written by the caller's copy, which runs in the slices too.
                bool bySliced = b == 0 || steps.Take(sliced).Any(Touches);
                bool byLater = steps.Skip(sliced).Any(Touches);
                string where = $"{name}, {sliced} sliced steps, buffer {b}";
                if (!bySliced) Assert.False(layout.PerSlice[b], $"{where}: touched by no sliced step, yet held per slice");
                if (layout.PerSlice[b] && byLater) Assert.True(layout.Sizes[b] >= geometry.BufferElements[b], $"{where}: holds slices and is used by later steps, yet smaller than the batch");
                if (results.Contains(b))
                {
                    Assert.False(layout.PerSlice[b], $"{where}: a result held per slice");
                    if (layout.Offsets[b] >= 0) Assert.Equal(geometry.BufferElements[b], layout.Sizes[b]);
                }
            }
        }
    }

    /// <summary>DenseNet121 at batch 8: the arena is far below the sum of its buffers (the stem and the early blocks die early).</summary>
    [Fact]
    public void DenseNet121ArenaIsTheLargestLiveSetNotTheSum()
    {
        var plan = DenseNet121.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var backend = SimdBackend.Open(new DenseNetGen.Backends.ComputeOptions(Threads: 1));
        using var network = (SimdNetwork)backend.Prepare(plan, weights);
        var geometry = DenseNetGen.Planning.PlanGeometry.Compute(plan, 8, 224, 224);
        long arena = network.ActivationBytes(geometry, BatchSlicing.None(8));
        long sum = Enumerable.Range(0, plan.Buffers.Count).Sum(b => geometry.BufferElements[b] * sizeof(float));
        // block1 (8·256·56·56 floats, 25.7 MB) and the stem (8·64·112·112, 25.7 MB) are alive together at the max pool.
        Assert.InRange(arena, 2 * 25_690_112L, sum * 3 / 4);

        // Run image by image through the 56x56 and 28x28 maps on one thread, the buffers only those steps touch hold
        // one image: the input (16·224·224 floats stored), the stem and block 1 (3.2 MB each), block 2 (512·28·28, 1.6
        // MB). The batch buffers are the bottleneck (8·128·56·56 at its largest, 12.8 MB), used by block 3 too, and block
        // 3 (8·1024·14·14, 6.4 MB), written by the last sliced step. All are alive together from the first slice.
        var slicing = network.Slicing(geometry);
        Assert.Equal((1, 1), (slicing.Images, slicing.Threads));
        long sliced = network.ActivationBytes(geometry, slicing);
        Assert.InRange(sliced, 12_845_056L + 6_422_528 + 3 * 3_211_264 + 1_605_632, arena - 1);
    }

    /// <summary>
    /// The ILGPU backend lays its buffers out the same way, from what its launches touch: with the GPU set, whose
    /// convs run every norm in their staging, the norm scratch (block 1's width at 56x56) is touched by no launch and
    /// takes no memory; with the CPU set it does. Both arenas are well below the sum of the buffers.
    /// </summary>
    [Fact]
    public void IlgpuArenaLeavesOutTheNormScratchTheGpuSetFuses()
    {
        var plan = DenseNet121.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var geometry = PlanGeometry.Compute(plan, 8, 224, 224);
        int normScratch = plan.Ops.OfType<BatchNormReluOp>().First().Destination;
        long sum = geometry.BufferElements.Sum();

        foreach (var set in new[] { KernelSetKind.Cpu, KernelSetKind.Gpu })
        {
            using var device = ComputeDevice.Open(DeviceKind.IlgpuCpu, new ComputeOptions(set));
            using var network = (IlgpuNetwork)((IlgpuBackend)device.Backend).Prepare(plan, weights);
            var layout = network.Layout(geometry);
            Assert.Equal(set == KernelSetKind.Gpu, layout.Offsets[normScratch] < 0);
            Assert.InRange(layout.TotalFloats, 1, sum * 3 / 4);
        }
    }
}
