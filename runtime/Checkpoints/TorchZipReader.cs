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
        if (zip.Contains(prefix + "byteorder")) CheckByteOrder(zip.Open(prefix + "byteorder").Span, source, prefix + "byteorder");

        var cursor = new ByteCursor(zip.Open(pickles[0]), source, pickles[0]);
        var context = new PickleContext(file.Length);
        var root = PickleReader.Load(cursor, id => TorchStateDict.ParseStorageId(id, cursor), context);
        return TorchStateDict.Contents(source, Format, file.Length, root, options ?? CheckpointOptions.Default, context, cursor,
            storage => TorchStateDict.CheckedRecord(zip.Open(prefix + "data/" + storage.Key), storage, source));
    }

    // torch.load accepts exactly "little" or "big" and raises "Unknown endianness type" for anything else.
    private static void CheckByteOrder(ReadOnlySpan<byte> order, string source, string record)
    {
        if (order.SequenceEqual("little"u8)) return;
        throw new CheckpointException(source, order.SequenceEqual("big"u8)
            ? "big-endian checkpoints are not supported"
            : $"unknown byte order '{Printable(order[..Math.Min(order.Length, 16)])}' (torch writes 'little' or 'big')", record);
    }

    // The record's bytes as text that stays on one line: anything but printable ASCII as \xNN.
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        return text.ToString();
    }
}
