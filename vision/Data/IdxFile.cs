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

    /// <summary>Reads <paramref name="path"/>, which must hold a ubyte IDX array of <paramref name="expectedRank"/> dimensions.</summary>
    /// <exception cref="InvalidDataException">Bad magic number, type, rank or length; the message names the file.</exception>
    public static IdxFile Read(string path, int expectedRank)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ReadAllBytes(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"IDX file '{path}': bad magic number (expected 00 00 <type> <rank>).");
        if (bytes[2] != UnsignedByteType)
            throw new InvalidDataException($"IDX file '{path}': element type 0x{bytes[2]:x2} is not unsigned byte (0x08).");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new InvalidDataException($"IDX file '{path}': has {rank} dimensions, expected {expectedRank} (magic 0x{BinaryPrimitives.ReadInt32BigEndian(bytes):x8}).");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new InvalidDataException($"IDX file '{path}': truncated header.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"IDX file '{path}': dimension {i} is negative ({dims[i]}).");
            count *= dims[i];
        }
        if (bytes.Length - header != count)
            throw new InvalidDataException($"IDX file '{path}': dimensions [{string.Join(", ", dims)}] need {count} data bytes, found {bytes.Length - header}.");
        return new IdxFile(path, dims, bytes[header..]);
    }

    private static byte[] ReadAllBytes(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            bool gzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            using var buffer = new MemoryStream();
            if (gzip)
            {
                using var unzip = new GZipStream(file, CompressionMode.Decompress);
                unzip.CopyTo(buffer);
            }
            else
            {
                file.CopyTo(buffer);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"IDX file '{path}': {e.Message}", e);
        }
    }
}
