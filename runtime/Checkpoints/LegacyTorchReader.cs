using System.Numerics;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads torch.save files from before PyTorch 1.6 (and _use_new_zipfile_serialization=False): a stream of
/// pickles (magic number, protocol version, sys_info, the object, the sorted storage keys) followed by
/// each storage as a little-endian int64 element count and its raw bytes.
/// </summary>
internal static class LegacyTorchReader
{
    public const string Format = "torch-legacy";
    private static readonly BigInteger Magic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long ProtocolVersion = 1001;

    public static CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options = null)
    {
        var cursor = new ByteCursor(file, source, "legacy header");
        var context = new PickleContext(file.Length);
        if (PickleReader.Load(cursor, context: context) is not BigInteger magic || magic != Magic) throw cursor.Fail("not a torch.save file (bad magic number)");
        if (PickleReader.Load(cursor, context: context) is not ProtocolVersion) throw cursor.Fail($"unsupported legacy protocol (expected {ProtocolVersion})");
        if (PickleReader.Load(cursor, context: context) is OrderedDictionary<object, object?> sysInfo && sysInfo.TryGetValue("little_endian", out var little) && little is false)
            throw cursor.Fail("big-endian checkpoints are not supported");

        var main = new ByteCursor(file, source, "main pickle") { Position = cursor.Position };
        var types = new Dictionary<string, ElementType>(StringComparer.Ordinal);
        var root = PickleReader.Load(main, id =>
        {
            var storage = TorchStateDict.ParseStorageId(id, main);
            types[storage.Key] = storage.Type;
            return storage;
        }, context);

        var tail = new ByteCursor(file, source, "storage list") { Position = main.Position };
        var keys = TorchGlobals.As<List<object?>>(PickleReader.Load(tail, context: context), "the list of storage keys", tail);
        var storages = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var item in keys)
        {
            var key = TorchGlobals.As<string>(item, "a storage key", tail);
            var data = new ByteCursor(file, source, $"storage {key}") { Position = tail.Position };
            if (!types.TryGetValue(key, out var type)) throw data.Fail("storage is not used by any tensor");
            var count = data.ReadInt64();
            if (count < 0 || count > data.Remaining / type.Size())
                throw data.Fail($"claims {count} elements but only {data.Remaining} bytes remain (truncated or corrupt)");
            storages[key] = data.TakeMemory(count * type.Size());
            tail.Position = data.Position;
        }
        return TorchStateDict.Contents(source, Format, file.Length, root, options ?? CheckpointOptions.Default, context, main, storage =>
            storages.TryGetValue(storage.Key, out var bytes)
                ? TorchStateDict.CheckedRecord(bytes, storage, source)
                : throw new CheckpointException(source, "storage data is missing", $"storage {storage.Key}"));
    }
}
