namespace DenseNetGen.Checkpoints;

/// <summary>Turns the weights of an unpickled torch.save object into lazily materialised tensors.</summary>
internal static class TorchStateDict
{
    /// <summary>Parses a torch persistent id ('storage', storage_type, key, location, numel[, view_metadata]).</summary>
    public static StorageRef ParseStorageId(PyTuple id, ByteCursor cursor)
    {
        var items = id.Items;
        if (items.Length is < 5 or > 6 || items[0] is not "storage" || items[2] is not string key)
            throw cursor.Fail($"unsupported persistent id {TorchGlobals.Describe(id)}");
        var type = TorchGlobals.StorageType(items[1], cursor);
        var count = TorchGlobals.AsLong(items[4], cursor);
        if (count < 0) throw cursor.Fail($"storage '{key}' declares {count} elements");
        if (items.Length == 6 && items[5] is PyTuple { Items: [string, var offset, var size] })
            return new StorageRef(key, type, TorchGlobals.AsLong(offset, cursor), TorchGlobals.AsLong(size, cursor), count);
        if (items.Length == 6 && items[5] is not null) throw cursor.Fail("unsupported storage view metadata");
        return new StorageRef(key, type, 0, null, count);
    }

    /// <summary>
    /// The checkpoint's tensors as views of their storages' bytes (validated now, converted to float32 only when
    /// asked for) and the keys whose value a placeholder global would have built.
    /// </summary>
    /// <param name="source">The file's path, for messages.</param>
    /// <param name="format">The container's name in messages, e.g. "zip .pth".</param>
    /// <param name="fileLength">The file's size in bytes, the bound no declared length may pass.</param>
    /// <param name="root">The unpickled top-level object.</param>
    /// <param name="options">EMA choice and finiteness check.</param>
    /// <param name="context">The pickle context of the file, with the placeholder globals met.</param>
    /// <param name="cursor">The pickle's cursor, for error messages with its position.</param>
    /// <param name="storageBytes">A storage's record; the reader checks its length against the element count the pickle declares.</param>
    public static CheckpointContents Contents(
        string source, string format, long fileLength, object? root, CheckpointOptions options, PickleContext context,
        ByteCursor cursor, Func<StorageRef, ReadOnlyMemory<byte>> storageBytes)
    {
        var (weights, entry, others) = WeightsEntry.Find(root, options, cursor);
        var tensors = new List<(string, StoredTensor)>();
        var unbuildable = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in weights)
        {
            if (key is not string name) continue;
            if (value is TensorRef tensor)
            {
                var storage = tensor.Storage;
                var bytes = StorageView(storageBytes(storage), storage, source, name);
                tensors.Add((name, new StoredTensor(storage.Type, bytes, tensor.Offset, tensor.Size, tensor.Stride).Validated(name, source)));
            }
            else if (value is PyObject placeholder)
            {
                unbuildable[name] = placeholder.Global.FullName;
            }
        }
        return new CheckpointContents(source, format, fileLength, tensors, unbuildable)
        {
            Entry = entry,
            OtherEntries = others,
            Placeholders = context.Placeholders,
        };
    }

    /// <summary>Checks a storage record's length against the element count the pickle declares for it.</summary>
    public static ReadOnlyMemory<byte> CheckedRecord(ReadOnlyMemory<byte> record, StorageRef storage, string source)
    {
        var size = storage.Type.Size();
        if (storage.DeclaredCount > record.Length / size || storage.DeclaredCount * size != record.Length)
            throw new CheckpointException(source, $"declares {storage.DeclaredCount:N0} {storage.Type.TorchName()} elements but its record holds {record.Length:N0} bytes", $"storage {storage.Key}");
        return record;
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
