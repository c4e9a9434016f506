using DenseNetGen.Backends.Ilgpu.Ops;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.GpuKernels;

/// <summary>
/// Queues a plan's forward pass with the GPU kernel set (see <see cref="GpuLaunchPlan"/>) for one network: keeps
/// the launch plan per input shape, the split-K scratch and arrival counts and, on CUDA, one captured graph per input
/// shape.
/// Not thread-safe: the network runs under the device's gate.
/// </summary>
internal sealed class GpuPlanRunner : IDisposable
{
    private readonly NetworkPlan _plan;
    private readonly IReadOnlyList<IIlgpuOp?> _ops;
    private readonly IlgpuBackend _backend;
    private readonly GpuKernelSet _kernels;
    private readonly Dictionary<(int Batch, int Height, int Width), GpuLaunchPlan> _launchPlans = [];
    private readonly Dictionary<(int Batch, int Height, int Width, int OpCount), CudaGraph> _graphs = [];
    private MemoryBuffer1D<float, Stride1D.Dense>? _partials;
    private MemoryBuffer1D<int, Stride1D.Dense>? _arrivals;

    public GpuPlanRunner(NetworkPlan plan, IReadOnlyList<IIlgpuOp?> ops, IlgpuBackend backend, GpuKernelSet kernels)
    {
        _plan = plan;
        _ops = ops;
        _backend = backend;
        _kernels = kernels;
    }

    /// <summary>The buffers each launch of the shape reads and writes, in launch order (see <see cref="GpuLaunchPlan.Touches"/>).</summary>
    public IEnumerable<(int[] Reads, int Write)> Touches(PlanGeometry geometry) => LaunchPlan(geometry).Touches(_plan);

    private GpuLaunchPlan LaunchPlan(PlanGeometry geometry)
    {
        var shape = (geometry.Batch, geometry.Height, geometry.Width);
        if (!_launchPlans.TryGetValue(shape, out var launchPlan))
            _launchPlans[shape] = launchPlan = GpuLaunchPlan.Build(_plan, _ops, geometry, _kernels.Multiprocessors);
        return launchPlan;
    }

    /// <summary>Device memory of the split-K scratch and arrival counts.</summary>
    public long ScratchBytes => (_partials?.LengthInBytes ?? 0) + (_arrivals?.LengthInBytes ?? 0);

    /// <summary>
    /// Queues the ops before <paramref name="opCount"/>: replays the shape's CUDA graph when the backend captures
    /// graphs and <paramref name="opFinished"/> is null, otherwise launches one by one, waiting after each launch
    /// and calling <paramref name="opFinished"/> with the last op index it computed.
    /// </summary>
    /// <param name="launch">The stream and the buffers of this run.</param>
    /// <param name="geometry">The input shape's buffer sizes; one launch plan (and graph) is kept per shape.</param>
    /// <param name="opCount">How many leading plan ops to run.</param>
    /// <param name="opFinished">Called after each launch with its last op index; null to run without waiting.</param>
    /// <param name="buffersMoved">An activation buffer was reallocated since the last call: every recorded graph
    /// points at the old memory and is dropped.</param>
    public void Run(in IlgpuLaunch launch, PlanGeometry geometry, int opCount, bool buffersMoved, Action<int>? opFinished)
    {
        var launchPlan = LaunchPlan(geometry);
        buffersMoved |= DeviceBuffers.Grow(_backend.Accelerator, ref _partials, launchPlan.PartialElements);
        if (DeviceBuffers.Grow(_backend.Accelerator, ref _arrivals, launchPlan.ArrivalCounts))
        {
            // Zero once: every split launch leaves the counts it used at zero again.
            _arrivals!.MemSetToZero(launch.Stream);
            buffersMoved = true;
        }
        if (buffersMoved)
            DropGraphs();

        if (opFinished is not null || !_backend.CapturesGraphs)
        {
            Enqueue(launch, geometry, launchPlan, opCount, opFinished);
            return;
        }
        var key = (geometry.Batch, geometry.Height, geometry.Width, opCount);
        if (!_graphs.TryGetValue(key, out var graph))
        {
            var captured = launch;
            try
            {
                graph = CudaGraphs.Capture(_backend.Accelerator, launch.Stream, () => Enqueue(captured, geometry, launchPlan, opCount, null));
            }
            catch (InvalidOperationException e)
            {
                // Nothing ran during the failed capture: launch plainly from now on, and the description says why.
                _backend.StopCapturingGraphs(e.Message);
                Enqueue(launch, geometry, launchPlan, opCount, null);
                return;
            }
            _graphs[key] = graph;
        }
        graph.Launch(_backend.Accelerator, launch.Stream);
    }

    private void Enqueue(in IlgpuLaunch launch, PlanGeometry geometry, GpuLaunchPlan launchPlan, int opCount, Action<int>? opFinished)
    {
        foreach (var step in launchPlan.Launches)
        {
            if (step.LastOp >= opCount) break;
            if (step is TiledConvLaunch c)
            {
                var conv = (ConvLaunch)_ops[c.LastOp]!;
                // Without a prologue the scale and shift are never read; the conv's bias stands in for them.
                var (scale, shift) = c.NormOp >= 0
                    ? (((BatchNormReluLaunch)_ops[c.NormOp]!).Scale, ((BatchNormReluLaunch)_ops[c.NormOp]!).Shift)
                    : (conv.Bias, conv.Bias);
                _kernels.TiledConv(launch.Stream, launch.Activations[c.Source], conv.Weights, conv.Bias, scale, shift,
                    launch.Activations[conv.Op.Destination], _partials!.View, _arrivals!.View, c.Geometry);
            }
            else
            {
                _ops[step.LastOp]!.Launch(launch, geometry.Ops[step.LastOp]);
            }
            if (opFinished is not null)
            {
                launch.Stream.Synchronize();
                opFinished(step.LastOp);
            }
        }
    }

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
        _arrivals?.Dispose();
        _arrivals = null;
    }
}
