using System.Text;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The safetensors reader against the format's own text (huggingface/safetensors, README "Format"): 8 bytes N, an
/// unsigned little-endian 64-bit integer; N bytes of a UTF-8 JSON object mapping each tensor name to {"dtype",
/// "shape", "data_offsets": [BEGIN, END]} (offsets relative to the byte buffer that follows), with "__metadata__" a
/// free string map; the buffer is tiled by the tensors exactly. Files are written here byte by byte, and the values
/// they hold are worked out by hand.
/// </summary>
public sealed class SafetensorsHeaderTests
{
    /// <summary>N, then the header, then the data.</summary>
    private static byte[] File(string header, params byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. data];
    }

    private static CheckpointContents Read(byte[] file, CheckpointOptions? options = null) =>
        SafetensorsReader.Read(file, "hand.safetensors", options);

    private static CheckpointException Refused(byte[] file) => Assert.Throws<CheckpointException>(() => Read(file));

    [Fact]
    public void TensorsOfEveryFloatTypeReadAsTheirValues()
    {
        // F32 1.5 = 0x3FC00000 and -2 = 0xC0000000; F16 1.0 = 0x3C00; BF16 -0.5 = 0xBF00; F64 0.25 = 0x3FD0000000000000.
        var file = File("""
            {"__metadata__": {"format": "pt"},
             "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b": {"dtype": "F16", "shape": [1, 1], "data_offsets": [8, 10]},
             "c": {"dtype": "BF16", "shape": [], "data_offsets": [10, 12]},
             "d": {"dtype": "F64", "shape": [1], "data_offsets": [12, 20]}}
            """,
            0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x3C, 0x00, 0xBF,
            0, 0, 0, 0, 0, 0, 0xD0, 0x3F);

        var contents = Read(file);

        Assert.Equal("safetensors", contents.Format);
        Assert.Equal(["a", "b", "c", "d"], contents.Tensors.Keys);
        Assert.Equal([1.5f, -2f], contents.Tensors["a"].Data);
        Assert.Equal([2], contents.Tensors["a"].Shape);
        Assert.Equal([1f], contents.Tensors["b"].Data);
        Assert.Equal([1, 1], contents.Tensors["b"].Shape);
        Assert.Equal([-0.5f], contents.Tensors["c"].Data);
        Assert.Empty(contents.Tensors["c"].Shape);
        Assert.Equal([0.25f], contents.Tensors["d"].Data);
        Assert.Equal(["float32", "float16", "bfloat16", "float64"], new[] { "a", "b", "c", "d" }.Select(k => contents.DataTypes[k]));
    }

    [Fact]
    public void IntegerTensorsReadAsTheirValues()
    {
        // I64 -3, I32 7, I16 -1, I8 -128, U8 255, BOOL true.
        var file = File("""
            {"q": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
             "r": {"dtype": "I32", "shape": [1], "data_offsets": [8, 12]},
             "s": {"dtype": "I16", "shape": [1], "data_offsets": [12, 14]},
             "t": {"dtype": "I8", "shape": [1], "data_offsets": [14, 15]},
             "u": {"dtype": "U8", "shape": [1], "data_offsets": [15, 16]},
             "v": {"dtype": "BOOL", "shape": [1], "data_offsets": [16, 17]}}
            """,
            0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0, 0xFF, 0xFF, 0x80, 0xFF, 1);

        var contents = Read(file);

        Assert.Equal([-3f, 7f, -1f, -128f, 255f, 1f], contents.Tensors.Values.Select(t => t.Data.Single()));
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("[\"format\", \"pt\"]")]
    [InlineData("null")]
    public void MetadataThatIsNotAnObjectIsPassedOver(string metadata)
    {
        // The format makes "__metadata__" a string map; other tools load a file whose metadata is something else, so
        // it is passed over (no metadata) and the tensors still read.
        var contents = Read(File($$$"""{"__metadata__": {{{metadata}}}, "a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}""", 7, 9));
        Assert.Empty(contents.Metadata);
        Assert.Equal([7f, 9f], contents.Tensors["a"].Data);
    }

    [Fact]
    public void OnlyTheStringValuesOfMetadataAreKept() =>
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" },
            Read(File("""{"__metadata__": {"format": "pt", "epochs": 3, "tags": ["a"]}}""")).Metadata);

    [Fact]
    public void AFileWithNoTensorsIsValid() => Assert.Empty(Read(File("{}")).Tensors);

    [Fact]
    public void TensorsOfSeveralDimensionsReadRowMajor()
    {
        // The format stores tensors in C (row-major) order: F32 [2, 3] holds 1..6 as rows [1 2 3] and [4 5 6];
        // I16 [2, 1, 2] holds 10, -20, 30, -40 (0x000A, 0xFFEC, 0x001E, 0xFFD8).
        var file = File("""
            {"m": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
             "n": {"dtype": "I16", "shape": [2, 1, 2], "data_offsets": [24, 32]}}
            """,
            [.. new[] { 1f, 2f, 3f, 4f, 5f, 6f }.SelectMany(BitConverter.GetBytes), 0x0A, 0x00, 0xEC, 0xFF, 0x1E, 0x00, 0xD8, 0xFF]);

        var contents = Read(file);

        Assert.Equal([2, 3], contents.Tensors["m"].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], contents.Tensors["m"].Data);
        Assert.Equal([2, 1, 2], contents.Tensors["n"].Shape);
        Assert.Equal([10f, -20f, 30f, -40f], contents.Tensors["n"].Data);
    }

    [Fact]
    public void TensorsWithAZeroSizeAreEmptyWhateverTheirOtherSizes()
    {
        // The format's validator takes the product of the shape as the element count: [0, 5] and [2, 0] hold no
        // element and no byte, so begin == end. "w" starts where "b" does and is listed after it: sorted by
        // (begin, end) as the validator sorts, the empty range comes first and the ranges still tile the 1 data byte.
        var file = File("""
            {"b": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
             "w": {"dtype": "F32", "shape": [0, 5], "data_offsets": [0, 0]},
             "z": {"dtype": "I64", "shape": [2, 0], "data_offsets": [1, 1]}}
            """, 9);

        var contents = Read(file);

        Assert.Equal([9f], contents.Tensors["b"].Data);
        Assert.Equal([0, 5], contents.Tensors["w"].Shape);
        Assert.Empty(contents.Tensors["w"].Data);
        Assert.Equal([2, 0], contents.Tensors["z"].Shape);
        Assert.Empty(contents.Tensors["z"].Data);
        // Sorted by begin and then end, not by end alone: "e" [2, 2) ends where "a" [0, 2) does but starts after it.
        var unordered = Read(File("""
            {"e": {"dtype": "F32", "shape": [0], "data_offsets": [2, 2]},
             "a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
             "b": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]}}
            """, 1, 2, 3));
        Assert.Equal([1f, 2f], unordered.Tensors["a"].Data);
        Assert.Equal([3f], unordered.Tensors["b"].Data);
        Assert.Empty(unordered.Tensors["e"].Data);
        Assert.Contains("z: shape [2, 0] needs 0 bytes but data_offsets give 1",
            Refused(File("""{"z": {"dtype": "I64", "shape": [2, 0], "data_offsets": [0, 1]}}""", 9)).Message);
    }

    [Fact]
    public void AHeaderThatIsNotUtf8IsRefused()
    {
        // 0xE5 starts a three-byte sequence that '"' cannot continue: not UTF-8, in a tensor name.
        var file = File("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}""", 7);
        file[9] = 0xE5;

        Assert.Contains("header is not valid UTF-8", Refused(file).Message);
    }

    [Fact]
    public void TensorsOfUnknownTypesAreLeftOutButTheirBytesStillCount()
    {
        // F8_E4M3 is in the format but not read here: left out, its range still part of the tiling.
        var file = File("""
            {"f8": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]},
             "x": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]}}
            """, 1, 2, 42);

        var contents = Read(file);

        Assert.Equal(["x"], contents.Tensors.Keys);
        Assert.Equal([42f], contents.Tensors["x"].Data);
        Assert.Contains("leave a gap after byte 0",
            Refused(File("""{"f8": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [1, 3]}}""", 1, 2, 3)).Message);
    }

    [Theory]
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}""", 3,
        "b: data_offsets [1, 3) overlap the previous tensor's bytes (which end at 2)")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}""", 2,
        "data_offsets [0, 2) overlap the previous tensor's bytes (which end at 2)")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "b": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]}}""", 3,
        "b: data_offsets [2, 3) leave a gap after byte 1")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}""", 3, "the tensors cover 2 of the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}""", 3, "a: data_offsets lie outside the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [0], "data_offsets": [2, 1]}}""", 3, "a: data_offsets lie outside the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [0], "data_offsets": [-1, 0]}}""", 3, "a: data_offsets lie outside the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1, 2]}}""", 3, "a: data_offsets lie outside the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0]}}""", 3, "a: data_offsets lie outside the 3 data bytes")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}""", 4, "a: shape [2] needs 8 bytes but data_offsets give 4")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 3]}}""", 3, "a: shape [1] needs 4 bytes but data_offsets give 3")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [-1, -3], "data_offsets": [0, 3]}}""", 3, "a: shape [-1, -3] does not fit its data")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 3]}}""", 3, "a: shape [4] does not fit its data")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [3, 3], "data_offsets": [0, 3]}}""", 3, "a: shape [3, 3] does not fit its data")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [3037000500, 3037000500], "data_offsets": [0, 3]}}""", 3, "a: shape [3037000500, 3037000500] does not fit its data")]
    // Entries that start past byte 0: sizes are measured from begin to end, not from the buffer's start.
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2, 2], "data_offsets": [2, 5]}}""", 5, "b: shape [2, 2] does not fit its data")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [1, 3]}}""", 3, "b: shape [1] needs 4 bytes but data_offsets give 2")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 4]}}""", 4, "a: shape [2, 1] needs 8 bytes but data_offsets give 4")]
    public void RangesAndShapesThatDoNotTileTheDataAreRefused(string header, int dataBytes, string message)
    {
        var error = Refused(File(header, new byte[dataBytes]));

        Assert.Equal("hand.safetensors", error.FileName);
        Assert.EndsWith(message, error.Message.Replace(" (truncated or corrupt)", ""));
    }

    /// <summary>
    /// Headers that are JSON but not the format's structure: each refused with what is wrong, as a
    /// <see cref="CheckpointException"/> (JsonElement's own InvalidOperationException or KeyNotFoundException would
    /// be a bug of the reader, and would escape).
    /// </summary>
    [Theory]
    [InlineData("[1, 2]", "header is a JSON Array, not an object of tensors")]
    [InlineData("\"text\"", "header is a JSON String, not an object of tensors")]
    [InlineData("""{"a": 5}""", "a: entry is a JSON Number, not an object with dtype, shape and data_offsets")]
    [InlineData("""{"a": {"shape": [1], "data_offsets": [0, 1]}}""", "a: dtype is missing, not a JSON String")]
    [InlineData("""{"a": {"dtype": 1, "shape": [1], "data_offsets": [0, 1]}}""", "a: dtype is a JSON Number, not a JSON String")]
    [InlineData("""{"a": {"dtype": "U8", "data_offsets": [0, 1]}}""", "a: shape is missing, not a JSON Array")]
    [InlineData("""{"a": {"dtype": "U8", "shape": 1, "data_offsets": [0, 1]}}""", "a: shape is a JSON Number, not a JSON Array")]
    [InlineData("""{"a": {"dtype": "U8", "shape": ["1"], "data_offsets": [0, 1]}}""", "a: shape holds a JSON String that is not a 64-bit integer")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1.5], "data_offsets": [0, 1]}}""", "a: shape holds a number that is not a 64-bit integer")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": {"0": 1}}}""", "a: data_offsets is a JSON Object, not a JSON Array")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1e30]}}""", "a: data_offsets holds a number that is not a 64-bit integer")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [1], "data_offsets": [null, 1]}}""", "a: data_offsets holds a JSON Null that is not a 64-bit integer")]
    [InlineData("{\"a\": ", "header is not valid JSON")]
    public void HeadersThatAreNotTheFormatsStructureAreRefused(string header, string message)
    {
        var error = Refused(File(header, 0));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefused()
    {
        var file = File("{}");
        BitConverter.GetBytes(3UL).CopyTo(file, 0); // "{}" is 2 bytes: the header claims one more than the file holds

        Assert.Contains("header claims 3 bytes but the file has 2 after it", Refused(file).Message);
    }

    [Fact]
    public void AHeaderLengthWithItsTopBitSetIsRefusedAsTheUnsignedNumberItIs()
    {
        var file = File("{}");
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(file, 0);

        Assert.Equal("hand.safetensors: safetensors header: header claims 18446744073709551615 bytes but the file has 2 after it (truncated or corrupt)", Refused(file).Message);
    }

    [Fact]
    public void AHeaderOfNoBytesIsNotJson()
    {
        // N = 0 fits the file (the header claims nothing), but an empty header is not a JSON object.
        var error = Refused([0, 0, 0, 0, 0, 0, 0, 0]);

        Assert.Contains("header is not valid JSON", error.Message);
    }

    [Fact]
    public void AskingForEmaWeightsIsRefused() =>
        Assert.Contains("no EMA entry", Assert.Throws<CheckpointException>(() => Read(File("{}"), new CheckpointOptions { UseEma = true })).Message);
}
