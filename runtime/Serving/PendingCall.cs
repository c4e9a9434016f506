namespace DenseNetGen.Serving;

/// <summary>
/// One caller's images waiting in a <see cref="CallQueue"/>: its input, its size, and the task it awaits. Completed
/// exactly once: with its slice of a batch's outputs, with the batch's error, or cancelled.
/// </summary>
internal sealed class PendingCall(ReadOnlyMemory<float> input, int images, int height, int width)
    : TaskCompletionSource<ModelOutput>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public ReadOnlyMemory<float> Input { get; } = input;

    public int Images { get; } = images;

    public int Height { get; } = height;

    public int Width { get; } = width;

    /// <summary>Unregistered once the call leaves the queue, so a finished call holds no reference from the token.</summary>
    public CancellationTokenRegistration Cancellation { get; set; }

    /// <summary>Calls of one batch share the pass's image size.</summary>
    public bool FitsWith(PendingCall first) => Height == first.Height && Width == first.Width;
}
