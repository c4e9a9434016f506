using Xunit.Abstractions;
using static DenseNetGen.Cli.Tests.HostilePickles;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// Issue 19's hostile checkpoints, each run through `densenet check` in a child process: every one is refused with
/// one line (or read) within <see cref="CliProcess.MemoryBound"/> of its size and <see cref="CliProcess.TimeBound"/>,
/// measured as the operating system sees the process.
/// </summary>
[Collection(HostileProcesses.Name)]
public sealed class HostileCheckpointProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, bool> CodecsRoutes => new() { { "legacy", false }, { "legacy", true }, { "zip", false } };

    // 1 MiB string, 20,000 calls: each once copied the string, 20 GB in all (out of memory at exit 3, or a minute
    // of copying with the results POPped). The legacy route is the first pickle, run before the magic number is checked.
    [Theory]
    [MemberData(nameof(CodecsRoutes))]
    public void ABuilderCalledAgainAndAgainOnOneMemoisedStringIsChargedOnce(string route, bool pop)
    {
        var pickle = CodecsEncodeOfOneString(1 << 20, 20_000, pop);
        var path = Write(route, pickle);

        var result = Check(path);

        CliProcess.AssertRefused(result, new FileInfo(path).Length, route == "legacy" ? "bad magic number" : "expected a dict of tensors");
    }

    // A 1M-element tuple (1 MB of DUPs) passed as size and stride 2,000 times: 16 MB of long[] per call, once kept.
    [Fact]
    public void TheTensorRebuilderSharesAMemoisedSizeTuple()
    {
        var path = Write("zip", RebuildTensorOfOneTuple(1 << 20, 2_000));

        var result = Check(path);

        CliProcess.AssertRefused(result, new FileInfo(path).Length, "expected a dict of tensors");
    }

    // 16 MB of one-byte opcodes that each make an empty container (about 85 bytes each: 1.4 GB) are refused by the budget.
    [Theory]
    [InlineData((byte)'}')]
    [InlineData((byte)0x8f)]
    public void OneByteOpcodesThatMakeObjectsAreCharged(byte opcode)
    {
        var path = Write("legacy", EmptyContainers(opcode, 16_000_000));

        var result = Check(path);

        CliProcess.AssertRefused(result, new FileInfo(path).Length, "units of work");
    }

    private ProcessResult Check(string path)
    {
        var result = CliProcess.Run("check", "--model", "fashion-mnist", "--weights", path);
        output.WriteLine($"{Path.GetFileName(path)} ({new FileInfo(path).Length:N0} bytes): {result}");
        return result;
    }

    // A pickle that starts with the magic number is read as a legacy file, its first pickle; "zip" wraps it as
    // torch.save's data.pkl.
    private string Write(string route, byte[] pickle)
    {
        var path = Path.Combine(_dir, $"hostile.{route}.pth");
        if (route == "zip") WriteZip(path, pickle, new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        else File.WriteAllBytes(path, pickle);
        return path;
    }
}
