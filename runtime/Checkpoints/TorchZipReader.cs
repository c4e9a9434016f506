namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads torch.save files of PyTorch ≥ 1.6: a stored zip whose records share one prefix folder
/// (named after the file, not always "archive/"), holding data.pkl and one data/&lt;key&gt; entry per storage.
/// </summary>
internal static class TorchZipReader
{
    public const string Format = "torch-zip";

    public static CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options = null)
    {
        var zip = new ZipArchiveReader(file, source);
        var pickles = zip.Names.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - 9).ToList();
        if (pickles.Count != 1) throw new CheckpointException(source, $"zip is not a torch.save file: expected one <prefix>/data.pkl, found {pickles.Count}");
        var prefix = pickles[0][..^"data.pkl".Length];
        if (zip.Contains(prefix + "byteorder") && zip.Open(prefix + "byteorder").Span is var order && !order.SequenceEqual("little"u8))
            throw new CheckpointException(source, "big-endian checkpoints are not supported", prefix + "byteorder");

        var cursor = new ByteCursor(zip.Open(pickles[0]), source, pickles[0]);
        var context = new PickleContext(file.Length);
        var root = PickleReader.Load(cursor, id => TorchStateDict.ParseStorageId(id, cursor), context);
        return TorchStateDict.Contents(source, Format, file.Length, root, options ?? CheckpointOptions.Default, context, cursor,
            storage => TorchStateDict.CheckedRecord(zip.Open(prefix + "data/" + storage.Key), storage, source));
    }
}
