using System.Buffers.Binary;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The list of checkpoint formats (<see cref="CheckpointFormats.All"/>): every real file is recognised by exactly the
/// format it was written in (by PyTorch's torch.save, with or without the zip container, or as safetensors by
/// tools/make_fuzz_seeds.py and timm's layout), and a header no format recognises gets one message naming them all.
/// </summary>
public sealed class CheckpointFormatListTests
{
    private static readonly string s_seeds = Path.Combine(RepositoryPaths.Root, "tests", "DenseNetGen.Fuzz", "seeds");

    [Theory]
    [InlineData("torchvision.pth", "torch-zip")]
    [InlineData("protocol4.pth", "torch-zip")]
    [InlineData("malicious_eval.pth", "torch-zip")]
    [InlineData("torchvision_legacy.pth", "torch-legacy")]
    [InlineData("torchvision_2017.pth", "torch-legacy")]
    [InlineData("malicious_system.pth", "torch-legacy")]
    [InlineData("timm.safetensors", "safetensors")]
    [InlineData("huge_header.safetensors", "safetensors")]
    [InlineData("corpus/meta_one_element_list_legacy.pth", "torch-legacy")]
    [InlineData("corpus/hostile_alias.safetensors", "safetensors")]
    public void ReferenceFileIsRecognisedByItsFormat(string file, string format)
    {
        var bytes = ReferenceCheckpoints.Bytes(file);

        Assert.Equal(format, CheckpointFormats.Recognise(bytes)?.Name);
    }

    public static TheoryData<string> CheckpointFiles() =>
    [
        .. Directory.GetFiles(ReferenceCheckpoints.Directory, "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(s_seeds))
            .Where(f => Path.GetExtension(f) is ".pth" or ".safetensors")
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>The list's order must not matter: no file is claimed by two formats.</summary>
    [Theory]
    [MemberData(nameof(CheckpointFiles))]
    public void EveryCheckpointFileIsRecognisedByExactlyOneFormat(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, file));

        var recognising = CheckpointFormats.All.Where(f => f.Recognises(bytes)).Select(f => f.Name).ToArray();

        var expected = Path.GetExtension(file) == ".safetensors" ? "safetensors" : bytes[0] == 'P' ? "torch-zip" : "torch-legacy";
        Assert.Equal([expected], recognising);
    }

    [Fact]
    public void UnrecognisedHeaderGetsTheMessageNamingEveryFormat()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("manifest.json")));

        Assert.Equal(
            "manifest.json: unknown checkpoint format: expected a PyTorch .pth zip (torch.save, PyTorch >= 1.6), " +
            "a legacy PyTorch .pth (torch.save before PyTorch 1.6) or a .safetensors file",
            error.Message);
        Assert.All(CheckpointFormats.All, format => Assert.Contains(format.Description, error.Message));
    }

    /// <summary>
    /// safetensors lets a writer pad the header with spaces (the Python library pads it to a multiple of 8). A header
    /// of 0x180 bytes makes the file start 80 01, a pickle's PROTO opcode: it must still read as safetensors (it was
    /// taken for a legacy .pth before the formats were a list with disjoint headers).
    /// </summary>
    [Fact]
    public void SafetensorsWhoseLengthLooksLikeAPickleOpcodeIsStillSafetensors()
    {
        var original = File.ReadAllBytes(Path.Combine(s_seeds, "tiny_float32.safetensors"));
        int header = checked((int)BinaryPrimitives.ReadInt64LittleEndian(original));
        const int Padded = 0x180;
        Assert.True(header < Padded);
        var file = new byte[8 + Padded + (original.Length - 8 - header)];
        BinaryPrimitives.WriteInt64LittleEndian(file, Padded);
        original.AsSpan(8, header).CopyTo(file.AsSpan(8));
        file.AsSpan(8 + header, Padded - header).Fill((byte)' ');
        original.AsSpan(8 + header).CopyTo(file.AsSpan(8 + Padded));
        Assert.Equal([0x80, 0x01], file[..2]);

        var padded = CheckpointReader.Read(file, "padded.safetensors");
        var expected = CheckpointReader.Read(original, "tiny_float32.safetensors");

        Assert.Equal("safetensors", padded.Format);
        Assert.Equal(expected.Tensors.Keys, padded.Tensors.Keys);
        foreach (var (name, tensor) in expected.Tensors)
        {
            Assert.Equal(tensor.Shape, padded.Tensors[name].Shape);
            Assert.Equal(tensor.Data, padded.Tensors[name].Data);
        }
    }
}
