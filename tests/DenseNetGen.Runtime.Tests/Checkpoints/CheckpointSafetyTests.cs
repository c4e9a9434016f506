using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>Hostile and damaged files fail with a CheckpointException that names the file, and nothing in them runs.</summary>
public class CheckpointSafetyTests
{
    [Theory]
    [InlineData("malicious_system.pth", "posix.system")]
    [InlineData("malicious_eval.pth", "builtins.eval")]
    public void ForeignGlobalIsRefusedByNameAndNeverRuns(string file, string global)
    {
        File.Delete(ReferenceCheckpoints.PwnedMarker);

        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf(file)));

        Assert.Contains($"pickled {global} object", error.Message);
        Assert.Equal(file, error.FileName);
        Assert.False(File.Exists(ReferenceCheckpoints.PwnedMarker), "the pickle's command ran");
    }

    [Theory]
    [InlineData("torchvision.pth")]
    [InlineData("weird_name.pth")]
    [InlineData("torchvision_legacy.pth")]
    [InlineData("mmpretrain_legacy.pth")]
    [InlineData("torchvision_2017.pth")]
    [InlineData("timm.safetensors")]
    public void EveryTruncationFailsCleanly(string file)
    {
        var bytes = ReferenceCheckpoints.Bytes(file);
        for (var length = 0; length < bytes.Length; length += 97)
        {
            using var stream = new MemoryStream(bytes, 0, length);
            var error = Record.Exception(() => CheckpointBinder.Bind(stream, file, ReferenceCheckpoints.Plan));
            Assert.True(error is CheckpointException, $"{file} cut at {length} bytes: {error?.GetType().Name ?? "no exception"} {error?.Message}");
        }
    }

    [Theory]
    [InlineData("torchvision_legacy.pth")]
    [InlineData("timm.safetensors")]
    [InlineData("torchvision.pth")]
    public void CorruptedBytesFailCleanlyOrStillBind(string file)
    {
        // A flipped byte may land in tensor data (still a valid file) or in structure (must fail cleanly).
        var original = ReferenceCheckpoints.Bytes(file);
        var random = new Random(1234);
        for (var trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] = (byte)random.Next(256);
            var error = Record.Exception(() => CheckpointBinder.Bind(new MemoryStream(bytes), file, ReferenceCheckpoints.Plan));
            Assert.True(error is null or CheckpointException, $"{file} with byte {at} changed: {error?.GetType().Name} {error?.Message}");
        }
    }

    [Fact]
    public void HugeSafetensorsHeaderIsRejectedBeforeAllocating()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("huge_header.safetensors")));

        Assert.Contains("4611686018427387904", error.Message);
    }

    [Fact]
    public void HugeLegacyStorageCountIsRejectedBeforeAllocating()
    {
        var bytes = ReferenceCheckpoints.Bytes("torchvision_legacy.pth");
        var firstCount = FirstStorageCountOffset(bytes);
        BitConverter.GetBytes(1L << 60).CopyTo(bytes, firstCount);

        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(new MemoryStream(bytes), "huge.pth"));

        Assert.Contains("1152921504606846976 elements", error.Message);
    }

    [Fact]
    public void StorageRecordShorterThanDeclaredIsRejected()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("short_storage.pth")));

        Assert.Equal("storage 0", error.Key);
        Assert.Contains("declares 1,323 float32 elements but its record holds 2,646 bytes", error.Message);
    }

    [Fact]
    public void UnknownContentIsRejected()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("manifest.json")));

        Assert.Contains("unknown checkpoint format", error.Message);
    }

    // Legacy layout: five pickles (magic, protocol, sys_info, state dict, storage keys), then each storage's int64 count.
    private static int FirstStorageCountOffset(byte[] bytes)
    {
        var cursor = new ByteCursor(bytes, "test", "test");
        for (var i = 0; i < 5; i++) PickleReader.Load(cursor, _ => new StorageRef("0", ElementType.Float32, 0, null, 0));
        Assert.InRange(BitConverter.ToInt64(bytes, cursor.Position), 1, bytes.Length / 4);
        return cursor.Position;
    }
}
