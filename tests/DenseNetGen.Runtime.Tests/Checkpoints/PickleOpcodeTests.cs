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
