using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Steps;
using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// The GPU kernel set's runner: every norm that can run in the staging of the conv after it does (see
/// <see cref="GpuLaunchPlan"/>), the split-K scratch and arrival counts are shared by every shape, and per input shape
/// the launch plan and, on CUDA, one captured graph per op count.
/// Not thread-safe: the network runs under the device's gate.
/// </summary>
internal sealed class GpuSetNetwork : IlgpuNetwork
{
    private readonly GpuKernelSet _kernels;
    private readonly GpuSetStep[] _steps;
    private MemoryBuffer1D<float, Stride1D.Dense>? _partials;
    private MemoryBuffer1D<int, Stride1D.Dense>? _arrivals;

    /// <summary>Counts reallocations of the arena or the scratch: a graph recorded at an older count points at freed memory.</summary>
    private int _memoryGeneration;

    public GpuSetNetwork(NetworkPlan plan, BoundCheckpoint weights, IlgpuDevice device, GpuKernelSet kernels)
        : base(plan, device, kernels, PlanFusion.Steps(plan, TakesNorm))
    {
        _kernels = kernels;
        var steps = new List<GpuSetStep>(Outline.Count);
        try
        {
            foreach (var outline in Outline)
                steps.Add(GpuSetStep.Prepare(plan, outline, weights, device.Accelerator));
        }
        catch
        {
            foreach (var step in steps) step.Dispose();
            base.Dispose();
            throw;
        }
        _steps = [.. steps];
    }

    /// <summary>Every conv stages a norm before it: the tiled and halo kernels apply the prologue to any conv.</summary>
    internal static bool TakesNorm(ConvOp conv) => true;

    /// <summary>The prepared steps in run order.</summary>
    internal IReadOnlyList<GpuSetStep> Steps => _steps;

    protected override long StepBytes => _steps.Sum(s => s.Bytes);

    /// <summary>Device memory of the split-K scratch and arrival counts.</summary>
    protected override long ScratchBytes => (_partials?.LengthInBytes ?? 0) + (_arrivals?.LengthInBytes ?? 0);

    protected override Shape CreateShape(PlanGeometry geometry, MemoryPlan layout) =>
        new LaunchPlanShape(this, geometry, layout, GpuLaunchPlan.Build(_steps, geometry, _kernels.Multiprocessors, _kernels.Halo));

    public override void Dispose()
    {
        foreach (var step in _steps) step.Dispose();
        _partials?.Dispose();
        _partials = null;
        _arrivals?.Dispose();
        _arrivals = null;
        base.Dispose();
    }

    /// <summary>Grows the split-K scratch for <paramref name="launchPlan"/>; true when the arena or the scratch moved.</summary>
    private bool Reserve(GpuLaunchPlan launchPlan, bool arenaMoved)
    {
        // Arrival counts need no zeroing here: every split launch clears the counts it uses (GpuKernelSet.TiledConv).
        bool moved = arenaMoved | DeviceBuffers.Grow(Device.Accelerator, ref _partials, launchPlan.PartialElements);
        moved |= DeviceBuffers.Grow(Device.Accelerator, ref _arrivals, launchPlan.ArrivalCounts);
        if (moved) _memoryGeneration++;
        return moved;
    }

