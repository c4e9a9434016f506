namespace DenseNetGen.Checkpoints;

/// <summary>Finds the tensors of a torch.save'd object and turns them into float32 tensors.</summary>
internal static class TorchStateDict
{
    /// <summary>
    /// The state dict of an unpickled checkpoint: its "state_dict" entry when it has one (mmengine/mmpretrain,
    /// Lightning), else the object itself. Entries that are not tensors (metadata) are skipped.
    /// </summary>
    public static List<(string Key, TensorRef Tensor)> Find(object? root, ByteCursor cursor)
    {
        var dict = TorchGlobals.As<OrderedDictionary<object, object?>>(root, "a dict of tensors at the top of the checkpoint", cursor);
        if (dict.TryGetValue("state_dict", out var inner) && inner is OrderedDictionary<object, object?> stateDict) dict = stateDict;
        var tensors = new List<(string, TensorRef)>();
        foreach (var (key, value) in dict)
        {
            if (key is string name && value is TensorRef tensor) tensors.Add((name, tensor));
        }
        return tensors;
    }

    /// <summary>Parses a torch persistent id ('storage', storage_type, key, location, numel[, view_metadata]).</summary>
    public static StorageRef ParseStorageId(PyTuple id, ByteCursor cursor)
    {
        var items = id.Items;
        if (items.Length is < 5 or > 6 || items[0] is not "storage" || items[2] is not string key)
            throw cursor.Fail($"unsupported persistent id {TorchGlobals.Describe(id)}");
        var type = TorchGlobals.StorageType(items[1], cursor);
        if (items.Length == 6 && items[5] is PyTuple { Items: [string, var offset, var size] })
            return new StorageRef(key, type, TorchGlobals.AsLong(offset, cursor), TorchGlobals.AsLong(size, cursor));
        if (items.Length == 6 && items[5] is not null) throw cursor.Fail("unsupported storage view metadata");
        return new StorageRef(key, type, 0, null);
    }

    /// <summary>Materialises every tensor, resolving its storage key to bytes.</summary>
    public static CheckpointContents Materialise(
        string source, string format, List<(string Key, TensorRef Tensor)> refs, Func<string, ReadOnlyMemory<byte>> storageBytes)
    {
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in refs)
        {
            var storage = tensor.Storage;
            var bytes = StorageView(storageBytes(storage.Key), storage, source, key);
            tensors[key] = new StoredTensor(storage.Type, bytes, tensor.Offset, tensor.Size, tensor.Stride).ToTensor(key, source);
            types[key] = storage.Type.TorchName();
        }
        return new CheckpointContents(source, format, tensors, types);
    }

    private static ReadOnlyMemory<byte> StorageView(ReadOnlyMemory<byte> root, StorageRef storage, string source, string key)
    {
        var size = storage.Type.Size();
        var start = storage.ViewOffset;
        var count = storage.ViewSize ?? root.Length / size - start;
        if (start < 0 || count < 0 || start > root.Length / size || count > root.Length / size - start)
            throw new CheckpointException(source, $"storage view {start}+{count} lies outside storage '{storage.Key}'", key);
        return root.Slice((int)(start * size), (int)(count * size));
    }
}
