using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>One device buffer per plan buffer, grown to the largest input shape seen and never shrunk.</summary>
internal sealed class ActivationBuffers(Accelerator accelerator, int count) : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _buffers = new MemoryBuffer1D<float, Stride1D.Dense>?[count];

    /// <summary>Makes buffer b hold at least elements[b] floats (at least one: ILGPU rejects empty buffers).</summary>
    public void EnsureCapacity(IReadOnlyList<long> elements)
    {
        for (int b = 0; b < _buffers.Length; b++)
        {
            long needed = Math.Max(1, elements[b]);
            if (_buffers[b] is { } existing && existing.Length >= needed) continue;
            _buffers[b]?.Dispose();
            _buffers[b] = null;
            _buffers[b] = accelerator.Allocate1D<float>(needed);
        }
    }

    /// <summary>All of buffer <paramref name="buffer"/>, as kernels take it.</summary>
    public ArrayView<float> this[int buffer] => _buffers[buffer]!.View;

    /// <summary>The first <paramref name="length"/> floats of a buffer, for copies to and from the host.</summary>
    public ArrayView1D<float, Stride1D.Dense> View(int buffer, int length) => _buffers[buffer]!.View.SubView(0, length);

    public void Dispose()
    {
        foreach (var buffer in _buffers)
            buffer?.Dispose();
    }
}
