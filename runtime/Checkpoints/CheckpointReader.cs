namespace DenseNetGen.Checkpoints;

/// <summary>
/// Reads every tensor of a checkpoint without a model: PyTorch zip (≥ 1.6), legacy PyTorch (&lt; 1.6)
/// or safetensors, chosen by the file's content, never its extension.
/// Nothing in a file is executed.
/// </summary>
public static class CheckpointReader
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file cannot be read, is not a checkpoint, or is malformed or hostile.</exception>
    public static CheckpointContents ReadAll(string path, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            // Only a regular file: opening a FIFO blocks until something writes to it, and a device has no end.
            using var file = IO.InputFile.OpenRegular(path, Array.MaxLength, reason => new CheckpointException(name, reason));
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (IOException e)
        {
            throw new CheckpointException(name, $"cannot read: {e.Message}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CheckpointException(name, $"cannot read: {e.Message}", inner: e);
        }
        return Read(bytes, name, options);
    }

    /// <summary>Reads a checkpoint from <paramref name="stream"/> (read to its end; the caller keeps owning it).</summary>
    /// <exception cref="CheckpointException">The bytes are not a checkpoint, or are malformed or hostile.</exception>
    public static CheckpointContents ReadAll(Stream stream, string displayName, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(copy.GetBuffer().AsMemory(0, (int)copy.Length), displayName, options);
    }

    // Only malformed input becomes a CheckpointException, raised where the reader finds it; any other exception
    // is a bug in a reader and is left to surface as one (in tests and fuzzing too).
    internal static CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options = null) =>
        (CheckpointFormats.Recognise(file.Span) ?? throw CheckpointFormats.Unknown(source)).Read(file, source, options);
}
