using System.Buffers.Binary;
using System.IO.Compression;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// torch.save zips for the container tests: their records located from APPNOTE.TXT's layout (not by the reader under
/// test), the reference torchvision.pth's records written again by System.IO.Compression, and the check that a changed
/// file still reads as torchvision.pth.
/// </summary>
internal static class TorchZipFiles
{
    public const uint EndSignature = 0x06054b50, CentralSignature = 0x02014b50;

    /// <summary>The fixed part of a central directory entry (APPNOTE 4.3.12), before its name, extra field and comment.</summary>
    public const int CentralEntrySize = 46;

    /// <summary>The end record: the last "PK\x05\x06" (the files here hold no comment that could contain one).</summary>
    public static int EndRecord(byte[] zip)
    {
        for (var i = zip.Length - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == EndSignature) return i;
        throw new InvalidOperationException("no end record");
    }

    /// <summary>The first central directory entry: the end record's offset field (offset 16).</summary>
    public static int FirstCentralEntry(byte[] zip) => (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(EndRecord(zip) + 16));

    public static CheckpointException Refused(byte[] file) =>
        Assert.Throws<CheckpointException>(() => TorchZipReader.Read(file, "test.pth").Tensors.Values.Sum(t => t.Data.Length));

    public static void AssertReadsAsTorchvisionPth(CheckpointContents contents)
    {
        var reference = CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("torchvision.pth"));
        Assert.Equal(reference.Tensors.Keys, contents.Tensors.Keys);
        foreach (var (key, tensor) in reference.Tensors) Assert.Equal(tensor.Data, contents.Tensors[key].Data);
    }

    /// <summary>
    /// torchvision.pth's records, changed, in a zip written by System.IO.Compression (stored, like torch);
    /// <paramref name="configure"/> may set each entry's other fields (its comment) before it is written.
    /// </summary>
    public static byte[] Rezipped(Func<List<(string Name, byte[] Data)>, IEnumerable<(string Name, byte[] Data)>> change,
        Action<ZipArchiveEntry>? configure = null)
    {
        var records = new List<(string, byte[])>();
        using (var source = new ZipArchive(new MemoryStream(ReferenceCheckpoints.Bytes("torchvision.pth"))))
        {
            foreach (var entry in source.Entries)
            {
                using var stream = entry.Open();
                var data = new MemoryStream();
                stream.CopyTo(data);
                records.Add((entry.FullName, data.ToArray()));
            }
        }
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in change(records))
            {
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                configure?.Invoke(entry);
                using var stream = entry.Open();
                stream.Write(data);
            }
        }
        return output.ToArray();
    }
}
