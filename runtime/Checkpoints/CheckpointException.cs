namespace DenseNetGen.Checkpoints;

/// <summary>A checkpoint that cannot be read or does not fit the model. The message names the file and the keys.</summary>
public sealed class CheckpointException(string source, string message, string? key = null, Exception? inner = null)
    : Exception(key is null ? $"{source}: {message}" : $"{source}: {key}: {message}", inner)
{
    /// <summary>The file (or stream name) that failed.</summary>
    public string FileName { get; } = source;

    /// <summary>The entry or tensor key that failed, when one did.</summary>
    public string? Key { get; } = key;
}
