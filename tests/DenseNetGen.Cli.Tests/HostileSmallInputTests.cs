using System.Text;
using DenseNetGen.Checkpoints;
using DenseNetGen.IO;
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
        File.WriteAllBytes(path, new Writer(4).Frame(-1).LegacyMagic().Stop());

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
    public void ACheckpointThatIsAFifoIsNotOpened()
    {
        var path = Path.Combine(_dir, "fifo.pth");
        System.Diagnostics.Process.Start("mkfifo", [path])!.WaitForExit();

        var result = Run("check", "--model", "fashion-mnist", "--weights", path);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("fifo.pth: is not a regular file (a device, FIFO or socket), so it is not read", result.Error);
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

    // [16, 2^30, 2^30] with no data: the product wrapped to 0 in 64 bits and the file was accepted (then exit 3).
    [Fact]
    public void IdxDimensionsWhoseProductWrapsAreRefused()
    {
        File.WriteAllBytes(Path.Combine(_dir, "t10k-images-idx3-ubyte"), HostileDataProcessTests.Idx([16, 1 << 30, 1 << 30], []));
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), HostileDataProcessTests.Idx([16], new byte[16]));

        var result = Run("test", "--data", _dir);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("dimensions [16, 1073741824, 1073741824] make more than", result.Error);
    }

    [Theory]
    [InlineData("../outside/bag.png 8")]
    [InlineData("ABSOLUTE 8")]
    [InlineData("inside/link.png 8")]
    public void AnnotationPathsOutsideTheDataRootAreRefusedUnlessAllowed(string line)
    {
        var (root, outsideBag) = RootBesideAnImage();
        Directory.CreateDirectory(Path.Combine(root, "inside"));
        File.CreateSymbolicLink(Path.Combine(root, "inside", "link.png"), outsideBag);
        var list = Path.Combine(root, "list.txt");
        File.WriteAllText(list, line.Replace("ABSOLUTE", outsideBag, StringComparison.Ordinal) + "\n");

        var refused = Run("test", "--data", root, "--ann-file", list);
        var allowed = Run("test", "--data", root, "--ann-file", list, "--allow-outside-root");

        Assert.Equal(CliApp.Failure, refused.ExitCode);
        Assert.Contains($"is '{outsideBag}', outside the data root '{root}'", refused.Error);
        Assert.Equal(CliApp.Ok, allowed.ExitCode);
        Assert.Contains("accuracy/top1: 100.00  (1/1)", allowed.Out);
    }

    // A class folder that links outside the root: not walked by default (so the folders do not fit), refused when
    // links are followed, read only with --allow-outside-root as well.
    [Fact]
    public void AClassFolderLinkedOutsideTheRootIsNotScored()
    {
        var (root, outsideBag) = RootBesideAnImage();
        string[] folders = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Ankle boot"];
        foreach (var folder in folders) Directory.CreateDirectory(Path.Combine(root, folder));
        File.Copy(Sample("ankle-boot.png"), Path.Combine(root, "Ankle boot", "ankle-boot.png"));
        File.CreateSymbolicLink(Path.Combine(root, "Bag"), Path.GetDirectoryName(outsideBag)!);

        var plain = Run("test", "--data", root);
        var followed = Run("test", "--data", root, "--follow-links");
        var allowed = Run("test", "--data", root, "--follow-links", "--allow-outside-root");

        Assert.Equal(CliApp.Usage, plain.ExitCode);
        Assert.Contains("9 class folders but the model has 10", plain.Error);
        Assert.Equal(CliApp.Failure, followed.ExitCode);
        Assert.Contains("outside the data root", followed.Error);
        Assert.Equal(CliApp.Ok, allowed.ExitCode);
        Assert.Contains("on 2 images", allowed.Out);
    }

    [Fact]
    public void AFiftyMegabyteAnnotationLineIsQuotedInPart()
    {
        var list = Path.Combine(_dir, "list.txt");
        File.WriteAllText(list, new string('x', 50_000_000) + "\n");

        var result = Run("test", "--data", _dir, "--ann-file", list);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("line 1: expected 'path label', got 'xxx", result.Error);
        Assert.True(result.Error.Length < 1_200, $"{result.Error.Length:N0} characters");
    }

    [Theory]
    [InlineData("link")]
    [InlineData("directory")]
    [InlineData("fifo")]
    public void ConvertWritesOnlyToARegularFileOrANewPath(string kind)
    {
        var victim = Path.Combine(_dir, "victim.txt");
        File.WriteAllText(victim, "keep");
        var output = Path.Combine(_dir, "out.safetensors");
        switch (kind)
        {
            case "link": File.CreateSymbolicLink(output, victim); break;
            case "directory": Directory.CreateDirectory(output); break;
            case "fifo": System.Diagnostics.Process.Start("mkfifo", [output])!.WaitForExit(); break;
        }

        var result = Run("convert", "--model", "fashion-mnist", "--out", output);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains($"--out {output} is a", result.Error);
        var expected = kind switch { "link" => FileKind.SymbolicLink, "directory" => FileKind.Directory, _ => FileKind.Other };
        Assert.Equal(expected, InputFile.KindOf(output, followLinks: false));
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    // What a server would hand the classifier: a request body. One that never ends is refused at the byte cap.
    [Fact]
    public void AnEndlessImageStreamIsRefusedAtTheByteCap()
    {
        using var endless = new EndlessStream();

        var error = Assert.Throws<Preprocessing.ImageDecodeException>(() => Preprocessing.ImageDecoder.Decode(endless, 3, "request", maxPixels: 1000));

        Assert.Contains("more than 1,056,576 bytes", error.Message);
        Assert.InRange(endless.Served, 1_056_576, 1_056_576 + 81_920);
    }

    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Served += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // A data root and, beside it, a folder holding bag.png (class 8).
    private (string Root, string OutsideBag) RootBesideAnImage()
    {
        var root = Path.Combine(_dir, "data");
        var outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        var bag = Path.Combine(outside, "bag.png");
        File.Copy(Sample("bag.png"), bag);
        return (root, bag);
    }
}
