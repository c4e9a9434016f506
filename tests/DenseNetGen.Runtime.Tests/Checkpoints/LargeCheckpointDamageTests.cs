using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The corpus files of 200 KB and more (the hostile ones among them), which <see cref="CheckpointSafetyTests"/> leaves
/// out: cut, cut inside their pickle or header, and changed byte by byte, each must still be a clean
/// <see cref="CheckpointException"/> (or, for a changed byte, possibly a good read), never another exception or a giant
/// allocation. Cut points are spread over each file, a bounded number per file, and every cut is read as a view of
/// the one copy of the file rather than a copy per cut, so the whole class runs in seconds.
/// </summary>
public class LargeCheckpointDamageTests
{
    private const int LargeFile = 200_000;

    // Cuts and changed bytes per file and per kind. A cut file fails in its first bytes' worth of work, but a changed
    // byte usually leaves a hostile file whole, read to its refusal (20,000 keys, 5,000 OrderedDicts), so changes are
    // fewer: about 1,100 reads in all, 16 s of CPU time with the test host (48 s of wall time at load average 60-100).
    private const int Cuts = 120;
    private const int StructureCuts = 60;
    private const int Changes = 24;

    /// <summary>Every reference or corpus checkpoint of 200 KB or more, by name.</summary>
    public static TheoryData<string> LargeFiles()
    {
        var files = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(ReferenceCheckpoints.Directory).Concat(Directory.GetFiles(Path.Combine(ReferenceCheckpoints.Directory, "corpus")))
                     .Where(p => p.EndsWith(".pth", StringComparison.Ordinal) || p.EndsWith(".safetensors", StringComparison.Ordinal))
                     .Where(p => new FileInfo(p).Length >= LargeFile).Order())
            files.Add(Path.GetRelativePath(ReferenceCheckpoints.Directory, path));
        return files;
    }

    // The six files this class exists for; a corpus that shrank below them would leave it testing nothing.
    [Fact]
    public void TheLargeFilesAreThere() => Assert.True(LargeFiles().Count >= 6, $"expected the corpus's six files over 200 KB, found {LargeFiles().Count}");

    [Theory]
    [MemberData(nameof(LargeFiles))]
    public void EveryCutFailsCleanly(string file)
    {
        var bytes = ReferenceCheckpoints.Bytes(file);
        // Evenly spread, plus the first bytes (the magic numbers and headers) one by one.
        var cuts = Enumerable.Range(0, 64).Concat(Enumerable.Range(0, Cuts).Select(i => (int)((long)bytes.Length * i / Cuts))).Distinct();
        foreach (var length in cuts)
        {
            var error = Read(bytes.AsMemory(0, length), file);
            Assert.True(error is CheckpointException, $"{file} cut at {length} of {bytes.Length} bytes: {Describe(error)}");
        }
    }

    [Theory]
    [MemberData(nameof(LargeFiles))]
    public void EveryCutInsideThePickleOrHeaderFailsCleanly(string file)
    {
        var structure = CheckpointStructure.Of(ReferenceCheckpoints.Bytes(file));
        var step = Math.Max(1, structure.Length / StructureCuts);
        for (var length = 0; length < structure.Length; length += step)
        {
            var damaged = structure.WithTruncated(length);
            var error = Read(damaged, file);
            Assert.True(error is CheckpointException, $"{file} with its {structure.What} cut at {length} of {structure.Length} bytes: {Describe(error)}");
        }
    }

    [Theory]
    [MemberData(nameof(LargeFiles))]
    public void ChangedPickleOrHeaderBytesFailCleanlyOrStillRead(string file)
    {
        var structure = CheckpointStructure.Of(ReferenceCheckpoints.Bytes(file));
        var random = new Random(19);
        for (var trial = 0; trial < Changes; trial++)
        {
            var (at, value) = (random.Next(structure.Length), (byte)random.Next(256));
            var error = Read(structure.WithByte(at, value), file);
            Assert.True(error is null or CheckpointException, $"{file} with {structure.What} byte {at} set to {value}: {Describe(error)}");
        }
    }

    [Theory]
    [MemberData(nameof(LargeFiles))]
    public void ChangedBytesAnywhereFailCleanlyOrStillRead(string file)
    {
        // One copy, each change undone after its read: no copy of the file per change.
        var bytes = ReferenceCheckpoints.Bytes(file);
        var random = new Random(19);
        for (var trial = 0; trial < Changes; trial++)
        {
            var (at, value) = (random.Next(bytes.Length), (byte)random.Next(256));
            var original = bytes[at];
            bytes[at] = value;
            var error = Read(bytes, file);
            bytes[at] = original;
            Assert.True(error is null or CheckpointException, $"{file} with byte {at} changed from {original} to {value}: {Describe(error)}");
        }
    }

    // Reads and binds a view of the bytes; what it throws (null when it binds). Memory is charged too: a read may
    // allocate at most 64 bytes per byte of the file plus 16 MB on this thread (the readers run on the caller's).
    private static Exception? Read(ReadOnlyMemory<byte> bytes, string file)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(() => CheckpointBinder.Bind(CheckpointReader.Read(bytes, file), ReferenceCheckpoints.Plan));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 64L * bytes.Length + 16_000_000, $"{file} ({bytes.Length} bytes) allocated {allocated:N0} bytes: {Describe(error)}");
        return error;
    }

    private static string Describe(Exception? error) => error is null ? "no exception" : $"{error.GetType().Name}: {error.Message}";
}
