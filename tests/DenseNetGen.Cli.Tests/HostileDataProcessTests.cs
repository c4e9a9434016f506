using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;
using Xunit.Abstractions;
using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// Issue 19's hostile images and data sets, run through `densenet predict` and `densenet test` in a child process
/// with the embedded Fashion-MNIST net (resize 28, crop 28): each is refused with one line, or read, within
/// <see cref="CliProcess.MemoryBound"/> of its size and <see cref="CliProcess.TimeBound"/>.
/// </summary>
[Collection(HostileProcesses.Name)]
public sealed class HostileDataProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] ClassFolders =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly (string File, int Label)[] Samples =
        [("ankle-boot.png", 9), ("bag.png", 8), ("dress.png", 3), ("sneaker.png", 7), ("trouser.png", 1)];

    private readonly string _dir = Directory.CreateTempSubdirectory("densenet-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A 1x1,000,000 gray PNG of a few kilobytes: resizing its short edge to 28 made a 28x28,000,000 buffer (1 GB).
    [Fact]
    public void AnImageWhoseResizedSizeExplodesIsRefusedFromItsHeader()
    {
        var path = Path.Combine(_dir, "thin.png");
        using (var bitmap = new SKBitmap(new SKImageInfo(1, 1_000_000, SKColorType.Gray8)))
        using (var file = File.Create(path))
            bitmap.Encode(file, SKEncodedImageFormat.Png, 100);

        var result = Measure(path, "predict", path);

        CliProcess.AssertRefused(result, new FileInfo(path).Length, "it is 1x1000000: resizing its short edge to 28 would make 784,000,000 pixels, more than the cap of 100,000,000");
    }

    // File.ReadAllBytes on /dev/zero read until the 6 GiB heap ran out (4.16 GB, exit 3).
    [Fact]
    public void AnImageThatLinksToADeviceIsNotRead()
    {
        var path = Path.Combine(_dir, "zero.png");
        File.CreateSymbolicLink(path, "/dev/zero");

        var result = Measure(path, "predict", path);

        CliProcess.AssertRefused(result, 0, "is not a regular file (a device, FIFO or socket), so it is not read");
    }

    // An IDX data set of one 1x2,000,000 image (2 MB): resized to 28x56,000,000 (1.6 GB) before.
    [Fact]
    public void IdxImagesWhoseResizedSizeExplodesAreRefused()
    {
        WriteIdx(Path.Combine(_dir, "t10k-images-idx3-ubyte"), [1, 1, 2_000_000], new byte[2_000_000]);
        WriteIdx(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), [1], [9]);

        var result = Measure(_dir, "test", "--data", _dir);

        CliProcess.AssertRefused(result, 2_000_000, "t10k-images-idx3-ubyte image 0': it is 2000000x1: resizing its short edge to 28 would make 1,568,000,000 pixels");
    }

    // One valid image and then 512 MiB of zeros in 512 more gzip members (about 0.5 MB): decompressed whole before
    // the header was read.
    [Fact]
    public void AGzipBombAfterTheDeclaredDataIsRefusedWithoutDecompressingIt()
    {
        var images = Path.Combine(_dir, "t10k-images-idx3-ubyte.gz");
        using (var file = File.Create(images))
        {
            file.Write(Gzip(Idx([1, 28, 28], new byte[784])));
            var zeros = Gzip(new byte[1 << 20]);
            for (int i = 0; i < 512; i++) file.Write(zeros);
        }
        WriteIdx(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), [1], [9]);

        var result = Measure(_dir, "test", "--data", _dir);

        CliProcess.AssertRefused(result, new FileInfo(images).Length, "need 784 data bytes, but more follow");
    }

    // The idx fuzz target's first finding, in this issue's own reader before it shipped (20 bytes of gzip declaring
    // [1, 30000, 30000]): the 900 MB buffer was allocated before any data was found, out of memory under the
    // fuzzer's 256 MiB heap. The build before issue 19 passes this one (it decompressed first).
    [Fact]
    public void AGzippedIdxDeclaringMoreThanItHoldsIsRefusedWithoutItsBuffer()
    {
        var images = Path.Combine(_dir, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, Gzip(Idx([1, 30_000, 30_000], new byte[10])));
        WriteIdx(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), [1], [9]);

        var result = CliProcess.Run(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" }, "test", "--data", _dir);
        output.WriteLine($"test {Path.GetFileName(images)}: {result}");

        CliProcess.AssertRefused(result, new FileInfo(images).Length, "need 900000000 data bytes, found 10");
    }

    // Two `ln -s . l` loops in a class folder: walked for minutes (and a single loop counted each image five times).
    [Fact]
    public void DirectoryLinksAreNotFollowedByDefaultAndFollowedOnceOnRequest()
    {
        var root = ClassFoldersWithSamples();
        var bag = Path.Combine(root, "Bag");
        File.CreateSymbolicLink(Path.Combine(bag, "l1"), ".");
        File.CreateSymbolicLink(Path.Combine(bag, "l2"), ".");

        var plain = Measure(root, "test", "--data", root);
        var followed = Measure(root, "test", "--data", root, "--follow-links");

        foreach (var result in new[] { plain, followed })
        {
            CliProcess.AssertBounded(result, 0);
            Assert.Equal(CliApp.Ok, result.ExitCode);
            Assert.Contains("on 5 images", result.Out);
        }
    }

    private ProcessResult Measure(string input, params string[] args)
    {
        var result = CliProcess.Run(args);
        output.WriteLine($"{args[0]} {Path.GetFileName(input)}: {result}");
        return result;
    }

    private string ClassFoldersWithSamples()
    {
        var root = Path.Combine(_dir, "data");
        foreach (var folder in ClassFolders) Directory.CreateDirectory(Path.Combine(root, folder));
        foreach (var (file, label) in Samples) File.Copy(Sample(file), Path.Combine(root, ClassFolders[label], file));
        return root;
    }

    private static void WriteIdx(string path, int[] dims, byte[] data) => File.WriteAllBytes(path, Idx(dims, data));

    /// <summary>An unsigned-byte IDX array: 00 00 08 rank, big-endian dimensions, the data.</summary>
    internal static byte[] Idx(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize)) gzip.Write(data);
        return buffer.ToArray();
    }
}
