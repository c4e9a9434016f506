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

    /// <summary>DenseNet121 at batch 8: the arena is far below the sum of its buffers (the stem and the early blocks die early).</summary>
    [Fact]
    public void DenseNet121ArenaIsTheLargestLiveSetNotTheSum()
    {
        var plan = DenseNet121.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var backend = SimdBackend.Open(new DenseNetGen.Backends.ComputeOptions(Threads: 1));
        using var network = (SimdNetwork)backend.Prepare(plan, weights);
        var geometry = DenseNetGen.Planning.PlanGeometry.Compute(plan, 8, 224, 224);
        long arena = network.ActivationBytes(geometry);
        long sum = Enumerable.Range(0, plan.Buffers.Count).Sum(b => geometry.BufferElements[b] * sizeof(float));
        // block1 (8·256·56·56 floats, 25.7 MB) and the stem (8·64·112·112, 25.7 MB) are alive together at the max pool.
        Assert.InRange(arena, 2 * 25_690_112L, sum * 3 / 4);
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
