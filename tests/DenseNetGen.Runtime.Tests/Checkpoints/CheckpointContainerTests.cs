using System.Buffers.Binary;
using System.Text;
using DenseNetGen.Checkpoints;
using static DenseNetGen.Runtime.Tests.Checkpoints.TorchZipFiles;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The containers around the pickles: torch.save's zip (APPNOTE.TXT's layout: local headers, a central directory,
/// an end record, zip64 records past 32 bits) and the legacy pickle stream (magic number 0x1950a86a20f9469cfc6c,
/// protocol 1001, sys_info, the object, the storage keys, then each storage). Each test changes a reference file
/// (tools/make_checkpoints.py, tools/make_zip64_checkpoint.py) where the format puts a field, located here from the
/// format's text rather than by the reader, and checks the reader still reads it or refuses it for that reason.
/// </summary>
public sealed class CheckpointContainerTests
{
    [Fact]
    public void AZipWithAnArchiveCommentIsFoundFromItsEndRecord()
    {
        // The end record's last field (offset 20) is the comment's length; the comment follows it, so the record is
        // no longer the file's last 22 bytes and is found by searching back.
        var zip = ReferenceCheckpoints.Bytes("torchvision.pth");
        var end = EndRecord(zip);
        var comment = Encoding.ASCII.GetBytes(new string('c', 300));
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 20), (ushort)comment.Length);

        byte[] commented = [.. zip, .. comment];
        AssertReadsAsTorchvisionPth(TorchZipReader.Read(commented, "comment.pth"));
    }

    [Fact]
    public void AZipWhoseCentralDirectoryUsesZip64ReadsAsTheSameRecords()
    {
        // zip64.pth: torchvision.pth's records with zip64 extra fields and a zip64 end record (all-ones end record fields).
        var zip = ReferenceCheckpoints.Bytes("zip64.pth");
        var end = EndRecord(zip);
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10)));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16)));

        AssertReadsAsTorchvisionPth(TorchZipReader.Read(zip, "zip64.pth"));
    }

    [Fact]
    public void Zip64RecordsThatAreMissingOrCorruptAreRefused()
    {
        var zip64 = ReferenceCheckpoints.Bytes("zip64.pth");
        var end = EndRecord(zip64);
        var locator = end - 20; // APPNOTE 4.3.15: the zip64 locator (20 bytes) just before the end record
        var record = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(locator + 8));
        var directory = (int)BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(record + 48));
        var extra = directory + 46 + BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(directory + 28));

        var noLocator = (byte[])zip64.Clone();
        noLocator[locator] = 0;
        Assert.Equal("test.pth: zip64 locator: zip64 locator is missing", Refused(noLocator).Message);

        var badRecord = (byte[])zip64.Clone();
        badRecord[record] = 0;
        Assert.Equal("test.pth: zip64 directory: zip64 end record is corrupt", Refused(badRecord).Message);

        // The first entry's extra field: header ID 1 (zip64) then its length, 16 bytes for the two sizes.
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(extra)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(zip64.AsSpan(extra + 2)));
        var otherId = (byte[])zip64.Clone();
        otherId[extra] = 2;
        Assert.Contains("zip64 sizes are missing", Refused(otherId).Message);
        var shortField = (byte[])zip64.Clone();
        shortField[extra + 2] = 8; // only the uncompressed size: the compressed size is cut off
        Assert.Contains("zip64 extra field is truncated", Refused(shortField).Message);
    }

    [Fact]
    public void CorruptZipStructuresAreRefusedForWhatIsWrong()
    {
        var zip = ReferenceCheckpoints.Bytes("torchvision.pth");
        var end = EndRecord(zip);
        var central = FirstCentralEntry(zip);
        Assert.Equal(CentralSignature, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(central)));
        Assert.Equal("torchvision/data.pkl", Encoding.ASCII.GetString(zip, central + 46, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(central + 28))));

        byte[] With(int at, params byte[] bytes)
        {
            var changed = (byte[])zip.Clone();
            bytes.CopyTo(changed, at);
            return changed;
        }

        Assert.Contains("zip has no end-of-central-directory record", Refused(With(end, 0)).Message);
        // 99 entries; 60,000 central entries of at least 46 bytes each would not fit in the file.
        Assert.Contains("zip claims 60000 entries, more than the file can hold", Refused(With(end + 10, 0x60, 0xEA)).Message);
        Assert.Contains("zip central directory entry 0 is corrupt", Refused(With(central, 0)).Message);
        Assert.Contains("zip offset 4294967294 lies outside the file", Refused(With(end + 16, 0xFE, 0xFF, 0xFF, 0xFF)).Message);
        // Central entry fields: method at 10, compressed size at 20, uncompressed size at 24.
        Assert.Contains("zip entry is compressed (method 8)", Refused(With(central + 10, 8)).Message);
        Assert.Contains("stored zip entry 'torchvision/data.pkl' has different sizes", Refused(With(central + 20, 0)).Message);
        // data.pkl's local header is at offset 0.
        Assert.Contains("zip local header is corrupt", Refused(With(0, 0)).Message);
    }

    [Fact]
    public void TheByteOrderRecordIsCheckedAsTorchLoadChecksIt()
    {
        // torch.load reads <prefix>/byteorder when present: "little" or "big", anything else "Unknown endianness type".
        byte[] WithOrder(string order) => Rezipped(r => [.. r, ("torchvision/byteorder", Encoding.Latin1.GetBytes(order))]);

        AssertReadsAsTorchvisionPth(TorchZipReader.Read(WithOrder("little"), "little.pth"));
        Assert.Contains("torchvision/byteorder: big-endian checkpoints are not supported", Refused(WithOrder("big")).Message);
        Assert.Contains("torchvision/byteorder: unknown byte order 'middle\\x0a\\xff' (torch writes 'little' or 'big')", Refused(WithOrder("middle\n\u00ff")).Message);
        Assert.Contains("unknown byte order 'littlelittlelitt'", Refused(WithOrder("littlelittlelittlelittle")).Message);
    }

    [Theory]
    [InlineData("torchvision/sub/data.pkl", 0)] // a data.pkl below the prefix folder is not torch.save's
    [InlineData("data.pkl", 0)] // nor one with no prefix folder
    [InlineData(null, 2)]
    public void AZipNeedsExactlyOneDataPklInOnePrefixFolder(string? renamed, int found)
    {
        var zip = Rezipped(records => renamed is null
            ? [.. records, ("other/data.pkl", records[0].Data)]
            : records.Select(r => r.Name == "torchvision/data.pkl" ? (renamed, r.Data) : r));

        Assert.Contains($"expected one <prefix>/data.pkl, found {found}", Refused(zip).Message);
    }

    [Fact]
    public void ALegacyFileIsCheckedForItsMagicNumberProtocolAndByteOrder()
    {
        // torchvision_legacy.pth starts: PROTO 2, LONG1 of 10 bytes (the magic number, bytes 4-13), STOP; then PROTO 2,
        // BININT2 1001 (bytes 18-19), STOP; then sys_info, whose "little_endian" is NEWTRUE (0x88).
        var legacy = ReferenceCheckpoints.Bytes("torchvision_legacy.pth");
        Assert.Equal("80028a0a6cfc9c46f9206aa850192e80024de9032e", Convert.ToHexStringLower(legacy.AsSpan(0, 21)));
        var flag = legacy.AsSpan().IndexOf("little_endian"u8) + "little_endian".Length + 2; // after BINPUT 2
        Assert.Equal(0x88, legacy[flag]);

        byte[] With(int at, byte value)
        {
            var changed = (byte[])legacy.Clone();
            changed[at] = value;
            return changed;
        }
        CheckpointException Refused(byte[] file) => Assert.Throws<CheckpointException>(() => LegacyTorchReader.Read(file, "legacy.pth"));

        Assert.Contains("not a torch.save file (bad magic number)", Refused(With(4, 0x6d)).Message);
        Assert.Contains("unsupported legacy protocol (expected 1001)", Refused(With(18, 0xea)).Message);
        Assert.Contains("big-endian checkpoints are not supported", Refused(With(flag, 0x89)).Message);
        Assert.Equal("torch-legacy", LegacyTorchReader.Read(legacy, "legacy.pth").Format);
    }
}