    /// <summary>One input shape: its launch plan and the CUDA graphs recorded from it, per op count.</summary>
    private sealed class LaunchPlanShape(GpuSetNetwork network, PlanGeometry geometry, MemoryPlan layout, GpuLaunchPlan launchPlan)
        : Shape(network, geometry, layout)
    {
        private readonly Dictionary<int, CudaGraph> _graphs = [];
        private int _graphGeneration;

        /// <summary>
        /// Replays the shape's CUDA graph when the device captures graphs and <paramref name="opFinished"/> is null,
        /// otherwise launches one by one, waiting after each launch and calling <paramref name="opFinished"/> with the
        /// last op index it computed. Graphs recorded before any buffer moved are dropped first.
        /// </summary>
        protected override void Enqueue(in LaunchContext context, int opCount, bool arenaMoved, Action<int>? opFinished)
        {
            network.Reserve(launchPlan, arenaMoved);
            if (_graphGeneration != network._memoryGeneration)
            {
                DropGraphs();
                _graphGeneration = network._memoryGeneration;
            }

            var graphs = network.Device.Graphs;
            // An injected fault (tests only) launches plainly: inside a capture it would only be recorded.
            if (opFinished is not null || !graphs.On || network.Device.Fault is not null)
            {
                Launch(context, opCount, opFinished);
                return;
            }
            var accelerator = network.Device.Accelerator;
            if (!_graphs.TryGetValue(opCount, out var graph))
            {
                var captured = context;
                try
                {
                    graph = CudaGraphs.Capture(accelerator, context.Stream, () => Launch(captured, opCount, null));
                }
                catch (InvalidOperationException e)
                {
                    // Nothing ran during the failed capture: launch plainly from now on, and the description and a
                    // warning say why (or, with DENSENET_CUDA_GRAPHS=on, Stop throws).
                    graphs.Stop(e.Message, accelerator.Name);
                    Launch(context, opCount, null);
                    return;
                }
                _graphs[opCount] = graph;
            }
            graph.Launch(accelerator, context.Stream);
        }

        /// <summary>"haloed 3x3 conv with norm+ReLU prologue, split-K 2" and the like: the launch that computes <paramref name="op"/>.</summary>
        public override string? Kernel(int op)
        {
            var launch = launchPlan.Launches.FirstOrDefault(l => l.Outline.FirstOp <= op && op <= l.LastOp);
            if (launch is not TiledConvLaunch { Geometry: var g })
                return launch is null ? null : $"{network.Plan.Ops[launch.LastOp].Summary} (element-wise kernel)";
            string precision = network._kernels.Precision == Precision.Tf32 ? "TF32 " : "";
            string kernel = g.IsHalo ? "haloed 3x3 conv" : $"tiled GEMM {g.Kernel}x{g.Kernel} conv";
            string prologue = g.Prologue switch
            {
                TiledPrologue.NormRelu => " with norm+ReLU prologue",
                TiledPrologue.NormReluAverage2x2 => " with norm+ReLU+2x2 pool prologue",
                _ => "",
            };
            return $"{precision}{kernel}{prologue}, {(g.Splits > 1 ? $"split-K {g.Splits}" : "no split")}";
        }

        private void Launch(in LaunchContext context, int opCount, Action<int>? opFinished)
        {
            foreach (var launch in launchPlan.Launches)
            {
                if (launch.LastOp >= opCount) break;
                switch (launch)
                {
                    case TiledConvLaunch c:
                    {
                        var conv = c.Step.Conv;
                        // Without a prologue the scale and shift are never read; the conv's bias stands in for them.
                        var (scale, shift) = c.Step.Prologue is { } n ? (n.Scale, n.Shift) : (conv.Bias, conv.Bias);
                        var fault = network.Device.Fault is { } f && f.Op == c.LastOp ? f : null;
                        if (fault?.Kind == LaunchFaultKind.AbortSplit) network.Device.Fault = null; // once; a wrong kernel stays wrong
                        var g = c.Geometry;
                        int groups = fault?.Kind == LaunchFaultKind.AbortSplit && g.Splits > 1 ? g.PixelTiles * g.ChannelTiles : 0;
                        network._kernels.TiledConv(context.Stream, context.Activations[c.Outline.Source], conv.Weights, conv.Bias, scale, shift,
                            context.Activations[c.Outline.Destination], network._partials!.View, network._arrivals!.View, g, groups);
                        if (fault is not null) Inject(context, fault, context.Activations[c.Outline.Destination], g, groups);
                        break;
                    }
                    case OpLaunch o:
                        o.Step.Launch(context, Geometry.Ops[o.LastOp]);
                        break;
                }
                if (opFinished is not null)
                {
                    context.Stream.Synchronize();
                    opFinished(launch.LastOp);
                }
            }
        }

        /// <summary>The test-only <see cref="LaunchFault"/> after its launch: see <see cref="LaunchFaultKind"/>.</summary>
        private static void Inject(in LaunchContext context, LaunchFault fault, ArrayView<float> destination, in TiledConvGeometry g, int groups)
        {
            if (fault.Kind == LaunchFaultKind.WrongResult)
            {
                // Written from the host: PoCL refused a fill (clEnqueueFillBuffer) at this offset into the arena.
                var zeros = new float[g.OutChannels * g.OutPixels];
                destination.SubView((long)g.DestinationOffset * g.OutPixels, zeros.Length).CopyFromCPU(context.Stream, zeros);
                return;
            }
            context.Stream.Synchronize();
            throw new InjectedFaultException(groups > 0
                ? $"injected fault: split launch of op {fault.Op} aborted after its first K slice"
                : $"injected fault: op {fault.Op}'s launch is not split, so nothing was aborted");
        }

        private void DropGraphs()
        {
            foreach (var graph in _graphs.Values)
                graph.Dispose();
            _graphs.Clear();
        }

        public override void Dispose() => DropGraphs();
    }
}
