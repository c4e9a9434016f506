namespace DenseNetGen.Checkpoints;

/// <summary>
/// safetensors: a little-endian uint64 header length, then the JSON header, which the format's specification says
/// begins with '{'.
/// </summary>
internal sealed class SafetensorsFormat : ICheckpointFormat
{
    public string Name => SafetensorsReader.Format;

    public string Description => "a .safetensors file";

    /// <summary>
    /// Any header length: one past the end of the file is the reader's to refuse, naming the length claimed
    /// (a truncated file is still a safetensors file, and "unknown format" would hide what is wrong with it).
    /// </summary>
    public bool Recognises(ReadOnlySpan<byte> file) => file.Length >= 9 && file[8] == (byte)'{';

    public CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options) =>
        SafetensorsReader.Read(file, source, options);
}
