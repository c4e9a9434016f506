using System.Text;
using DenseNetGen.Checkpoints;
using static DenseNetGen.Cli.Tests.CliRunner;
using static DenseNetGen.Cli.Tests.HostilePickles;

namespace DenseNetGen.Cli.Tests;

/// <summary>The smaller items of issue 19's table, where the message or the verdict is the point (run in process).</summary>
public sealed class HostileSmallInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFrameWithANegativeLengthIsRefused()
    {
        var path = Path.Combine(_dir, "frame.pth");
        File.WriteAllBytes(path, new Writer(4).Frame(-1).Op('N').Stop());

        var result = Run("check", "--model", "fashion-mnist", "--weights", path);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("FRAME of -1 bytes", result.Error);
    }

    // torch.save(torch.zeros(0)) writes size (0,), stride (1,) over a storage of 0 elements; torch.load reads it.
    [Fact]
    public void AZeroElementTensorIsRead()
    {
        var path = Path.Combine(_dir, "empty.pth");
        WriteZip(path, OneTensor([0], [1], 0), new Dictionary<string, byte[]> { ["0"] = [] });

        var tensor = Assert.Single(CheckpointReader.ReadAll(path).Tensors);

        Assert.Equal("w", tensor.Key);
        Assert.Equal([0], tensor.Value.Shape);
        Assert.Empty(tensor.Value.Data);
    }

    // torch.load raises "Unknown endianness type" for anything but b"little" and b"big"; only "big" is big-endian.
    [Theory]
    [InlineData("little\n", "unknown byte order 'little\\x0a'")]
    [InlineData("", "unknown byte order ''")]
    [InlineData("big", "big-endian checkpoints are not supported")]
    public void AByteOrderRecordMustSayLittleOrBig(string order, string reason)
    {
        var path = Path.Combine(_dir, "order.pth");
        WriteZip(path, OneTensor([1], [1], 1), new Dictionary<string, byte[]> { ["0"] = new byte[4] }, Encoding.ASCII.GetBytes(order));

        var result = Run("check", "--model", "fashion-mnist", "--weights", path);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains(reason, result.Error);
    }

    [Fact]
    public void AnUnknownModelIsOneSentenceWithoutTheParameterName()
    {
        var result = Run("info", "--model", "densenet-nope");

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.StartsWith("densenet: Unknown model 'densenet-nope'. Known models: ", result.Error);
        Assert.EndsWith(".", result.Error.TrimEnd());
    }

    [Fact]
    public void APathWithANewlineStaysOnOneLine()
    {
        var path = Path.Combine(_dir, "two\nlines\u001b[31m.png");

        var result = Run("predict", path);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Equal($"densenet: Image not found: {_dir}/two\\nlines\\u001b[31m.png{Environment.NewLine}", result.Error);
    }
}
