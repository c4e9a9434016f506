using DenseNetGen.Checkpoints;
using static DenseNetGen.Cli.Tests.HostilePickles;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// Issue 19's second-round hostile checkpoints (<see cref="HostilePickles"/>, about 1 MB each), cut and with bytes
/// changed: every read ends in a <see cref="CheckpointException"/> (or, for a changed byte, possibly a read), never
/// another exception, within <see cref="CliProcess.MemoryBound"/> of the file's size allocated on the reading thread.
/// Few cuts per file (each read runs the hostile pickle up to its budget), spread over the file and its first bytes.
/// </summary>
public sealed class HostileCheckpointDamageTests : IDisposable
{
    private const int Cuts = 24;
    private const int Changes = 12;

    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-damage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Files => new() { "codecs-legacy", "codecs-zip", "tuple-zip", "empty-dicts-legacy" };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryCutFailsCleanly(string name)
    {
        var bytes = File.ReadAllBytes(Make(name));
        foreach (var length in Enumerable.Range(0, 16).Concat(Enumerable.Range(0, Cuts).Select(i => (int)((long)bytes.Length * i / Cuts))).Distinct())
        {
            var error = Read(bytes, length, name);
            Assert.True(error is CheckpointException, $"{name} cut at {length} of {bytes.Length} bytes: {Describe(error)}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ChangedBytesFailCleanlyOrStillRead(string name)
    {
        var bytes = File.ReadAllBytes(Make(name));
        var random = new Random(19);
        for (var trial = 0; trial < Changes; trial++)
        {
            // Half the changes in the first kilobyte (the magic number, the zip's first header, the pickle's start).
            var at = trial % 2 == 0 ? random.Next(Math.Min(1024, bytes.Length)) : random.Next(bytes.Length);
            var (original, value) = (bytes[at], (byte)random.Next(256));
            bytes[at] = value;
            var error = Read(bytes, bytes.Length, name);
            bytes[at] = original;
            Assert.True(error is null or CheckpointException, $"{name} with byte {at} changed from {original} to {value}: {Describe(error)}");
        }
    }

    private string Make(string name)
    {
        var path = Path.Combine(_dir, name + (name.EndsWith("zip", StringComparison.Ordinal) ? ".pth" : ".legacy.pth"));
        switch (name)
        {
            case "codecs-legacy": File.WriteAllBytes(path, CodecsEncodeOfOneString(1 << 20, 20_000, pop: false)); break;
            case "codecs-zip": WriteZip(path, CodecsEncodeOfOneString(1 << 20, 20_000, pop: false), new Dictionary<string, byte[]> { ["0"] = new byte[4] }); break;
            case "tuple-zip": WriteZip(path, RebuildTensorOfOneTuple(1 << 20, 2_000), new Dictionary<string, byte[]> { ["0"] = new byte[4] }); break;
            // 1 MB of EMPTY_DICT (the process test's 16 MB, smaller so that each of these reads is quick).
            case "empty-dicts-legacy": File.WriteAllBytes(path, EmptyContainers((byte)'}', 1 << 20)); break;
            default: throw new ArgumentException(name);
        }
        return path;
    }

    // A view of the file's first `length` bytes, read and bound as `densenet check` does; what it throws.
    private static Exception? Read(byte[] bytes, int length, string name)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(() =>
        {
            using var stream = new MemoryStream(bytes, 0, length, writable: false);
            CheckpointReader.ReadAll(stream, name);
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= CliProcess.MemoryBound(length), $"{name} ({length} bytes) allocated {allocated:N0} bytes: {Describe(error)}");
        return error;
    }

    private static string Describe(Exception? error) => error is null ? "no exception" : $"{error.GetType().Name}: {error.Message}";
}
