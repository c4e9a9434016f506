using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Backends.Ilgpu.Steps;
using DenseNetGen.Planning;
using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// A plan on an ILGPU accelerator, as one kernel set's runner prepares it: each step's weights uploaded once in its
/// kernels' layout, and the activation buffers in one arena, kept between calls and only grown, laid out per input
/// shape by what the set's steps touch (<see cref="PlanFusion.Steps"/> with the set's fusion).
/// </summary>
/// <remarks>
/// All launches and copies go to the device's stream; the host waits once per call, after the results have been
/// queued for copying back (and after every launch when tracing).
/// </remarks>
internal abstract class IlgpuNetwork(NetworkPlan plan, IlgpuDevice device, IKernelSet kernels, IReadOnlyList<PlanStep> outline) : IPreparedNetwork
{
    protected NetworkPlan Plan => plan;

    protected IlgpuDevice Device => device;

    protected IKernelSet Kernels => kernels;

    protected ActivationBuffers Activations { get; } = new(device.Accelerator);

    /// <summary>The plan's steps as this set launches them.</summary>
    protected IReadOnlyList<PlanStep> Outline => outline;

    /// <exception cref="ArgumentException">A buffer of this shape is past the kernels' 32-bit indexing.</exception>
    public IShapedNetwork ForShape(PlanGeometry geometry)
    {
        foreach (var count in geometry.BufferElements)
            if (count > int.MaxValue)
                throw new ArgumentException(
                    $"{plan.Name}: batch {geometry.Batch} at {geometry.Height}x{geometry.Width} needs a buffer of {count} floats; kernels index with 32 bits. Use a smaller batch.");
        return CreateShape(geometry, Layout(geometry));
    }

    /// <summary>
    /// Where the shape's buffers live: laid out by the steps' lifetimes, the host's input copy first and the results
    /// (features and logits) kept to the end. A norm the set fuses into its conv leaves its scratch untouched, so it
    /// takes no memory.
    /// </summary>
    internal MemoryPlan Layout(PlanGeometry geometry) => MemoryPlan.For(plan, geometry, outline, channels => channels);

    protected abstract Shape CreateShape(PlanGeometry geometry, MemoryPlan layout);

    /// <summary>Device memory of the steps' parameters.</summary>
    protected abstract long StepBytes { get; }

    /// <summary>Device memory of scratch beside the activations.</summary>
    protected virtual long ScratchBytes => 0;

    public long DeviceBytes => StepBytes + Activations.Bytes + ScratchBytes;

    public virtual void Dispose() => Activations.Dispose();

    /// <summary>The network at one input shape: its memory plan, and what the set's runner derives from the shape.</summary>
    protected abstract class Shape(IlgpuNetwork network, PlanGeometry geometry, MemoryPlan layout) : IShapedNetwork
    {
        public PlanGeometry Geometry => geometry;

        public float[][] Run(ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
        {
            var activations = network.Activations;
            bool moved = activations.Use(layout);
            var stream = network.Device.Stream;
            var context = new LaunchContext(stream, network.Kernels, activations, geometry.Batch);
            activations.View(0, input.Length).CopyFromCPU(stream, input);
            Enqueue(context, opCount, moved, opFinished);

            var results = new float[read.Length][];
            for (int r = 0; r < read.Length; r++)
            {
                results[r] = new float[geometry.ResultLength(network.Plan, read[r])];
                activations.View(read[r], results[r].Length).CopyToCPU(stream, results[r]);
            }
            stream.Synchronize();
            return results;
        }

        /// <summary>
        /// Queues the launches of the ops before <paramref name="opCount"/>; with <paramref name="opFinished"/>, waits
        /// after each launch and calls it with the last op the launch computed.
        /// </summary>
        /// <param name="context">The stream, kernels and activations of this run.</param>
        /// <param name="opCount">How many leading plan ops to run.</param>
        /// <param name="opFinished">Called after each launch with its last op index; null to run without waiting.</param>
        /// <param name="arenaMoved">The arena was reallocated for this run: anything that recorded its addresses is stale.</param>
        protected abstract void Enqueue(in LaunchContext context, int opCount, bool arenaMoved, Action<int>? opFinished);

        /// <summary>The kernel that computes plan op <paramref name="op"/> at this shape, for the self-test's report; null when the op is not run.</summary>
        public virtual string? Kernel(int op) => null;

        public virtual void Dispose()
        {
        }
    }
}
