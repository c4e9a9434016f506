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

    /// <summary>Every reference checkpoint (and corpus file under 200 KB), by name.</summary>
    public static TheoryData<string> ReferenceFiles()
    {
        var files = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(ReferenceCheckpoints.Directory).Concat(Directory.GetFiles(Path.Combine(ReferenceCheckpoints.Directory, "corpus")))
                     .Where(p => p.EndsWith(".pth", StringComparison.Ordinal) || p.EndsWith(".safetensors", StringComparison.Ordinal))
                     .Where(p => new FileInfo(p).Length < 200_000).Order())
            files.Add(Path.GetRelativePath(ReferenceCheckpoints.Directory, path));
        return files;
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
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
    [MemberData(nameof(ReferenceFiles))]
    public void EveryTruncatedPickleOrHeaderFailsCleanly(string file)
    {
        var structure = CheckpointStructure.Of(ReferenceCheckpoints.Bytes(file));
        var step = Math.Max(1, structure.Length / 500);
        for (var length = 0; length < structure.Length; length += step)
        {
            var error = Record.Exception(() => Bind(structure.WithTruncated(length), file));
            Assert.True(error is CheckpointException, $"{file} with its {structure.What} cut at {length} of {structure.Length} bytes: {error?.GetType().Name ?? "no exception"} {error?.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void CorruptedPickleOrHeaderBytesFailCleanlyOrStillBind(string file)
    {
        // A changed byte inside data.pkl, the legacy pickles or the safetensors header: the file may still be valid
        // (a changed digit of a key, say), but any failure must be a CheckpointException.
        var structure = CheckpointStructure.Of(ReferenceCheckpoints.Bytes(file));
        var random = new Random(1234);
        for (var trial = 0; trial < 300; trial++)
        {
            var at = random.Next(structure.Length);
            var value = (byte)random.Next(256);
            var error = Record.Exception(() => Bind(structure.WithByte(at, value), file));
            Assert.True(error is null or CheckpointException, $"{file} with {structure.What} byte {at} set to {value}: {error?.GetType().Name} {error?.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void CorruptedBytesAnywhereFailCleanlyOrStillBind(string file)
    {
        var original = ReferenceCheckpoints.Bytes(file);
        var random = new Random(1234);
        for (var trial = 0; trial < 100; trial++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] = (byte)random.Next(256);
            var error = Record.Exception(() => Bind(bytes, file));
            Assert.True(error is null or CheckpointException, $"{file} with byte {at} changed: {error?.GetType().Name} {error?.Message}");
        }
    }

    [Fact]
    public void RebuiltZipsStillBind()
    {
        // The zip rebuilding the tests above rely on changes nothing by itself.
        var structure = CheckpointStructure.Of(ReferenceCheckpoints.Bytes("torchvision.pth"));

        Assert.Equal("data.pkl", structure.What);
        Assert.Equal("torch-zip", Bind(structure.WithTruncated(structure.Length), "torchvision.pth").Format);
    }

    private static BoundCheckpoint Bind(byte[] bytes, string file) => CheckpointBinder.Bind(new MemoryStream(bytes), file, ReferenceCheckpoints.Plan);

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

    private static int FirstStorageCountOffset(byte[] bytes)
    {
        var offset = CheckpointStructure.LegacyPicklesLength(bytes);
        Assert.InRange(BitConverter.ToInt64(bytes, offset), 1, bytes.Length / 4);
        return offset;
    }
}
