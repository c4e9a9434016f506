using System.Buffers.Binary;
using System.Text;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Lists the entries of an in-memory zip from its central directory (sizes and offsets come from there,
/// zip64 included) and hands out each stored entry as a slice of the file, without copying.
/// </summary>
/// <remarks>
/// A reader of our own rather than System.IO.Compression.ZipArchive: torch.save only writes stored
/// (uncompressed) entries, so a slice of the bytes already in memory is the whole job; ZipArchive would
/// copy every storage through a stream and report corruption as InvalidDataException at arbitrary points.
/// </remarks>
internal sealed class ZipArchiveReader
{
    private const uint EndOfCentralDirectory = 0x06054b50, Zip64Locator = 0x07064b50, Zip64End = 0x06064b50;
    private const uint CentralEntry = 0x02014b50, LocalEntry = 0x04034b50;
    private const int CentralEntrySize = 46, LocalEntrySize = 30, EndSize = 22;

    private readonly ReadOnlyMemory<byte> file;
    private readonly string source;
    private readonly Dictionary<string, (long Offset, long Size, int Method)> entries = new(StringComparer.Ordinal);

    public ZipArchiveReader(ReadOnlyMemory<byte> file, string source)
    {
        this.file = file;
        this.source = source;
        ReadCentralDirectory();
    }

    public IEnumerable<string> Names => entries.Keys;

    public bool Contains(string name) => entries.ContainsKey(name);

    public ReadOnlyMemory<byte> Open(string name)
    {
        if (!entries.TryGetValue(name, out var entry)) throw new CheckpointException(source, "zip entry is missing", name);
        if (entry.Method != 0) throw new CheckpointException(source, $"zip entry is compressed (method {entry.Method}); PyTorch stores entries uncompressed", name);
        var cursor = At(entry.Offset, name);
        if (cursor.ReadUInt32() != LocalEntry) throw cursor.Fail("zip local header is corrupt");
        cursor.Position += 22;
        int nameLength = cursor.ReadUInt16(), extraLength = cursor.ReadUInt16();
        cursor.Take(nameLength + extraLength);
        return cursor.TakeMemory(entry.Size);
    }

    private ByteCursor At(long offset, string what)
    {
        if (offset < 0 || offset > file.Length) throw new CheckpointException(source, $"zip offset {offset} lies outside the file of {file.Length} bytes (truncated or corrupt)", what);
        return new ByteCursor(file, source, what) { Position = (int)offset };
    }

    private void ReadCentralDirectory()
    {
        var span = file.Span;
        var end = -1;
        for (var i = span.Length - EndSize; i >= Math.Max(0, span.Length - EndSize - ushort.MaxValue); i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(span[i..]) == EndOfCentralDirectory) { end = i; break; }
        }
        if (end < 0) throw new CheckpointException(source, "zip has no end-of-central-directory record (truncated or corrupt)");

        var eocd = At(end + 10, "zip directory");
        long count = eocd.ReadUInt16();
        eocd.ReadUInt32();
        long directoryOffset = eocd.ReadUInt32();
        if (count == ushort.MaxValue || directoryOffset == uint.MaxValue) (count, directoryOffset) = ReadZip64End(end);
        if (count > file.Length / CentralEntrySize) throw new CheckpointException(source, $"zip claims {count} entries, more than the file can hold");

        var cursor = At(directoryOffset, "zip directory");
        for (long i = 0; i < count; i++)
        {
            if (cursor.ReadUInt32() != CentralEntry) throw cursor.Fail($"zip central directory entry {i} is corrupt");
            cursor.Position += 6;
            int method = cursor.ReadUInt16();
            cursor.Position += 8;
            long compressed = cursor.ReadUInt32(), size = cursor.ReadUInt32();
            int nameLength = cursor.ReadUInt16(), extraLength = cursor.ReadUInt16(), commentLength = cursor.ReadUInt16();
            cursor.Position += 8;
            long offset = cursor.ReadUInt32();
            var name = Encoding.UTF8.GetString(cursor.Take(nameLength));
            var extra = new ByteCursor(cursor.TakeMemory(extraLength), source, name);
            cursor.Take(commentLength);
            if (size == uint.MaxValue || compressed == uint.MaxValue || offset == uint.MaxValue)
                (size, compressed, offset) = ReadZip64Extra(extra, size, compressed, offset);
            if (method == 0 && size != compressed) throw cursor.Fail($"stored zip entry '{name}' has different sizes");
            entries[name] = (offset, size, method);
        }
    }

    private (long Count, long Offset) ReadZip64End(int end)
    {
        var locator = At(end - 20, "zip64 locator");
        if (locator.ReadUInt32() != Zip64Locator) throw locator.Fail("zip64 locator is missing");
        locator.ReadUInt32();
        var record = At(locator.ReadInt64(), "zip64 directory");
        if (record.ReadUInt32() != Zip64End) throw record.Fail("zip64 end record is corrupt");
        record.Position += 28;
        var count = record.ReadInt64();
        record.ReadInt64();
        return (count, record.ReadInt64());
    }

    // The zip64 extra field holds, in this order, only the fields whose 32-bit slot is 0xFFFFFFFF.
    private static (long Size, long Compressed, long Offset) ReadZip64Extra(ByteCursor extra, long size, long compressed, long offset)
    {
        while (extra.Remaining >= 4)
        {
            int id = extra.ReadUInt16(), length = extra.ReadUInt16();
            var field = new ByteCursor(extra.TakeMemory(length), "", "");
            if (id != 1) continue;
            if (size == uint.MaxValue) size = ReadLength(field, extra);
            if (compressed == uint.MaxValue) compressed = ReadLength(field, extra);
            if (offset == uint.MaxValue) offset = ReadLength(field, extra);
            return (size, compressed, offset);
        }
        throw extra.Fail("zip64 sizes are missing");
    }

    private static long ReadLength(ByteCursor field, ByteCursor extra) =>
        field.Remaining >= 8 ? field.ReadInt64() : throw extra.Fail("zip64 extra field is truncated");
}
