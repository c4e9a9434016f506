namespace DenseNetGen.Checkpoints;

// The Python values a restricted unpickle can produce. Besides these it yields null (None), bool, long,
// System.Numerics.BigInteger, double, string, byte[], List<object?> (list) and
// OrderedDictionary<object, object?> (dict and OrderedDict).

/// <summary>A Python tuple.</summary>
internal sealed record PyTuple(object?[] Items);

/// <summary>An allow-listed global (a name, never code): calling it builds one of the values below.</summary>
internal sealed record PyGlobal(string Module, string Name);

/// <summary>A reference to a checkpoint storage (a view of <see cref="Key"/>'s bytes from element <see cref="ViewOffset"/>).</summary>
internal sealed record StorageRef(string Key, ElementType Type, long ViewOffset, long? ViewSize);

/// <summary>A tensor in a pickle: a view into a storage whose bytes the container supplies later.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);
