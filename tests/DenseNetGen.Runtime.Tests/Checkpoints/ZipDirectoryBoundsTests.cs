using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DenseNetGen.Checkpoints;
using static DenseNetGen.Runtime.Tests.Checkpoints.TorchZipFiles;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The zip reader at the edges APPNOTE.TXT sets: where the end record may lie (at most a 65,535-byte comment after
/// it, or at offset 0 in an empty zip), how many central entries a file can hold, a directory that starts exactly at
/// the file's end, entry comments, and each zip64 field that may be all ones on its own. Offsets are computed here
/// from the format's text; a hostile value must be refused with a message that names it.
/// </summary>
public sealed class ZipDirectoryBoundsTests
{
    private static byte[] Changed(byte[] file, Action<Span<byte>> change)
    {
        var copy = (byte[])file.Clone();
        change(copy);
        return copy;
    }

    [Fact]
    public void TheEndRecordIsFoundBehindTheLongestCommentAndNoFurther()
    {
        // The comment-length field is 16 bits, so the end record lies within the last 22 + 65,535 bytes; CPython's
        // zipfile searches that far and no further too.
        var zip = ReferenceCheckpoints.Bytes("torchvision.pth");
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(EndRecord(zip) + 20), ushort.MaxValue);
        byte[] longest = [.. zip, .. new byte[ushort.MaxValue]];
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(longest, "longest-comment.pth"));

        byte[] oneByteMore = [.. longest, 0];
        Assert.Equal("test.pth: zip has no end-of-central-directory record (truncated or corrupt)", Refused(oneByteMore).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)] // one byte short of an end record
    [InlineData(100)]
    public void BytesWithoutAnEndRecordAreNotAZip(int length) =>
        Assert.Equal("test.pth: zip has no end-of-central-directory record (truncated or corrupt)", Refused(new byte[length]).Message);

    [Fact]
    public void AnEmptyZipIsAZipWithoutDataPkl()
    {
        // An empty zip is only its end record, at offset 0.
        var output = new MemoryStream();
        using (new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true)) { }
        var empty = output.ToArray();
        Assert.Equal(22, empty.Length);
        Assert.Equal(EndSignature, BinaryPrimitives.ReadUInt32LittleEndian(empty));

        Assert.Equal("test.pth: zip is not a torch.save file: expected one <prefix>/data.pkl, found 0", Refused(empty).Message);
    }

    [Fact]
    public void TheEntryCountIsBoundedByTheFileSize()
    {
        // Each central entry takes at least 46 bytes, so a file of L bytes holds at most L / 46 entries. torchvision.pth
        // has 99; a count at the bound passes that check and the directory is read until its 100th entry, where the end
        // record's signature stands; one more is refused before anything is read.
        var zip = ReferenceCheckpoints.Bytes("torchvision.pth");
        var end = EndRecord(zip);
        Assert.Equal(99, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10)));
        var bound = zip.Length / CentralEntrySize;

        var atBound = Changed(zip, z => BinaryPrimitives.WriteUInt16LittleEndian(z[(end + 10)..], (ushort)bound));
        Assert.Equal("test.pth: zip directory: zip central directory entry 99 is corrupt", Refused(atBound).Message);
        var pastBound = Changed(zip, z => BinaryPrimitives.WriteUInt16LittleEndian(z[(end + 10)..], (ushort)(bound + 1)));
        Assert.Equal($"test.pth: zip claims {bound + 1} entries, more than the file can hold", Refused(pastBound).Message);
    }

    [Fact]
    public void ADirectoryAtTheFilesEndIsReadAndFoundShort()
    {
        // An offset equal to the file's length is inside the file's bounds (an empty remainder), so the first
        // signature read is what fails; one byte further lies outside.
        var zip = ReferenceCheckpoints.Bytes("torchvision.pth");
        var end = EndRecord(zip);
        var atEnd = Changed(zip, z => BinaryPrimitives.WriteUInt32LittleEndian(z[(end + 16)..], (uint)zip.Length));
        Assert.Equal($"test.pth: zip directory: needs 4 bytes at offset {zip.Length} but only 0 remain (truncated or corrupt)", Refused(atEnd).Message);
        var past = Changed(zip, z => BinaryPrimitives.WriteUInt32LittleEndian(z[(end + 16)..], (uint)zip.Length + 1));
        Assert.Equal($"test.pth: zip directory: zip offset {zip.Length + 1} lies outside the file of {zip.Length} bytes (truncated or corrupt)", Refused(past).Message);
    }

    [Fact]
    public void EntryCommentsAreSkipped()
    {
        // A central entry's comment follows its name and extra field (length at offset 32); torch writes none, but
        // the next entry starts after it.
        var zip = Rezipped(records => records, entry => entry.Comment = $"comment on {entry.FullName}");
        var central = FirstCentralEntry(zip);
        Assert.Equal("comment on torchvision/data.pkl".Length, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(central + 32)));

        AssertReadsAsTorchvisionPth(TorchZipReader.Read(zip, "commented-entries.pth"));
    }

    [Fact]
    public void EitherAllOnesEndRecordFieldLeadsToTheZip64Record()
    {
        // APPNOTE 4.4.1.4: a field set to all ones is read from the zip64 record. zip64.pth sets both the entry count
        // (offset 10) and the directory offset (offset 16); each alone must be enough.
        var zip64 = ReferenceCheckpoints.Bytes("zip64.pth");
        var end = EndRecord(zip64);
        var record = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(end - 20 + 8));
        var count = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(record + 32));
        var directory = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(record + 48));
        Assert.Equal(99, count);

        var countTrue = Changed(zip64, z => BinaryPrimitives.WriteUInt16LittleEndian(z[(end + 10)..], (ushort)count));
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(countTrue, "zip64-count.pth"));
        var offsetTrue = Changed(zip64, z => BinaryPrimitives.WriteUInt32LittleEndian(z[(end + 16)..], (uint)directory));
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(offsetTrue, "zip64-offset.pth"));
    }

    [Fact]
    public void ANegativeZip64OffsetIsRefused()
    {
        // The zip64 record's offsets are 64-bit and read signed: -1 names no place in the file.
        var zip64 = ReferenceCheckpoints.Bytes("zip64.pth");
        var locator = EndRecord(zip64) - 20;
        var record = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(locator + 8));

        var badDirectory = Changed(zip64, z => BinaryPrimitives.WriteInt64LittleEndian(z[(record + 48)..], -1));
        Assert.Equal("test.pth: zip directory: zip offset -1 lies outside the file of 57587 bytes (truncated or corrupt)", Refused(badDirectory).Message);
        var badRecord = Changed(zip64, z => BinaryPrimitives.WriteInt64LittleEndian(z[(locator + 8)..], -1));
        Assert.Equal("test.pth: zip64 directory: zip offset -1 lies outside the file of 57587 bytes (truncated or corrupt)", Refused(badRecord).Message);
    }

    /// <summary>zip64.pth's first central entry (data.pkl, at offset 0): its start and its zip64 extra field's.</summary>
    private static (byte[] Zip, int Central, int Extra) Zip64FirstEntry()
    {
        var zip64 = ReferenceCheckpoints.Bytes("zip64.pth");
        var end = EndRecord(zip64);
        var record = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(end - 20 + 8));
        var central = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(record + 48));
        var extra = central + CentralEntrySize + BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(central + 28));
        // Header ID 1, 16 bytes: the uncompressed then the compressed size; both 32-bit slots (24, 20) are all ones.
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(extra)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(extra + 2)));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(central + 20)));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(central + 24)));
        return (zip64, central, extra);
    }

    [Fact]
    public void AnAllOnesSizeAloneIsReadFromTheZip64Field()
    {
        // Only the uncompressed size left at all ones, the compressed size's slot set to its true value: the extra
        // field's first 8 bytes are then the uncompressed size, and both sizes agree as a stored entry's must.
        var (zip64, central, extra) = Zip64FirstEntry();
        var size = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(extra + 4));
        var sizeOnly = Changed(zip64, z => BinaryPrimitives.WriteUInt32LittleEndian(z[(central + 20)..], (uint)size));
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(sizeOnly, "zip64-size.pth"));
    }

    [Fact]
    public void AnAllOnesOffsetAloneIsReadFromTheZip64Field()
    {
        // The sizes' slots set to their true values and the local header offset's (offset 42) to all ones: the extra
        // field's first 8 bytes then hold the offset (here 0, where data.pkl's local header is).
        var (zip64, central, extra) = Zip64FirstEntry();
        var size = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(extra + 4));
        var offsetOnly = Changed(zip64, z =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(z[(central + 20)..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(z[(central + 24)..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(z[(central + 42)..], uint.MaxValue);
            BinaryPrimitives.WriteInt64LittleEndian(z[(extra + 4)..], 0);
        });
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(offsetOnly, "zip64-offset.pth"));

        var pastEnd = Changed(offsetOnly, z => BinaryPrimitives.WriteInt64LittleEndian(z[(extra + 4)..], zip64.Length + 1L));
        Assert.Equal($"test.pth: torchvision/data.pkl: zip offset {zip64.Length + 1} lies outside the file of {zip64.Length} bytes (truncated or corrupt)", Refused(pastEnd).Message);
    }

    [Fact]
    public void AnEmptyZip64FieldIsTruncated()
    {
        // The first entry's extra field cut to the 4-byte header (its 16 bytes of sizes counted as the entry's comment
        // instead, so the directory stays in step), with length 0: the zip64 field is there but holds no size.
        var (zip64, central, extra) = Zip64FirstEntry();
        Assert.Equal(20, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(central + 30)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(central + 32)));
        var empty = Changed(zip64, z =>
        {
            BinaryPrimitives.WriteUInt16LittleEndian(z[(central + 30)..], 4);
            BinaryPrimitives.WriteUInt16LittleEndian(z[(central + 32)..], 16);
            BinaryPrimitives.WriteUInt16LittleEndian(z[(extra + 2)..], 0);
        });
        Assert.Equal("test.pth: torchvision/data.pkl: zip64 extra field is truncated", Refused(empty).Message);
    }

    [Fact]
    public void AMissingStorageRecordIsNamed()
    {
        // data.pkl names storage "0"; without its record torchvision/data/0 there is nothing to read it from.
        var zip = Rezipped(records => records.Where(r => r.Name != "torchvision/data/0"));
        Assert.Equal("test.pth: torchvision/data/0: zip entry is missing", Refused(zip).Message);
    }

    [Fact]
    public void AByteOrderIsPrintedAsPrintableAsciiOrEscapes()
    {
        // Printable ASCII is 0x20 (space) to 0x7e (~); 0x1f and 0x7f just outside it are escaped.
        var zip = Rezipped(records => [.. records, ("torchvision/byteorder", " ~\u007f\u001f"u8.ToArray())]);
        Assert.Equal("test.pth: torchvision/byteorder: unknown byte order ' ~\\x7f\\x1f' (torch writes 'little' or 'big')", Refused(zip).Message);
    }
}
