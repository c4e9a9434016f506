using System.IO.Compression;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The structural part of a checkpoint file that the mutation tests change: the data.pkl record of a torch zip
/// (the zip is rebuilt around the changed pickle, so the change reaches the pickle reader), the pickles at the head
/// of a legacy file, or the header of a safetensors file.
/// </summary>
internal sealed class CheckpointStructure
{
    private readonly byte[] region;
    private readonly Func<byte[], byte[]> rebuild;

    private CheckpointStructure(string what, byte[] region, Func<byte[], byte[]> rebuild)
    {
        What = what;
        this.region = region;
        this.rebuild = rebuild;
    }

    public string What { get; }

    public int Length => region.Length;

    public static CheckpointStructure Of(byte[] file)
    {
        if (file.AsSpan().StartsWith("PK"u8)) return ZipPickle(file);
        if (file[0] == 0x80)
        {
            var length = LegacyPicklesLength(file);
            return new("legacy pickles", file[..length], changed => [.. changed, .. file[length..]]);
        }
        var header = 8 + (int)BitConverter.ToInt64(file);
        return new("safetensors header", file[..header], changed => [.. changed, .. file[header..]]);
    }

    /// <summary>The file with the region cut to its first <paramref name="length"/> bytes (the rest of the file kept).</summary>
    public byte[] WithTruncated(int length) => rebuild(region[..length]);

    public byte[] WithByte(int at, byte value)
    {
        var changed = (byte[])region.Clone();
        changed[at] = value;
        return rebuild(changed);
    }

    /// <summary>Legacy layout: five pickles (magic, protocol, sys_info, the object, storage keys), then the storages.</summary>
    public static int LegacyPicklesLength(byte[] bytes)
    {
        var cursor = new ByteCursor(bytes, "test", "test");
        for (var i = 0; i < 5; i++) PickleReader.Load(cursor, _ => new StorageRef("0", ElementType.Float32, 0, null, 0));
        return cursor.Position;
    }

    private static CheckpointStructure ZipPickle(byte[] file)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using (var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read))
        {
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                var data = new MemoryStream();
                stream.CopyTo(data);
                entries.Add((entry.FullName, data.ToArray()));
            }
        }
        var pickle = entries.Single(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal));
        return new("data.pkl", pickle.Data, changed =>
        {
            var output = new MemoryStream();
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var (name, data) in entries)
                {
                    using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                    stream.Write(name == pickle.Name ? changed : data);
                }
            }
            return output.ToArray();
        });
    }
}
