using DenseNetGen.Execution;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.GpuKernels;

/// <summary>
/// Queues a plan's forward pass with the GPU kernel set (see <see cref="GpuLaunchPlan"/>) for one executor: keeps
/// the launch plan per input shape, the split-K scratch buffer and, on CUDA, one captured graph per input shape.
/// Not thread-safe: the executor calls it under the device's gate.
/// </summary>
internal sealed class GpuPlanRunner : IDisposable
{
    private readonly NetworkPlan _plan;
    private readonly ComputeDevice _device;
    private readonly GpuKernelSet _kernels;
    private readonly Dictionary<(int Batch, int Height, int Width, int OpCount), GpuLaunchPlan> _launchPlans = [];
    private readonly Dictionary<(int Batch, int Height, int Width, int OpCount), CudaGraph> _graphs = [];
    private MemoryBuffer1D<float, Stride1D.Dense>? _partials;

    public GpuPlanRunner(NetworkPlan plan, ComputeDevice device, GpuKernelSet kernels)
    {
        _plan = plan;
        _device = device;
        _kernels = kernels;
    }

    /// <summary>
    /// Queues the ops before <paramref name="opCount"/> on <paramref name="stream"/>: replays the shape's CUDA graph
    /// when the device captures graphs and <paramref name="afterLaunch"/> is null, otherwise launches one by one,
    /// calling <paramref name="afterLaunch"/> with the last op index each launch computes.
    /// </summary>
    /// <param name="buffersMoved">True when the executor reallocated a buffer since the last call: every recorded
    /// graph points at the old memory and is dropped.</param>
    public void Run(AcceleratorStream stream, PlanLayout layout, int batch, int height, int width, int opCount,
        Func<int, ArrayView<float>> buffer, DeviceWeights weights, bool buffersMoved, Action<int>? afterLaunch)
    {
        var key = (batch, height, width, opCount);
        if (!_launchPlans.TryGetValue(key, out var launchPlan))
            _launchPlans[key] = launchPlan = GpuLaunchPlan.Build(_plan, layout, _kernels.Multiprocessors);
        if (_partials is null || _partials.Length < Math.Max(1, launchPlan.PartialElements))
        {
            _partials?.Dispose();
            _partials = null;
            _partials = _device.Accelerator.Allocate1D<float>(Math.Max(1, launchPlan.PartialElements));
            buffersMoved = true;
        }
        if (buffersMoved)
            DropGraphs();

        void Enqueue(Action<int>? after)
        {
            foreach (var launch in launchPlan.Launches)
            {
                if (launch.LastOp >= opCount) break;
                Launch(stream, layout, launch, buffer, weights);
                after?.Invoke(launch.LastOp);
            }
        }

        if (afterLaunch is not null || !_device.CapturesGraphs)
        {
            Enqueue(afterLaunch);
            return;
        }
        if (!_graphs.TryGetValue(key, out var graph))
        {
            try
            {
                graph = CudaGraphs.Capture(_device.Accelerator, stream, () => Enqueue(null));
            }
            catch (InvalidOperationException e)
            {
                // Nothing ran during the failed capture: say why in the device description and launch plainly from now on.
                _device.StopCapturingGraphs(e.Message);
                Enqueue(null);
                return;
            }
            _graphs[key] = graph;
        }
        graph.Launch(_device.Accelerator, stream);
    }

    private void Launch(AcceleratorStream stream, PlanLayout layout, GpuLaunch launch, Func<int, ArrayView<float>> buffer, DeviceWeights weights)
    {
        switch (launch)
        {
            case TiledConvLaunch c:
            {
                // Without a prologue the scale and shift views are never read; the conv's bias stands in for them.
                var (scale, shift) = c.NormOp >= 0 ? (weights.First(c.NormOp), weights.Second(c.NormOp)) : (weights.Second(c.LastOp), weights.Second(c.LastOp));
                _kernels.Conv(stream, buffer(c.Source), weights.First(c.LastOp), weights.Second(c.LastOp), scale, shift,
                    buffer(c.Destination), _partials!.View, c.Geometry);
                break;
            }
            case NormLaunch n:
            {
                var op = (BatchNormReluOp)_plan.Ops[n.LastOp];
                _kernels.BatchNormRelu(stream, buffer(op.Source), weights.First(n.LastOp), weights.Second(n.LastOp), buffer(op.Destination), layout.Pools[n.LastOp]);
                break;
            }
            case MaxPoolLaunch m:
            {
                var op = (MaxPoolOp)_plan.Ops[m.LastOp];
                _kernels.MaxPool(stream, buffer(op.Source), buffer(op.Destination), layout.Pools[m.LastOp]);
                break;
            }
        }
    }

    /// <summary>Device memory of the split-K scratch buffer.</summary>
    public long ScratchBytes => _partials?.LengthInBytes ?? 0;

    private void DropGraphs()
    {
        foreach (var graph in _graphs.Values)
            graph.Dispose();
        _graphs.Clear();
    }

    public void Dispose()
    {
        DropGraphs();
        _partials?.Dispose();
        _partials = null;
    }
}
