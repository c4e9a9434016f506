namespace DenseNetGen.Checkpoints;

/// <summary>
/// torch.save's format before PyTorch 1.6 (and with _use_new_zipfile_serialization=False): a pickle stream that
/// starts with torch's magic number.
/// </summary>
internal sealed class LegacyTorchFormat : ICheckpointFormat
{
    private const byte Proto = 0x80, Frame = 0x95;

    /// <summary>
    /// The first pickle's magic number 0x1950a86a20f9469cfc6c as pickle writes it (LONG1, 10 bytes, little-endian):
    /// the check LegacyTorchReader makes, done on bytes. Without it a safetensors file whose header length is
    /// 0x180..0x5ff bytes (its first bytes 80 01..05) would pass for a pickle's PROTO opcode.
    /// </summary>
    private static ReadOnlySpan<byte> Magic => [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    public string Name => LegacyTorchReader.Format;

    public string Description => "a legacy PyTorch .pth (torch.save before PyTorch 1.6)";

    /// <summary>PROTO 2..5 (torch.save's pickle_protocol), a FRAME from protocol 4 on, then the magic number.</summary>
    public bool Recognises(ReadOnlySpan<byte> file)
    {
        if (file.Length < 2 || file[0] != Proto || file[1] is < 2 or > 5) return false;
        var rest = file[2..];
        if (rest.Length > 0 && rest[0] == Frame) rest = rest.Length >= 9 ? rest[9..] : [];
        return rest.StartsWith(Magic);
    }

    public CheckpointContents Read(ReadOnlyMemory<byte> file, string source, CheckpointOptions? options) =>
        LegacyTorchReader.Read(file, source, options);
}
