using DenseNetGen.Checkpoints;
using DenseNetGen.GpuKernels;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Execution;

/// <summary>
/// Runs a <see cref="NetworkPlan"/> with bound weights on one device. Safe to call from several threads: each call
/// holds the device's gate (see <see cref="ComputeDevice"/>) from its first copy to its last wait.
/// </summary>
/// <remarks>
/// All launches and copies go to the device's stream (see <see cref="ComputeDevice.Stream"/>); the host waits once
/// per call, after the result has been queued for copying back. Activation buffers are kept between calls and only
/// grow. With the GPU kernel set, <see cref="GpuPlanRunner"/> queues the ops (fused, and on CUDA as a graph).
/// </remarks>
internal sealed class PlanExecutor : IDisposable
{
    private readonly NetworkPlan _plan;
    private readonly ComputeDevice _device;
    private readonly DeviceWeights _weights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _buffers;
    private readonly Dictionary<(int Batch, int Height, int Width), PlanLayout> _layouts = [];
    private readonly GpuPlanRunner? _gpu;
    private bool _disposed;

    public PlanExecutor(NetworkPlan plan, BoundCheckpoint weights, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(device);
        CheckChannels(plan);
        _plan = plan;
        _device = device;
        lock (device.Gate)
            _weights = new DeviceWeights(plan, weights, device.Accelerator);
        _buffers = new MemoryBuffer1D<float, Stride1D.Dense>?[plan.Buffers.Count];
        if (device.KernelSet == KernelSetKind.Gpu)
            _gpu = new GpuPlanRunner(plan, device, device.GpuKernels);
    }

    /// <summary>
    /// Runs the plan on NCHW input; returns logits [batch, NumClasses] or, with <paramref name="featuresOnly"/>,
    /// features [batch, FeatureChannels]. (Those buffers are 1x1 maps in a network; a hand-built plan whose result
    /// buffer is larger gets the whole buffer back, NCHW, which is how the kernel tests read spatial outputs.)
    /// </summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width, bool featuresOnly)
    {
        lock (_device.Gate)
        {
            var layout = Execute(input, batch, height, width, featuresOnly ? _plan.FeatureOpCount : _plan.Ops.Count, afterOp: null);
            var result = Read(layout, batch, featuresOnly ? _plan.FeatureBuffer : _plan.OutputBuffer);
            _device.Stream.Synchronize();
            return result;
        }
    }

    /// <summary>Runs the whole plan once and returns both the logits and the pooled features.</summary>
    public (float[] Logits, float[] Features) RunWithFeatures(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        lock (_device.Gate)
        {
            var layout = Execute(input, batch, height, width, _plan.Ops.Count, afterOp: null);
            var result = (Read(layout, batch, _plan.OutputBuffer), Read(layout, batch, _plan.FeatureBuffer));
            _device.Stream.Synchronize();
            return result;
        }
    }

    /// <summary>
    /// Runs the whole plan, calling <paramref name="afterOp"/> with each op's index right after its launch (for
    /// `densenet-bench profile`, which synchronizes there to time the ops one by one). With the GPU kernel set a
    /// launch can compute several ops; it reports the last.
    /// </summary>
    internal PlanLayout Trace(ReadOnlySpan<float> input, int batch, int height, int width, Action<int> afterOp)
    {
        lock (_device.Gate)
        {
            var layout = Execute(input, batch, height, width, _plan.Ops.Count, afterOp);
            _device.Stream.Synchronize();
            return layout;
        }
    }

    private PlanLayout Execute(ReadOnlySpan<float> input, int batch, int height, int width, int opCount, Action<int>? afterOp)
    {
        if (_disposed) throw new ObjectDisposedException(_plan.Name);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)batch * _plan.InChannels * height * width;
        if (input.Length != expected)
            throw new ArgumentException($"{_plan.Name} expects {expected} input values ({batch}×{_plan.InChannels}×{height}×{width}), got {input.Length}.", nameof(input));

        var layout = Layout(batch, height, width);
        bool buffersMoved = EnsureBuffers(layout);

