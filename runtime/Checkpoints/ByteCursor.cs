using System.Buffers.Binary;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// A forward reader over bytes already in memory. Every length is checked against what is left
/// before anything is sliced or allocated, so a corrupt length fails here instead of allocating.
/// </summary>
internal sealed class ByteCursor(ReadOnlyMemory<byte> data, string source, string what)
{
    public ReadOnlyMemory<byte> Data { get; } = data;
    public int Position { get; set; }
    public int Remaining => Data.Length - Position;

    public byte ReadByte() => Take(1)[0];
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Take(long count) => TakeMemory(count).Span;

    public ReadOnlyMemory<byte> TakeMemory(long count)
    {
        if (count < 0 || count > Remaining)
            throw Fail($"needs {count} bytes at offset {Position} but only {Math.Max(Remaining, 0)} remain (truncated or corrupt)");
        var slice = Data.Slice(Position, (int)count);
        Position += (int)count;
        return slice;
    }

    /// <summary>Reads up to a newline (not included); lines longer than <paramref name="maxLength"/> are corrupt.</summary>
    public ReadOnlySpan<byte> ReadLine(int maxLength)
    {
        var rest = Data.Span[Position..];
        var end = rest[..Math.Min(rest.Length, maxLength + 1)].IndexOf((byte)'\n');
        if (end < 0) throw Fail($"unterminated text line at offset {Position}");
        Position += end + 1;
        return rest[..end];
    }

    public CheckpointException Fail(string message, Exception? inner = null) => new(source, message, what, inner);
}
