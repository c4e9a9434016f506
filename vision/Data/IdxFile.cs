using System.Buffers.Binary;
using System.IO.Compression;

namespace DenseNetGen.Data;

/// <summary>An unsigned-byte IDX array (the MNIST file format), plain or gzip-compressed.</summary>
public sealed class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    private IdxFile(string path, int[] dimensions, byte[] data)
    {
        Path = path;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file read, as given.</summary>
    public string Path { get; }

    /// <summary>Sizes of each dimension; the first is the item count.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>All items, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>
    /// Reads <paramref name="path"/>, which must hold a ubyte IDX array of <paramref name="expectedRank"/> dimensions.
    /// The header is checked first (the product of the dimensions in checked arithmetic, at most one array's length);
    /// then exactly that many data bytes are read into a buffer of that size, decompressing a gzipped file only that
    /// far, and data past them is an error: a 6.8 MB gzip bomb once decompressed to 5 GB before its header was read.
    /// </summary>
    /// <exception cref="InvalidDataException">Bad magic number, type, rank or length, or not a regular file; the message names the file.</exception>
    public static IdxFile Read(string path, int expectedRank)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = IO.InputFile.OpenRegular(path, long.MaxValue, reason => Failure(path, $"it {reason}."));
            return Read(file, path, expectedRank);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(path, e.Message);
        }
    }

    /// <summary>Reads an IDX array, plain or gzipped, from a seekable stream (the fuzz target's entry).</summary>
    internal static IdxFile Read(Stream file, string path, int expectedRank)
    {
        InvalidDataException Fail(string message) => Failure(path, message);
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        using var data = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        try
        {
            var (dims, count) = ReadHeader(data, expectedRank, Fail);
            if (!gzip && file.Length - file.Position != count)
                throw Fail($"dimensions [{string.Join(", ", dims)}] need {count} data bytes, found {file.Length - file.Position}.");
            var bytes = ReadUpTo(data, (int)count);
            if (bytes.Length < count) throw Fail($"dimensions [{string.Join(", ", dims)}] need {count} data bytes, found {bytes.Length}.");
            if (data.ReadByte() >= 0) throw Fail($"dimensions [{string.Join(", ", dims)}] need {count} data bytes, but more follow.");
            return new IdxFile(path, dims, bytes);
        }
        catch (InvalidDataException e) when (gzip && !e.Message.StartsWith(Failure(path, "").Message, StringComparison.Ordinal))
        {
            // GZipStream's own refusal of corrupt compressed data, which does not name the file.
            throw Fail($"corrupt gzip data ({e.Message})");
        }
    }

    // At most count bytes, in a buffer that grows with what the data holds (at most twice it): a 20-byte gzip
    // declaring 900 MB would otherwise allocate all of it before finding no data (the idx fuzz target's finding).
    private static byte[] ReadUpTo(Stream data, int count)
    {
        var buffer = new byte[Math.Min(count, 1 << 20)];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled == count) return buffer;
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }
            int read = data.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) return buffer[..filled];
            filled += read;
        }
    }

    private static InvalidDataException Failure(string path, string message) => new($"IDX file '{path}': {message}");

    private static (int[] Dimensions, long Count) ReadHeader(Stream data, int expectedRank, Func<string, InvalidDataException> fail)
    {
        Span<byte> head = stackalloc byte[4];
        if (data.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || head[0] != 0 || head[1] != 0)
            throw fail("bad magic number (expected 00 00 <type> <rank>).");
        if (head[2] != UnsignedByteType)
            throw fail($"element type 0x{head[2]:x2} is not unsigned byte (0x08).");
        int rank = head[3];
        if (rank != expectedRank)
            throw fail($"has {rank} dimensions, expected {expectedRank} (magic 0x{BinaryPrimitives.ReadInt32BigEndian(head):x8}).");
        var sizes = new byte[4 * rank];
        if (data.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false) < sizes.Length)
            throw fail("truncated header.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (dims[i] < 0) throw fail($"dimension {i} is negative ({dims[i]}).");
        }
        // Every partial product stays at most Array.MaxLength (or becomes 0), so none can overflow.
        foreach (var d in dims)
        {
            count *= d;
            if (count > Array.MaxLength)
                throw fail($"dimensions [{string.Join(", ", dims)}] make more than {Array.MaxLength:N0} bytes, more than one buffer holds.");
        }
        return (dims, count);
    }
}
