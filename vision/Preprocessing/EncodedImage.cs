using System.Buffers;

namespace DenseNetGen.Preprocessing;

/// <summary>
/// An encoded image read from a stream into a buffer rented from <see cref="ArrayPool{T}.Shared"/>; disposing
/// returns the buffer, so a server reading one upload per request does not allocate one per request.
/// </summary>
public sealed class EncodedImage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    private EncodedImage(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>The encoded bytes; valid until disposed.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer is null ? throw new ObjectDisposedException(nameof(EncodedImage)) : _buffer.AsMemory(0, _length);

    /// <summary>Reads <paramref name="stream"/> to its end asynchronously.</summary>
    /// <param name="stream">The encoded image, e.g. an ASP.NET Core request body.</param>
    /// <param name="sourceName">Names the image in error messages.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ImageDecodeException">The stream fails, or holds more than one buffer can.</exception>
    public static async Task<EncodedImage> ReadAsync(Stream stream, string sourceName = "stream", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= Array.MaxLength / 2)
                        throw new ImageDecodeException(sourceName, "it is larger than one buffer can hold.");
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) return new EncodedImage(buffer, length);
                length += read;
            }
        }
        catch (IOException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new ImageDecodeException(sourceName, e.Message, e);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Returns the buffer to the pool; <see cref="Bytes"/> is invalid after.</summary>
    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
