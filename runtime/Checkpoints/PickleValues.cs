namespace DenseNetGen.Checkpoints;

// The Python values a restricted unpickle can produce. Besides these it yields null (None), bool, long,
// System.Numerics.BigInteger, double, string, byte[] (bytes and bytearray), List<object?> (list) and
// OrderedDictionary<object, object?> (dict and OrderedDict).

/// <summary>A Python tuple.</summary>
internal sealed record PyTuple(object?[] Items);

/// <summary>A Python set or frozenset, in the order the pickle lists its items.</summary>
internal sealed record PySet(List<object?> Items, bool Frozen);

/// <summary>A global named by the pickle: a name, never code. <see cref="TorchGlobals"/> says which ones build data.</summary>
internal sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>
/// An inert placeholder for what calling or instantiating a global that builds no data would have made
/// (numpy arrays, argparse.Namespace, mmengine's HistoryBuffer…). It keeps the call's arguments, its BUILD state
/// and any items appended or set on it as plain values; nothing is imported, instantiated or called.
/// </summary>
internal sealed class PyObject(PyGlobal global, object?[] args, OrderedDictionary<object, object?>? kwargs)
{
    public PyGlobal Global { get; } = global;
    public object?[] Args { get; } = args;
    public OrderedDictionary<object, object?>? Kwargs { get; } = kwargs;

    /// <summary>The BUILD state (the object's __dict__ or __setstate__ argument), null when it had none.</summary>
    public object? State { get; set; }

    /// <summary>Items APPEND/APPENDS added (list subclasses).</summary>
    public List<object?> Items { get; } = [];

    /// <summary>Entries SETITEM/SETITEMS set (dict subclasses such as defaultdict).</summary>
    public OrderedDictionary<object, object?> Entries { get; } = [];
}

/// <summary>A reference to a checkpoint storage (a view of <see cref="Key"/>'s bytes from element <see cref="ViewOffset"/>).</summary>
/// <param name="Key">The storage's record name in the archive (zip) or its key (legacy format).</param>
/// <param name="Type">The storage's element type.</param>
/// <param name="ViewOffset">First element of the view, in elements.</param>
/// <param name="ViewSize">Elements in the view, or null for the whole storage.</param>
/// <param name="DeclaredCount">The element count the pickle declares for the whole storage; its record must hold exactly that many.</param>
internal sealed record StorageRef(string Key, ElementType Type, long ViewOffset, long? ViewSize, long DeclaredCount);

/// <summary>A tensor in a pickle: a view into a storage whose bytes the container supplies later.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);
