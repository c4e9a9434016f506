namespace DenseNetGen.Preprocessing;

/// <summary>An image file or stream that is missing, unreadable or not a supported image.</summary>
public sealed class ImageDecodeException(string source, string message, Exception? inner = null)
    : DenseNetException($"Cannot decode image '{source}': {message}", inner)
{
    /// <summary>The file path, or the name given for a stream or buffer.</summary>
    public string ImageSource { get; } = source;
}
