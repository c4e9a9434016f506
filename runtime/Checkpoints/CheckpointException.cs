namespace DenseNetGen.Checkpoints;

/// <summary>A checkpoint that cannot be read or does not fit the model. The message names the file and the keys.</summary>
public sealed class CheckpointException(string source, string message, string? key = null, Exception? inner = null)
    : DenseNetException(key is null ? $"{source}: {message}" : $"{source}: {key}: {message}", inner)
{
    /// <summary>The file (or stream name) that failed.</summary>
    public string FileName { get; } = source;

    /// <summary>The entry or tensor key that failed, when one did.</summary>
    public string? Key { get; } = key;

    /// <summary>When the checkpoint does not fit: the model's parameters it lacks, as "name [shape]".</summary>
    public IReadOnlyList<string> MissingKeys { get; init; } = [];

    /// <summary>When the checkpoint does not fit: its keys the model has no place for (or that repeat another).</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; init; } = [];

    /// <summary>When the checkpoint does not fit: its keys whose shape differs from the model's, with both shapes.</summary>
    public IReadOnlyList<string> MismatchedKeys { get; init; } = [];
}