        var stream = _device.Stream;
        View(0, input.Length).CopyFromCPU(stream, input);
        if (_gpu is not null)
        {
            _gpu.Run(stream, layout, batch, height, width, opCount, Whole, _weights, buffersMoved, afterOp);
            return layout;
        }
        var kernels = _device.Kernels;
        for (int i = 0; i < opCount; i++)
        {
            switch (_plan.Ops[i])
            {
                case ConvOp c:
                    kernels.Conv(stream, Whole(c.Source), _weights.First(i), _weights.Second(i), Whole(c.Destination), layout.Convs[i]);
                    break;
                case BatchNormReluOp n:
                    kernels.BatchNormRelu(stream, Whole(n.Source), _weights.First(i), _weights.Second(i), Whole(n.Destination), layout.Pools[i]);
                    break;
                case MaxPoolOp m:
                    kernels.MaxPool(stream, Whole(m.Source), Whole(m.Destination), layout.Pools[i]);
                    break;
            }
            afterOp?.Invoke(i);
        }
        return layout;
    }

    /// <summary>
    /// Device memory this executor holds: parameters, activation buffers and scratch. Buffers only grow, so after
    /// a call this is the call's peak (what the GPU check sets against PyTorch's max_memory_allocated).
    /// </summary>
    internal long DeviceBytes
    {
        get
        {
            lock (_device.Gate)
                return _weights.Bytes + _buffers.Sum(buffer => buffer?.LengthInBytes ?? 0) + (_gpu?.ScratchBytes ?? 0);
        }
    }

    private float[] Read(PlanLayout layout, int batch, int buffer)
    {
        var (height, width) = layout.FinalSizes[buffer]
            ?? throw new InvalidOperationException($"{_plan.Name}: no op writes the result buffer '{_plan.Buffers[buffer].Name}'.");
        var output = new float[batch * _plan.Buffers[buffer].Channels * height * width];
        View(buffer, output.Length).CopyToCPU(_device.Stream, output);
        return output;
    }

    public void Dispose()
    {
        lock (_device.Gate)
        {
            if (_disposed) return;
            _disposed = true;
            _gpu?.Dispose();
            foreach (var buffer in _buffers)
                buffer?.Dispose();
            _weights.Dispose();
        }
    }

    private PlanLayout Layout(int batch, int height, int width)
    {
        if (!_layouts.TryGetValue((batch, height, width), out var layout))
            _layouts[(batch, height, width)] = layout = PlanLayout.Compute(_plan, batch, height, width);
        return layout;
    }

    /// <summary>Grows buffers the layout needs larger; true when any was reallocated.</summary>
    private bool EnsureBuffers(PlanLayout layout)
    {
        bool moved = false;
        for (int b = 0; b < _buffers.Length; b++)
        {
            long needed = Math.Max(1, layout.BufferElements[b]);
            if (_buffers[b] is { } existing && existing.Length >= needed) continue;
            _buffers[b]?.Dispose();
            _buffers[b] = null;
            _buffers[b] = _device.Accelerator.Allocate1D<float>(needed);
            moved = true;
        }
        return moved;
    }

    private ArrayView<float> Whole(int buffer) => _buffers[buffer]!.View;

    private ArrayView1D<float, Stride1D.Dense> View(int buffer, int length) => _buffers[buffer]!.View.SubView(0, length);

    private static void CheckChannels(NetworkPlan plan)
    {
        for (int i = 0; i < plan.Ops.Count; i++)
        {
            var (source, sourceEnd, destination, destinationEnd) = plan.Ops[i] switch
            {
                ConvOp c => (c.Source, c.SourceChannelOffset + c.InChannels, c.Destination, c.DestinationChannelOffset + c.OutChannels),
                BatchNormReluOp n => (n.Source, n.SourceChannelOffset + n.Channels, n.Destination, n.Channels),
                MaxPoolOp m => (m.Source, m.Channels, m.Destination, m.Channels),
                var other => throw new NotSupportedException($"{plan.Name}: op #{i} ({other.GetType().Name}) is not supported."),
            };
            if (sourceEnd > plan.Buffers[source].Channels || destinationEnd > plan.Buffers[destination].Channels)
                throw new InvalidOperationException(
                    $"{plan.Name}: op #{i} uses channels up to {sourceEnd} of '{plan.Buffers[source].Name}' ({plan.Buffers[source].Channels}) " +
                    $"and up to {destinationEnd} of '{plan.Buffers[destination].Name}' ({plan.Buffers[destination].Channels}).");
        }
    }
}
