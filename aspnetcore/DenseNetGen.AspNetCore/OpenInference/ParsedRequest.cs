using System.Buffers;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// An infer request made ready for the pool: its id, the images as normalized NCHW floats in a pooled buffer, and
/// the outputs it wants. Disposing returns the buffer.
/// </summary>
internal sealed class ParsedRequest(string? id, float[] input, int length, int images, IReadOnlyList<RequestedOutput> outputs) : IDisposable
{
    private float[]? _input = input;

    public string? Id { get; } = id;

    public ReadOnlyMemory<float> Input => _input.AsMemory(0, length);

    public int Images { get; } = images;

    public IReadOnlyList<RequestedOutput> Outputs { get; } = outputs;

    public void Dispose()
    {
        if (_input is null) return;
        ArrayPool<float>.Shared.Return(_input);
        _input = null;
    }
}
