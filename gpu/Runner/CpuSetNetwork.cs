using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Steps;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>The CPU kernel set's runner: every op one step and one launch, in plan order; nothing fused.</summary>
internal sealed class CpuSetNetwork : IlgpuNetwork
{
    private readonly IIlgpuStep?[] _steps;

    public CpuSetNetwork(NetworkPlan plan, BoundCheckpoint weights, IlgpuDevice device, IKernelSet kernels)
        : base(plan, device, kernels, PlanFusion.Steps(plan, PlanFusion.NoConv))
    {
        _steps = new IIlgpuStep?[plan.Ops.Count];
        try
        {
            for (int i = 0; i < _steps.Length; i++)
                _steps[i] = IlgpuSteps.Prepare(plan, i, weights, device.Accelerator);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    protected override long StepBytes => _steps.Sum(s => s?.Bytes ?? 0);

    protected override Shape CreateShape(PlanGeometry geometry, MemoryPlan layout) => new OpByOp(this, geometry, layout);

    public override void Dispose()
    {
        foreach (var step in _steps)
            step?.Dispose();
        base.Dispose();
    }

    private sealed class OpByOp(CpuSetNetwork network, PlanGeometry geometry, MemoryPlan layout) : Shape(network, geometry, layout)
    {
        protected override void Enqueue(in LaunchContext context, int opCount, bool arenaMoved, Action<int>? opFinished)
        {
            for (int i = 0; i < opCount; i++)
            {
                network._steps[i]!.Launch(context, Geometry.Ops[i]);
                if (opFinished is not null)
                {
                    context.Stream.Synchronize();
                    opFinished(i);
                }
            }
        }
    }
}
