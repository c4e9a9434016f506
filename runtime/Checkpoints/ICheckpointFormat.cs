namespace DenseNetGen.Checkpoints;

/// <summary>
/// One container format a checkpoint can come in: how its first bytes look and how it is read. Every format is
/// listed once, in <see cref="CheckpointFormats.All"/>; the reader, the fuzz targets and the "unknown format"
/// message all come from that list, so adding a format is one class and one line there.
/// </summary>
/// <remarks>
/// Invariant: no two formats recognise the same header, so the list's order does not matter
/// (CheckpointFormatListTests checks it on every reference file).
/// </remarks>
internal interface ICheckpointFormat
{
    /// <summary>
    /// The format's name in <see cref="CheckpointContents.Format"/>, <see cref="BoundCheckpoint.Format"/> and the fuzz
    /// targets (tools/fuzz.sh), e.g. "torch-zip".
    /// </summary>
    string Name { get; }

    /// <summary>What a user knows the format as, for the message naming every format, e.g. "PyTorch .pth (zip, torch.save since 1.6)".</summary>
    string Description { get; }

    /// <summary>
    /// Whether <paramref name="file"/> (the whole file, or as much of its start as there is) is in this format,
    /// judged from its first bytes only: cheap, and never throws.
    /// </summary>
    bool Recognises(ReadOnlySpan<byte> file);

    /// <summary>Every tensor of <paramref name="file"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="CheckpointException">The file is malformed or hostile.</exception>
    CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options);
}
