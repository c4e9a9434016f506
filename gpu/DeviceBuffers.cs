using ILGPU;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>How the ILGPU backend allocates the device buffers it owns: scratch that only grows, and parameter pairs.</summary>
internal static class DeviceBuffers
{
    /// <summary>
    /// Makes <paramref name="buffer"/> hold at least <paramref name="length"/> elements (at least one: ILGPU rejects
    /// empty buffers), reallocating only when it is too small. True when it was reallocated, which moves it: whoever
    /// recorded its address (a CUDA graph) must drop the record. New contents are undefined.
    /// </summary>
    public static bool Grow<T>(Accelerator accelerator, ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length)
        where T : unmanaged
    {
        length = Math.Max(1, length);
        if (buffer is { } existing && existing.Length >= length) return false;
        buffer?.Dispose();
        buffer = null;
        buffer = accelerator.Allocate1D<T>(length);
        return true;
    }

    /// <summary>Uploads two parameter arrays (a conv's weights and bias, a norm's scale and shift): both or neither.</summary>
    public static (MemoryBuffer1D<float, Stride1D.Dense> First, MemoryBuffer1D<float, Stride1D.Dense> Second) Upload(
        Accelerator accelerator, float[] first, float[] second)
    {
        var firstBuffer = accelerator.Allocate1D(first);
        try
        {
            return (firstBuffer, accelerator.Allocate1D(second));
        }
        catch
        {
            firstBuffer.Dispose();
            throw;
        }
    }
}
