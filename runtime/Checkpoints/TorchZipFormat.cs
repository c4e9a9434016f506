namespace DenseNetGen.Checkpoints;

/// <summary>torch.save's zip container (PyTorch 1.6 and later): a zip whose first entry is a local file header.</summary>
internal sealed class TorchZipFormat : ICheckpointFormat
{
    private static ReadOnlySpan<byte> LocalFileHeader => "PK\x03\x04"u8;

    public string Name => TorchZipReader.Format;

    public string Description => "a PyTorch .pth zip (torch.save, PyTorch >= 1.6)";

    public bool Recognises(ReadOnlySpan<byte> file) => file.StartsWith(LocalFileHeader);

    public CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options) =>
        TorchZipReader.Read(file, source, options);
}
