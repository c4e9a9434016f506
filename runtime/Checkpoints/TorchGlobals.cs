using System.Numerics;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// The allow-list of globals a checkpoint pickle may name, and what "calling" each builds. Nothing is
/// imported or executed: a global is a name, and a call builds a plain value. Every other global is refused.
/// </summary>
internal static class TorchGlobals
{
    public static PyGlobal Resolve(string module, string name, ByteCursor cursor)
    {
        var allowed = (module, name) switch
        {
            ("collections", "OrderedDict") => true,
            ("torch._utils", "_rebuild_tensor" or "_rebuild_tensor_v2" or "_rebuild_parameter" or "_rebuild_parameter_with_state") => true,
            ("torch", _) => ElementTypes.FromTorchStorage(name) is not null,
            _ => false,
        };
        if (!allowed)
            throw cursor.Fail($"refuses the pickle global '{module}.{name}': only tensors and dicts may be loaded, nothing is executed");
        return new PyGlobal(module, name);
    }

    public static object? Call(PyGlobal callee, object?[] args, ByteCursor cursor)
    {
        switch (callee.Name)
        {
            case "OrderedDict":
                return BuildDict(args, cursor);
            case "_rebuild_tensor" when args.Length == 4:
            case "_rebuild_tensor_v2" when args.Length is 6 or 7:
                return new TensorRef(
                    As<StorageRef>(args[0], "a tensor's storage", cursor),
                    AsLong(args[1], cursor),
                    Longs(args[2], cursor),
                    Longs(args[3], cursor));
            case "_rebuild_parameter" when args.Length == 3:
            case "_rebuild_parameter_with_state" when args.Length == 4:
                return As<TensorRef>(args[0], "a parameter's data", cursor);
            default:
                throw cursor.Fail($"cannot call '{callee.Module}.{callee.Name}' with {args.Length} arguments");
        }
    }

    /// <summary>The element type a storage-class global (torch.FloatStorage…) names.</summary>
    public static ElementType StorageType(object? value, ByteCursor cursor) =>
        value is PyGlobal { Module: "torch" } g && ElementTypes.FromTorchStorage(g.Name) is { } type
            ? type
            : throw cursor.Fail($"expected a storage type, got {Describe(value)}");

    private static OrderedDictionary<object, object?> BuildDict(object?[] args, ByteCursor cursor)
    {
        var dict = new OrderedDictionary<object, object?>();
        if (args.Length == 0) return dict;
        if (args.Length != 1 || args[0] is not List<object?> pairs) throw cursor.Fail("OrderedDict takes one list of pairs");
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
        return dict;
    }

    public static object DictKey(object? key, ByteCursor cursor) =>
        key is string or long or BigInteger or bool or double ? key : throw cursor.Fail($"unsupported dict key {Describe(key)}");

    public static T As<T>(object? value, string what, ByteCursor cursor) where T : class =>
        value as T ?? throw cursor.Fail($"expected {what}, got {Describe(value)}");

    public static long AsLong(object? value, ByteCursor cursor) =>
        value is long v ? v : throw cursor.Fail($"expected an integer, got {Describe(value)}");

    private static long[] Longs(object? value, ByteCursor cursor) =>
        value is PyTuple t ? Array.ConvertAll(t.Items, v => AsLong(v, cursor)) : throw cursor.Fail($"expected a tuple of integers, got {Describe(value)}");

    public static string Describe(object? value) => value switch
    {
        null => "None",
        PyGlobal g => $"global {g.Module}.{g.Name}",
        PyTuple t => $"a {t.Items.Length}-tuple",
        string s => $"string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        _ => value.GetType().Name,
    };
}
