namespace DenseNetGen.Preprocessing;

/// <summary>An image file or stream that is missing, unreadable or not a supported image.</summary>
public sealed class ImageDecodeException : IOException
{
    public ImageDecodeException(string source, string message, Exception? inner = null)
        : base($"Cannot decode image '{source}': {message}", inner)
    {
        ImageSource = source;
    }

    /// <summary>The file path, or the name given for a stream or buffer.</summary>
    public string ImageSource { get; }
}
