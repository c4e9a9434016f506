using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// A tensor as a checkpoint stores it: a view (offset, sizes, strides, in elements) into a storage's raw
/// little-endian bytes. <see cref="Validated"/> checks the view against the storage (cheap: no data is touched);
/// <see cref="ToTensor"/> copies it out as row-major float32, so nothing larger than the view is ever allocated.
/// </summary>
internal sealed record StoredTensor(ElementType Type, ReadOnlyMemory<byte> Storage, long Offset, long[] Size, long[] Stride)
{
    /// <summary>The shape, once <see cref="Validated"/> has checked it.</summary>
    public int[] Shape { get; private init; } = [];

    /// <summary>The number of elements, once <see cref="Validated"/> has checked it.</summary>
    public long Count { get; private init; }

    /// <summary>This view with its shape, or a <see cref="CheckpointException"/> when it does not fit its storage.</summary>
    public StoredTensor Validated(string key, string source)
    {
        CheckpointException Fail(string message) => new(source, message, key);
        if (Size.Length != Stride.Length) throw Fail($"has {Size.Length} sizes but {Stride.Length} strides");
        long storageCount = Storage.Length / Type.Size();
        var empty = Array.Exists(Size, s => s == 0);
        if (Offset < 0 || (!empty && Offset >= storageCount))
            throw Fail($"starts at element {Offset} but its storage holds {storageCount} (truncated or corrupt)");
        long count = empty ? 0 : 1, last = Offset;
        var shape = new int[Size.Length];
        for (var d = 0; d < Size.Length; d++)
        {
            // A tensor with no elements reads nothing, so torch accepts any stride for it (even over an empty storage).
            if (Size[d] < 0 || Size[d] > int.MaxValue || Stride[d] < 0 || (!empty && Stride[d] > storageCount))
                throw Fail($"has invalid size {Size[d]} or stride {Stride[d]} for a storage of {storageCount} elements");
            shape[d] = (int)Size[d];
            if (empty) continue;
            // No overflow: count and last stay below storageCount (< 2^31) and each factor is below 2^31.
            count *= Size[d];
            last += (Size[d] - 1) * Stride[d];
            if (count > storageCount || last >= storageCount)
                throw Fail($"needs more elements than its storage holds ({storageCount} from element {Offset}; truncated or corrupt)");
        }
        return this with { Shape = shape, Count = count };
    }

    /// <summary>The values as float32, row-major. Only call on a <see cref="Validated"/> view.</summary>
    public Tensor ToTensor(string key)
    {
        var values = new float[Count];
        if (Count == 0) return new Tensor(key, Shape, values);
        var bytes = Storage.Span;
        if (IsContiguous()) Convert(bytes.Slice((int)(Offset * Type.Size()), (int)(Count * Type.Size())), values);
        else Gather(bytes, values);
        return new Tensor(key, Shape, values);
    }

    private bool IsContiguous()
    {
        long expected = 1;
        for (var d = Size.Length - 1; d >= 0; d--)
        {
            if (Size[d] != 1 && Stride[d] != expected) return false;
            expected *= Size[d];
        }
        return true;
    }

    private void Gather(ReadOnlySpan<byte> bytes, float[] values)
    {
        var index = new long[Size.Length];
        var size = Type.Size();
        for (var i = 0; i < values.Length; i++)
        {
            long element = Offset;
            for (var d = 0; d < index.Length; d++) element += index[d] * Stride[d];
            values[i] = Read(bytes.Slice((int)(element * size), size));
            for (var d = index.Length - 1; d >= 0 && ++index[d] == Size[d]; d--) index[d] = 0;
        }
    }

    private void Convert(ReadOnlySpan<byte> bytes, float[] values)
    {
        if (Type == ElementType.Float32 && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
            return;
        }
        var size = Type.Size();
        for (var i = 0; i < values.Length; i++) values[i] = Read(bytes.Slice(i * size, size));
    }

    private float Read(ReadOnlySpan<byte> b) => Type switch
    {
        ElementType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b),
        ElementType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
        ElementType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
        ElementType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
        ElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        ElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        ElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        ElementType.Int8 => (sbyte)b[0],
        _ => b[0],
    };
}
