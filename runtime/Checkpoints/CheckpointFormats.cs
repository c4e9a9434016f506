namespace DenseNetGen.Checkpoints;

/// <summary>The checkpoint formats DenseNetGen reads, listed once.</summary>
internal static class CheckpointFormats
{
    /// <summary>Every format; no two recognise the same header (see <see cref="ICheckpointFormat"/>).</summary>
    public static IReadOnlyList<ICheckpointFormat> All { get; } =
        [new TorchZipFormat(), new LegacyTorchFormat(), new SafetensorsFormat()];

    /// <summary>The format that recognises <paramref name="file"/>'s first bytes, or null when none does.</summary>
    public static ICheckpointFormat? Recognise(ReadOnlySpan<byte> file)
    {
        foreach (var format in All)
            if (format.Recognises(file))
                return format;
        return null;
    }

    /// <summary>
    /// The refusal of a file no format recognises, naming every format of <see cref="All"/>: "unknown checkpoint
    /// format: expected a PyTorch .pth zip (...), a legacy PyTorch .pth (...) or a .safetensors file".
    /// </summary>
    public static CheckpointException Unknown(string source)
    {
        var names = All.Select(f => f.Description).ToArray();
        var expected = names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
        return new CheckpointException(source, $"unknown checkpoint format: expected {expected}");
    }
}
