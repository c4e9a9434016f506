using System.Buffers.Binary;
using System.Text;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The tail of a legacy torch.save file: a pickled list of storage keys, then for each key in that order an int64
/// element count and the storage's bytes. Offsets are those CPython's pickle.load reports for
/// torchvision_legacy.pth (the main pickle ends at byte 15898, the key list at 17458; 97 keys, the first
/// "235799584", a float32 storage of 9 elements), checked here against the bytes before they are changed.
/// </summary>
public sealed class LegacyStorageListTests
{
    private const int KeyList = 15898, FirstKey = 15909, FirstCount = 17458;

    private static byte[] Legacy()
    {
        var legacy = ReferenceCheckpoints.Bytes("torchvision_legacy.pth");
        // PROTO 2, EMPTY_LIST, BINPUT 0, MARK, BINUNICODE of 9 bytes: the first key.
        Assert.Equal("80025d7100285809000000323335373939353834", Convert.ToHexStringLower(legacy.AsSpan(KeyList, 20)));
        Assert.Equal(9, BinaryPrimitives.ReadInt64LittleEndian(legacy.AsSpan(FirstCount)));
        return legacy;
    }

    private static string Refused(byte[] file) =>
        Assert.Throws<CheckpointException>(() => LegacyTorchReader.Read(file, "legacy.pth").Tensors.Values.Sum(t => t.Data.Length)).Message;

    private static byte[] WithCount(long count)
    {
        var legacy = Legacy();
        BinaryPrimitives.WriteInt64LittleEndian(legacy.AsSpan(FirstCount), count);
        return legacy;
    }

    private static byte[] WithFirstKey(string key)
    {
        var legacy = Legacy();
        Encoding.ASCII.GetBytes(key).CopyTo(legacy, FirstKey);
        return legacy;
    }

    [Fact]
    public void ElementCountsMustFitTheBytesLeft()
    {
        // After the first count, 44,734 - 17,466 = 27,268 bytes remain: room for 6,817 float32 elements.
        var remaining = ReferenceCheckpoints.Bytes("torchvision_legacy.pth").Length - FirstCount - 8;
        Assert.Equal(27268, remaining);

        Assert.Equal("legacy.pth: storage 235799584: claims -1 elements but only 27268 bytes remain (truncated or corrupt)", Refused(WithCount(-1)));
        Assert.Equal("legacy.pth: storage 235799584: claims 6818 elements but only 27268 bytes remain (truncated or corrupt)", Refused(WithCount(6818)));
        // 6,817 elements take every byte left, so the second storage finds no count.
        Assert.Equal("legacy.pth: storage 241610656: needs 8 bytes at offset 44734 but only 0 remain (truncated or corrupt)", Refused(WithCount(6817)));
    }

    [Fact]
    public void AKeyNoTensorUsesIsRefused() =>
        Assert.Equal("legacy.pth: storage 235799585: storage is not used by any tensor", Refused(WithFirstKey("235799585")));

    [Fact]
    public void AStorageMissingFromTheListIsNamed()
    {
        // The first key replaced by the second: both data blocks go to storage 241610656 and 235799584 has none.
        Assert.Equal("legacy.pth: storage 235799584: storage data is missing", Refused(WithFirstKey("241610656")));
    }
}
