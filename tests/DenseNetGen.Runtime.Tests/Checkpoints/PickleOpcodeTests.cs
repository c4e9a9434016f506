using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The pickle reader against CPython: tools/make_pickle_opcodes.py pickled data in protocols 0-5 with CPython and
/// recorded what CPython's unpickler reads back; every pickle here must read to that value.
/// </summary>
public sealed class PickleOpcodeTests
{
    private static readonly JsonNode s_reference = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.References("pickle"), "opcodes.json")))!;

    private static IEnumerable<JsonNode> Cases => s_reference["cases"]!.AsArray().Select(c => c!);

    public static TheoryData<string, string> Pickles()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Cases) data.Add((string)c["name"]!, c["protocol"]?.ToString() ?? "handwritten");
        return data;
    }

    [Theory]
    [MemberData(nameof(Pickles))]
    public void ReadsWhatCPythonReads(string name, string protocol)
    {
        var reference = Cases.Single(c => (string)c["name"]! == name && (c["protocol"]?.ToString() ?? "handwritten") == protocol);
        var bytes = Convert.FromHexString((string)reference["pickle"]!);
        var cursor = new ByteCursor(bytes, "opcodes.json", name);

        if (reference["opcodes"]!.AsArray().Any(o => (string)o! == "STRING"))
        {
            // Python 2's quoted STRING: Python 3's pickler never writes it and the reader refuses it by name.
            Assert.Contains("0x53", Assert.Throws<CheckpointException>(() => PickleReader.Load(cursor)).Message);
            return;
        }
        var value = PickleReader.Load(cursor);

        Assert.Equal(bytes.Length, cursor.Position);
        var actual = Tagged(value, []);
        Assert.DoesNotContain(Flatten(value, []), v => v is BigInteger big && big >= long.MinValue && big <= long.MaxValue);
        Assert.True(JsonNode.DeepEquals(reference["value"], actual), $"{name} (protocol {protocol}):\n expected {reference["value"]?.ToJsonString()}\n got      {actual?.ToJsonString()}");
    }

    [Fact]
    public void EveryDataOpcodeIsCovered()
    {
        var seen = Cases.SelectMany(c => c["opcodes"]!.AsArray().Select(o => (string)o!)).ToHashSet();
        string[] protocol0Text = ["INT", "LONG", "FLOAT", "UNICODE", "GET", "PUT", "GLOBAL", "INST", "OBJ", "POP"];
        string[] protocol4And5 = ["FRAME", "MEMOIZE", "STACK_GLOBAL", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS", "FROZENSET", "NEWOBJ_EX", "BYTEARRAY8"];
        string[] lists = ["APPEND", "APPENDS", "SETITEM", "SETITEMS", "LONG_BINGET", "LONG_BINPUT", "LONG4", "DUP", "POP_MARK"];

        Assert.All(protocol0Text.Concat(protocol4And5).Concat(lists), op => Assert.Contains(op, seen));
    }

    [Theory]
    [InlineData("80028201", "extension")] // EXT1 1
    [InlineData("800597", "out-of-band")] // NEXT_BUFFER
    [InlineData("800258010000006151", "persistent id")] // BINUNICODE 'a', BINPERSID without a persistent_load
    public void NonDataOpcodesAreRefusedByName(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);

        var error = Assert.Throws<CheckpointException>(() => PickleReader.Load(new ByteCursor(bytes, "test", "pickle")));

        Assert.Contains(reason, error.Message);
    }

    /// <summary>
    /// Malformed pickles, assembled by hand from pickletools' opcode table; CPython 3's pickle.loads refuses every
    /// one of them too (stack underflow, no MARK, odd SETITEMS, a missing memo entry, a truncated frame, bad text
    /// numbers and escapes...; checked with /usr/bin/python3 when they were written). The reader names the problem.
    /// </summary>
    [Theory]
    [InlineData("800495ff000000000000004e2e", "pickle FRAME of 255 bytes at offset 2 but 2 bytes remain")]
    [InlineData("800495ffffffffffffffff4e2e", "pickle FRAME of -1 bytes at offset 2")]
    [InlineData("2e", "pickle stack underflow at offset 1")] // STOP with nothing to return
    [InlineData("4e282e", "pickle stack underflow at offset 3")] // STOP above a MARK: the None below it is not visible
    [InlineData("312e", "pickle has no mark at offset 1")] // POP_MARK
    [InlineData("322e", "pickle stack underflow")] // DUP
    [InlineData("4b01862e", "pickle stack underflow at offset 3")] // TUPLE2 of one item
    [InlineData("4b01284b02862e", "pickle stack underflow")] // TUPLE2 whose first item is below a MARK
    [InlineData("7d284b01752e", "dict items are not key/value pairs")] // SETITEMS of one item
    [InlineData("4b014b02612e", "APPEND needs a list, got")]
    [InlineData("4b014b024b03732e", "SETITEM needs a dict, got")]
    [InlineData("4b01284b02902e", "a set")] // ADDITEMS to an int
    [InlineData("68052e", "pickle memo has no entry 5")] // BINGET 5
    [InlineData("4e7031780a2e", "bad pickle memo index '1x'")] // PUT '1x'
    [InlineData("4b014b02932e", "STACK_GLOBAL needs two strings")]
    [InlineData("286f2e", "OBJ needs a class")]
    [InlineData("8bffffffff2e", "pickled integer of -1 bytes is too long")] // LONG4 of -1 bytes
    [InlineData("493132610a2e", "bad pickled integer '12a'")]
    [InlineData("492d0a2e", "bad pickled integer '-'")]
    [InlineData("4c0a2e", "bad pickled integer ''")] // LONG with no digits
    [InlineData("46312e35780a2e", "bad pickled float '1.5x'")]
    [InlineData("460a2e", "bad pickled float ''")]
    [InlineData("565c7531320a2e", "bad \\u escape")] // UNICODE '\u12': too few digits
    [InlineData("565c755a5a5a5a0a2e", "bad \\u escape")] // '\uZZZZ'
    [InlineData("565c5530303131303030300a2e", "bad \\u escape")] // '\U00110000': beyond Unicode
    [InlineData("8c01ff2e", "invalid UTF-8 string before offset 3")]
    [InlineData("ff", "unsupported pickle opcode 0xff at offset 0")]
    [InlineData("4e830100", "pickle opcode 0x83 at offset 1 names a copyreg extension code")] // EXT2
    [InlineData("8401000000", "pickle opcode 0x84 at offset 0 names a copyreg extension code")] // EXT4
    [InlineData("98", "pickle opcode 0x98 at offset 0 refers to an out-of-band buffer")] // READONLY_BUFFER
    public void MalformedPicklesAreRefusedForWhatIsWrong(string hex, string reason)
    {
        var error = Assert.Throws<CheckpointException>(() => PickleReader.Load(new ByteCursor(Convert.FromHexString(hex), "test", "pickle")));

        Assert.Contains(reason, error.Message);
    }

    /// <summary>Edge cases of the text and frame opcodes, with the values CPython 3's pickle.loads reads from them.</summary>
    [Theory]
    [InlineData("80049502000000000000004e2e", null)] // a FRAME exactly as long as the data left
    [InlineData("492b350a2e", 5L)] // INT '+5': int() takes a sign
    [InlineData("492d370a2e", -7L)]
    [InlineData("4c2b31324c0a2e", 12L)] // LONG '+12L'
    [InlineData("463165300a2e", 1.0)] // FLOAT '1e0'
    [InlineData("462d302e32350a2e", -0.25)]
    [InlineData("565c75303065390a2e", "\u00e9")] // UNICODE '\u00e9'
    [InlineData("565c5530303031663630300a2e", "\U0001f600")] // '\U0001f600', beyond the BMP
    [InlineData("56615c0a2e", "a\\")] // a backslash at the end stays
    [InlineData("565c7834310a2e", "\\x41")] // raw-unicode-escape knows no \x
    public void TextAndFrameEdgeCasesReadAsCPythonReadsThem(string hex, object? expected)
    {
        var bytes = Convert.FromHexString(hex);
        var cursor = new ByteCursor(bytes, "test", "pickle");

        Assert.Equal(expected, PickleReader.Load(cursor));
        Assert.Equal(bytes.Length, cursor.Position);
    }

    /// <summary>
    /// Calls of data-building globals (and APPENDs to non-lists) that CPython 3's pickle.loads refuses too, with what
    /// the reader says about the value it got. The last case CPython accepts: a None dict key, which the reader refuses
    /// by its own rule (TorchGlobals.DictKey).
    /// </summary>
    [Theory]
    [InlineData("63636f6c6c656374696f6e730a4f726465726564446963740a4b014b0286522e", "cannot call 'collections.OrderedDict' with 2 arguments")]
    [InlineData("63636f6c6c656374696f6e730a4f726465726564446963740a5d4b01856185522e", "OrderedDict item is a 1-tuple, not a pair")]
    [InlineData("635f636f646563730a656e636f64650a5803000000e282ac58060000006c6174696e3186522e", "_codecs.encode(…, 'latin1') of a string that is not Latin-1")] // '€'
    [InlineData("63746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a284b014b024b034b044b0574522e", "cannot call 'torch._utils._rebuild_tensor_v2' with 5 arguments")]
    [InlineData("583200000078787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878784b01612e", "APPEND needs a list, got string 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'")] // 50 x's, shown to 40
    [InlineData("8a090000000000000000014b01612e", "APPEND needs a list, got a large integer")] // 2^64
    [InlineData("294b01612e", "APPEND needs a list, got a 0-tuple")]
    [InlineData("4e4b01612e", "APPEND needs a list, got None")]
    [InlineData("63610a620a4b01612e", "APPEND needs a list, got global a.b")]
    [InlineData("7d4e4b01732e", "unsupported dict key None")]
    public void GlobalCallsAndAppendsCPythonRefusesAreRefused(string hex, string reason)
    {
        var error = Assert.Throws<CheckpointException>(() => PickleReader.Load(new ByteCursor(Convert.FromHexString(hex), "test", "pickle")));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void GlobalCallsThatBuildDataReadAsCPythonReadsThem()
    {
        static object? Load(string hex) => PickleReader.Load(new ByteCursor(Convert.FromHexString(hex), "test", "pickle"));

        // collections.OrderedDict([[1, 2]]): a pair may be a list; CPython reads OrderedDict([(1, 2)]).
        var dict = Assert.IsType<OrderedDictionary<object, object?>>(Load("63636f6c6c656374696f6e730a4f726465726564446963740a5d5d4b01614b02616185522e"));
        Assert.Equal([new KeyValuePair<object, object?>(1L, 2L)], dict);
        // _codecs.encode('\xff\x00a', 'latin1'): b'\xff\x00a'.
        Assert.Equal(new byte[] { 0xff, 0x00, 0x61 }, Assert.IsType<byte[]>(Load("635f636f646563730a656e636f64650a5804000000c3bf006158060000006c6174696e3186522e")));
        // builtins.frozenset(), __builtin__.set() and builtins.bytearray() with no argument: empty values.
        var frozen = Assert.IsType<PySet>(Load("636275696c74696e730a66726f7a656e7365740a29522e"));
        Assert.True(frozen.Frozen);
        Assert.Empty(frozen.Items);
        var set = Assert.IsType<PySet>(Load("635f5f6275696c74696e5f5f0a7365740a29522e"));
        Assert.False(set.Frozen);
        Assert.Empty(set.Items);
        Assert.Empty(Assert.IsType<byte[]>(Load("636275696c74696e730a6279746561727261790a29522e")));
    }

    [Fact]
    public void IntegersUpTo1024BytesAreReadAndLongerOnesRefused()
    {
        // LONG4 of 1024 bytes ff..ff 7f: 2^8191 - 1, as CPython reads it. 1025 bytes is past the reader's own bound
        // (CPython would read it; no checkpoint holds such an integer).
        byte[] Long4(int length) => [0x8b, .. BitConverter.GetBytes(length), .. Enumerable.Repeat((byte)0xff, length - 1), 0x7f, 0x2e];

        Assert.Equal(BigInteger.Pow(2, 8191) - 1, PickleReader.Load(new ByteCursor(Long4(1024), "test", "pickle")));
        Assert.Contains("pickled integer of 1025 bytes is too long",
            Assert.Throws<CheckpointException>(() => PickleReader.Load(new ByteCursor(Long4(1025), "test", "pickle"))).Message);
    }

    // Every value reachable from a pickled one (placeholders' arguments included), each container once.
    private static IEnumerable<object?> Flatten(object? value, HashSet<object> seen)
    {
        if (value is null || !seen.Add(value)) yield break;
        yield return value;
        var children = value switch
        {
            PyTuple t => t.Items,
            List<object?> l => l,
            OrderedDictionary<object, object?> d => d.Keys.Concat(d.Values),
            PySet s => s.Items,
            PyObject o => o.Args.Append(o.State).Concat(o.Items),
            _ => [],
        };
        foreach (var child in children.SelectMany(c => Flatten(c, seen))) yield return child;
    }

    // The tagged JSON form tools/make_pickle_opcodes.py writes (see tagged() there).
    private static JsonNode? Tagged(object? value, List<object> path)
    {
        if (value is null) return null;
        var up = path.FindLastIndex(p => ReferenceEquals(p, value));
        if (up >= 0) return new JsonObject { ["cycle"] = path.Count - up };
        if (value is PyTuple or List<object?> or OrderedDictionary<object, object?> or PySet or PyObject) path = [.. path, value];
        JsonArray Items(IEnumerable<object?> items) => [.. items.Select(i => Tagged(i, path))];
        JsonArray Pairs(IEnumerable<KeyValuePair<object, object?>> pairs) => [.. pairs.Select(p => (JsonNode)new JsonArray(Tagged(p.Key, path), Tagged(p.Value, path)))];
        return value switch
        {
            bool b => JsonValue.Create(b),
            string s => JsonValue.Create(s),
            long or BigInteger => new JsonObject { ["int"] = value.ToString() },
            double d => new JsonObject { ["float"] = BitConverter.DoubleToInt64Bits(d).ToString("x16") },
            byte[] bytes => new JsonObject { ["bytes"] = Convert.ToHexStringLower(bytes) },
            PyTuple t => new JsonObject { ["tuple"] = Items(t.Items) },
            List<object?> l => new JsonObject { ["list"] = Items(l) },
            OrderedDictionary<object, object?> d => new JsonObject { ["dict"] = Pairs(d) },
            PySet s => new JsonObject { [s.Frozen ? "frozenset" : "set"] = Items(s.Items) },
            PyGlobal g => new JsonObject { ["global"] = g.FullName },
            PyObject o => new JsonObject
            {
                ["object"] = o.Global.FullName,
                ["args"] = Items(o.Args),
                ["kwargs"] = Pairs(o.Kwargs ?? []),
                ["state"] = Tagged(o.State, path),
                ["items"] = Items(o.Items),
                ["entries"] = Pairs(o.Entries),
            },
            _ => throw new InvalidOperationException($"no tagged form for {value.GetType()}"),
        };
    }
}
