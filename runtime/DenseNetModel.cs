using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen;

/// <summary>
/// A DenseNet with bound weights on a compute device: the base of every generated network class.
/// Safe to share between threads: a device runs one call at a time, whichever model it comes from, so
/// parallel throughput comes from several devices, or from batching, not from more threads
/// (<see cref="Serving.DenseNetPool"/> does both for concurrent callers).
/// </summary>
public abstract class DenseNetModel : IDisposable
{
    private readonly PlanExecutor _executor;

    // The async calls wait here, without holding a thread, for this model's previous call to finish; the device's
    // gate (shared with other models on the device) is then taken by the pass itself on a pool thread.
    private readonly SemaphoreSlim _asyncTurn = new(1, 1);

    /// <summary>
    /// Prepares the plan's weights on <paramref name="device"/> (the generated class passes its plan and card).
    /// The model does not own the device: dispose the model first, then the device.
    /// </summary>
    /// <param name="plan">The generated plan.</param>
    /// <param name="card">The generated model card.</param>
    /// <param name="weights">Weights bound to <paramref name="plan"/>'s parameter list (see <see cref="CheckpointBinder"/>).</param>
    /// <param name="device">Where the model runs; <see cref="ComputeDevice.Default"/> is typical.</param>
    /// <exception cref="CheckpointException">A tensor the plan needs is missing or has the wrong size.</exception>
    protected DenseNetModel(NetworkPlan plan, ModelCard card, BoundCheckpoint weights, ComputeDevice device)
    {
        Plan = plan;
        ModelCard = card;
        Weights = weights;
        Device = device;
        _executor = new PlanExecutor(plan, weights, device);
    }

    /// <summary>The generator's plan: buffers, ops, stages, parameter manifest.</summary>
    public NetworkPlan Plan { get; }

    /// <summary>What the network is (the generated class's static <c>Card</c>): preprocessing, labels, parameter and FLOP counts, stages.</summary>
    public ModelCard ModelCard { get; }

    /// <summary>The bound weights in canonical naming, with the file and convention they came from.</summary>
    public BoundCheckpoint Weights { get; }

    /// <summary>The device the kernels run on.</summary>
    public ComputeDevice Device { get; }

    /// <summary>A parameter by canonical (torchvision) name, e.g. "features.conv0.weight".</summary>
    public Tensor GetParameter(string name) =>
        Weights.Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Plan.Name} has no parameter '{name}'.");

    /// <summary>Logits [batch × NumClasses] for normalized NCHW input.</summary>
    public float[] Forward(float[] input, int batch, int height, int width) => Run(input, batch, height, width, featuresOnly: false);

    /// <summary>Logits [batch × NumClasses] for normalized NCHW input held in any memory (a pooled buffer's prefix).</summary>
    public float[] Forward(ReadOnlySpan<float> input, int batch, int height, int width) =>
        _executor.Run(input, batch, height, width, featuresOnly: false);

    /// <summary>
    /// <see cref="Forward(float[], int, int, int)"/> on a pool thread once this model's earlier async calls are done.
    /// <paramref name="cancellationToken"/> cancels the wait; a pass that has started runs to its end (kernels are
    /// not interruptible) and its result is then returned.
    /// </summary>
    /// <remarks><paramref name="input"/> must stay unchanged until the task completes.</remarks>
    public Task<float[]> ForwardAsync(ReadOnlyMemory<float> input, int batch, int height, int width, CancellationToken cancellationToken = default) =>
        RunAsync(() => _executor.Run(input.Span, batch, height, width, featuresOnly: false), cancellationToken);

    /// <summary>Logits and pooled features of one pass, as <see cref="ForwardAsync"/> runs it.</summary>
    public Task<ModelOutput> InferAsync(ReadOnlyMemory<float> input, int batch, int height, int width, CancellationToken cancellationToken = default) =>
        RunAsync(() => Infer(input.Span, batch, height, width), cancellationToken);

    /// <summary>Globally pooled pre-logit features [batch × FeatureChannels] for normalized NCHW input.</summary>
    public float[] ExtractFeatures(float[] input, int batch, int height, int width) => Run(input, batch, height, width, featuresOnly: true);

    /// <summary>Logits and pooled features from one pass, for callers that want both.</summary>
    public ModelOutput Infer(float[] input, int batch, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Infer(input.AsSpan(), batch, height, width);
    }

    /// <summary>Logits and pooled features for input held in any memory.</summary>
    public ModelOutput Infer(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        var (logits, features) = _executor.RunWithFeatures(input, batch, height, width);
        return new ModelOutput(logits, features);
    }

    /// <summary>Device memory the model holds (parameters, activations, scratch): after a call, that call's peak.</summary>
    internal long DeviceBytes => _executor.DeviceBytes;

    private float[] Run(float[] input, int batch, int height, int width, bool featuresOnly)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _executor.Run(input, batch, height, width, featuresOnly);
    }

    private async Task<T> RunAsync<T>(Func<T> pass, CancellationToken cancellationToken)
    {
        await _asyncTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(pass, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _asyncTurn.Release();
        }
    }

    /// <summary>Frees the model's prepared weights and activation memory on its device (not the device itself).</summary>
    public void Dispose()
    {
        _executor.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Logits [batch × NumClasses] and pooled pre-logit features [batch × FeatureChannels] of one pass.</summary>
public sealed record ModelOutput(float[] Logits, float[] Features);
