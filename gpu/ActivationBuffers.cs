using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// A network's activation buffers on an accelerator: one device allocation (the arena), in which a
/// <see cref="MemoryPlan"/> per input shape places each plan buffer; buffers never alive together share memory, and a
/// buffer no launch touches (a norm scratch the GPU set fuses away) takes none. The arena only grows.
/// </summary>
internal sealed class ActivationBuffers(Accelerator accelerator) : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _arena;
    private MemoryPlan? _layout;

    /// <summary>
    /// Places the buffers as <paramref name="layout"/> says, growing the arena if it is too small. True when the arena
    /// was reallocated, which moves every buffer: whoever recorded their addresses (a CUDA graph) must drop the record. Another layout in the same arena moves nothing that a
    /// record of this layout's launches depends on: each shape's launches use their own layout's offsets.
    /// </summary>
    public bool Use(MemoryPlan layout)
    {
        _layout = layout;
        return DeviceBuffers.Grow(accelerator, ref _arena, layout.TotalFloats);
    }

    public long Bytes => _arena?.LengthInBytes ?? 0;

    /// <summary>All of buffer <paramref name="buffer"/> in the current layout, as kernels take it.</summary>
    public ArrayView<float> this[int buffer] => View(buffer, _layout!.Sizes[buffer]);

    /// <summary>The first <paramref name="length"/> floats of a buffer, for copies to and from the host.</summary>
    public ArrayView1D<float, Stride1D.Dense> View(int buffer, long length)
    {
        long offset = _layout!.Offsets[buffer];
        if (offset < 0)
            throw new InvalidOperationException($"buffer {buffer} is touched by no launch of this shape, so it has no memory.");
        return _arena!.View.SubView(offset, length);
    }

    public void Dispose()
    {
        _arena?.Dispose();
        _arena = null;
    }
}
