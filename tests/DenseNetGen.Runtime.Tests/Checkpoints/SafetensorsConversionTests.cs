using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DenseNetGen.Checkpoints;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// SafetensorsWriter: every reference checkpoint, bound and written as .safetensors, reads back (with no pickle) to the
/// same tensors and the same logits bit for bit; the files agree with what tools/safetensors_reference.py, an
/// independent numpy reader, computed from torch.load of the sources (tests/references/checkpoints/converted.json).
/// </summary>
public sealed class SafetensorsConversionTests
{
    public static TheoryData<string> Sources() =>
    [
        "torchvision.pth", "weird_name.pth", "dataparallel.pth", "protocol4.pth", "mmpretrain.pth", "torchvision_legacy.pth",
        "mmpretrain_legacy.pth", "torchvision_2017.pth", "timm.safetensors", "torchvision_fp16.pth", "timm_fp16.safetensors",
    ];

    private static (BoundCheckpoint Source, byte[] Converted) Convert(string file)
    {
        var source = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf(file), OddImageNet.Definition);
        using var buffer = new MemoryStream();
        SafetensorsWriter.Write(buffer, source, OddImageNet.Definition, OddImageNet.Card);
        return (source, buffer.ToArray());
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_converted_checkpoint_reads_back_to_the_same_tensors_and_logits_bit_for_bit(string file)
    {
        var (source, converted) = Convert(file);

        var reread = CheckpointBinder.Bind(new MemoryStream(converted), "converted.safetensors", OddImageNet.Definition);

        Assert.Equal("safetensors", reread.Format);
        Assert.Equal(source.Tensors.Keys, reread.Tensors.Keys);
        foreach (var (name, tensor) in source.Tensors)
        {
            Assert.Equal(tensor.Shape, reread.Tensors[name].Shape);
            Assert.True(Bits(tensor.Data).SequenceEqual(Bits(reread.Tensors[name].Data)), $"{file}: {name} differs");
        }
        var input = DeterministicWeights.Input(2, 3, 45, 38);
        using var fromSource = OddImageNet.FromTensors(source.Tensors, TestDevice.Device);
        using var fromConverted = OddImageNet.FromTensors(reread.Tensors, TestDevice.Device);
        var expected = fromSource.Infer(input, 2, 45, 38);
        var actual = fromConverted.Infer(input, 2, 45, 38);
        Assert.True(Bits(expected.Logits).SequenceEqual(Bits(actual.Logits)), $"{file}: logits differ");
        Assert.True(Bits(expected.Features).SequenceEqual(Bits(actual.Features)), $"{file}: features differ");
    }

    [Theory]
    [InlineData("torchvision.pth")]
    [InlineData("torchvision_fp16.pth")]
    [InlineData("dataparallel.pth")]
    public void The_file_holds_what_torch_load_of_the_source_holds_read_without_our_reader(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(ReferenceCheckpoints.PathOf("converted.json")));
        var expected = doc.RootElement.GetProperty(file).EnumerateArray().ToList();
        var (_, converted) = Convert(file);

        // The layout as safetensors' specification states it, parsed here without SafetensorsReader.
        var headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(converted));
        Assert.Equal(0, (8 + headerLength) % 8);
        var header = Encoding.UTF8.GetString(converted, 8, headerLength);
        using var json = JsonDocument.Parse(header.TrimEnd(' '));
        var data = converted.AsSpan(8 + headerLength);
        var entries = json.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(expected.Select(e => e.GetProperty("name").GetString()), entries.Select(e => e.Name));
        long offset = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Value;
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(expected[i].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
            var range = entry.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(offset, range[0]);
            var sha = System.Convert.ToHexStringLower(SHA256.HashData(data[(int)range[0]..(int)range[1]]));
            Assert.True(expected[i].GetProperty("sha256").GetString() == sha, $"{file}: {entries[i].Name} differs from torch.load's");
            offset = range[1];
        }
        Assert.Equal(data.Length, offset);
    }

    [Fact]
    public void The_header_carries_the_model_card()
    {
        var (_, converted) = Convert("mmpretrain_legacy.pth");

        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(converted);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(converted, 8, headerLength));
        var card = json.RootElement.GetProperty("__metadata__").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        Assert.Equal("pt", card["format"]);
        Assert.Equal("OddImageNet", card["model"]);
        Assert.Equal("mmpretrain_legacy.pth", card["source"]);
        Assert.Equal("torch-legacy", card["source_format"]);
        Assert.Equal("mmpretrain", card["convention"]);
        Assert.Equal("torchvision", card["names"]);
        Assert.Equal("11", card["num_classes"]);
        Assert.Equal("45", card["input_size"]);
        Assert.Equal(OddImageNet.Card.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), card["parameters"]);
        Assert.False(card.ContainsKey("labels"));
    }

    [Fact]
    public void Writing_to_a_path_replaces_the_file_only_when_complete()
    {
        var source = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), OddImageNet.Definition);
        var folder = Directory.CreateTempSubdirectory("densenet-convert-").FullName;
        try
        {
            var path = Path.Combine(folder, "out.safetensors");
            File.WriteAllText(path, "old");

            SafetensorsWriter.Write(path, source, OddImageNet.Definition, OddImageNet.Card);

            Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.Equal("safetensors", CheckpointReader.ReadAll(path).Format);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ReadOnlySpan<byte> Bits(float[] values) => MemoryMarshal.AsBytes(values.AsSpan());
}
