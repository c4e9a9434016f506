using System.Numerics;
using System.Text;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// What "calling" a pickle global builds. Nothing is imported or executed: the few globals that build data
/// (OrderedDict, set, bytes, torch's tensor rebuilders…) are interpreted here, and every other call becomes an
/// inert <see cref="PyObject"/> placeholder that keeps its arguments. A tensor that depends on a placeholder
/// becomes that placeholder, so the binder can name the global when (and only when) the model needs the tensor.
/// </summary>
internal static class TorchGlobals
{
    public static object? Call(PyGlobal callee, object?[] args, OrderedDictionary<object, object?>? kwargs, PickleContext context, ByteCursor cursor)
    {
        if (kwargs is not { Count: > 0 } && Build(callee, args, context, cursor) is { } built) return built.Value;
        context.Charge(1, cursor);
        context.CountPlaceholder(callee);
        return new PyObject(callee, args, kwargs);
    }

    // The data-building globals; null for every other global. Python 3 names and the Python 2 names pickle's
    // fix_imports writes for protocols 0-2 (__builtin__) are both accepted.
    private static Built? Build(PyGlobal callee, object?[] args, PickleContext context, ByteCursor cursor)
    {
        switch (callee.Module, callee.Name, args.Length)
        {
            case ("collections", "OrderedDict", 0): return new(new OrderedDictionary<object, object?>());
            case ("collections", "OrderedDict", 1): return new(DictFromPairs(args[0], context, cursor));
            case ("builtins" or "__builtin__", "set" or "frozenset", 0): return new(new PySet([], callee.Name == "frozenset"));
            case ("builtins" or "__builtin__", "set" or "frozenset", 1):
                return new(new PySet([.. Charged(As<List<object?>>(args[0], $"a list for {callee.Name}()", cursor), context, cursor)], callee.Name == "frozenset"));
            case ("builtins" or "__builtin__", "bytes" or "bytearray", 0): return new(Array.Empty<byte>());
            case ("builtins" or "__builtin__", "bytearray", 1): return new(As<byte[]>(args[0], "bytes for bytearray()", cursor));
            case ("_codecs", "encode", 2) when args[1] is "latin1":
                return new(Latin1(As<string>(args[0], "a string to encode", cursor), context, cursor));
            case ("torch._utils", "_rebuild_tensor", 4):
            case ("torch._utils", "_rebuild_tensor_v2", 6 or 7):
                return new(args[0] is PyObject placeholder
                    ? placeholder
                    : new TensorRef(As<StorageRef>(args[0], "a tensor's storage", cursor), AsLong(args[1], cursor), Longs(args[2], context, cursor), Longs(args[3], context, cursor)));
            case ("torch._utils", "_rebuild_parameter", 3):
            case ("torch._utils", "_rebuild_parameter_with_state", 4):
                return new(args[0] is PyObject dependency ? dependency : As<TensorRef>(args[0], "a parameter's data", cursor));
            case ("torch._utils", _, _) or ("collections", "OrderedDict", _):
                throw cursor.Fail($"cannot call '{callee.FullName}' with {args.Length} arguments");
            default:
                return null;
        }
    }

    private sealed record Built(object Value);

    /// <summary>The element type a storage-class global (torch.FloatStorage…) names.</summary>
    public static ElementType StorageType(object? value, ByteCursor cursor) =>
        value is PyGlobal { Module: "torch" } g && ElementTypes.FromTorchStorage(g.Name) is { } type
            ? type
            : throw cursor.Fail($"expected a storage type, got {Describe(value)}");

    // OrderedDict(pairs): a list that is memoised and reduced again yields the dict already built from it (as long
    // as nothing was appended since), so a pickle cannot make the reader copy one list over and over.
    private static OrderedDictionary<object, object?> DictFromPairs(object? argument, PickleContext context, ByteCursor cursor)
    {
        var pairs = As<List<object?>>(argument, "a list of pairs for OrderedDict()", cursor);
        if (context.DictsFromLists.TryGetValue(pairs, out var built) && built.Count == pairs.Count) return built.Dict;
        Charged(pairs, context, cursor);
        var dict = new OrderedDictionary<object, object?>();
        foreach (var pair in pairs)
        {
            var items = pair switch
            {
                PyTuple t => t.Items,
                List<object?> l => l.ToArray(),
                _ => null,
            };
            if (items is not { Length: 2 }) throw cursor.Fail($"OrderedDict item is {Describe(pair)}, not a pair");
            dict[DictKey(items[0], cursor)] = items[1];
        }
        context.DictsFromLists[pairs] = (pairs.Count, dict);
        return dict;
    }

    private static List<object?> Charged(List<object?> items, PickleContext context, ByteCursor cursor)
    {
        context.Charge(items.Count, cursor);
        return items;
    }

    /// <summary>Any value but None can be a key here; containers and placeholders compare by identity.</summary>
    public static object DictKey(object? key, ByteCursor cursor) => key ?? throw cursor.Fail("unsupported dict key None");

    public static T As<T>(object? value, string what, ByteCursor cursor) where T : class =>
        value as T ?? throw cursor.Fail($"expected {what}, got {Describe(value)}");

    public static long AsLong(object? value, ByteCursor cursor) =>
        value is long v ? v : throw cursor.Fail($"expected an integer, got {Describe(value)}");

    // A tensor's sizes and strides: built once per tuple and shared (tensors only read them), charged by element.
    private static long[] Longs(object? value, PickleContext context, ByteCursor cursor)
    {
        var tuple = As<PyTuple>(value, "a tuple of integers", cursor);
        if (context.Built.TryGetValue(tuple, out var built)) return (long[])built;
        context.Charge(tuple.Items.Length, cursor);
        var longs = Array.ConvertAll(tuple.Items, v => AsLong(v, cursor));
        context.Built[tuple] = longs;
        return longs;
    }

    // Protocols 0-2 write bytes as _codecs.encode(str, 'latin1'): every char is one byte below 256. Built once per
    // string and shared (readers only read bytes), charged by the bytes copied.
    private static byte[] Latin1(string text, PickleContext context, ByteCursor cursor)
    {
        if (context.Built.TryGetValue(text, out var built)) return (byte[])built;
        context.Charge(text.Length, cursor);
        if (text.AsSpan().ContainsAnyExceptInRange('\0', '\u00ff')) throw cursor.Fail("_codecs.encode(…, 'latin1') of a string that is not Latin-1");
        var bytes = Encoding.Latin1.GetBytes(text);
        context.Built[text] = bytes;
        return bytes;
    }

    public static string Describe(object? value) => value switch
    {
        null => "None",
        PyGlobal g => $"global {g.FullName}",
        PyObject o => $"a {o.Global.FullName} object",
        PyTuple t => $"a {t.Items.Length}-tuple",
        string s => $"string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        BigInteger => "a large integer",
        _ => value.GetType().Name,
    };
}
