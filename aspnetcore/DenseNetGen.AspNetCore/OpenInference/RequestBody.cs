using System.Buffers;
using System.Globalization;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// An infer request's body in a pooled buffer, split as the binary tensor data extension lays it out: the JSON
/// object first (Inference-Header-Content-Length bytes, or the whole body without that header), then the inputs'
/// binary data in the order the JSON names them.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    /// <summary>The header that gives the JSON object's length when binary data follows it.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    private byte[]? _buffer;
    private readonly int _length;
    private readonly int _jsonLength;
    private int _binaryRead;

    private RequestBody(byte[] buffer, int length, int jsonLength)
    {
        _buffer = buffer;
        _length = length;
        _jsonLength = jsonLength;
    }

    /// <summary>The JSON inference request object.</summary>
    public ReadOnlyMemory<byte> Json => _buffer.AsMemory(0, _jsonLength);

    /// <summary>Bytes of binary data after the JSON.</summary>
    public int BinaryLength => _length - _jsonLength;

    /// <summary>Reads the body; Kestrel's body size limit answers 413 (a BadHttpRequestException) past it.</summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 0, 4096, 1 << 24) + 1);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
            return new RequestBody(buffer, length, JsonLength(request, length));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static int JsonLength(HttpRequest request, int bodyLength)
    {
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var values)) return bodyLength;
        if (!int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int jsonLength) || jsonLength > bodyLength)
            throw new InferenceError($"{HeaderLengthHeader} must be the JSON object's length in bytes, at most the body's {bodyLength}; got '{values}'.");
        return jsonLength;
    }

    /// <summary>The next <paramref name="count"/> bytes of binary data, for the next input that declares binary_data_size.</summary>
    public ReadOnlyMemory<byte> TakeBinary(long count, string input)
    {
        if (count < 0 || count > BinaryLength - _binaryRead)
            throw new InferenceError(
                $"input '{input}' declares binary_data_size {count}, but only {BinaryLength - _binaryRead} bytes of binary data follow the JSON.");
        var data = _buffer.AsMemory(_jsonLength + _binaryRead, (int)count);
        _binaryRead += (int)count;
        return data;
    }

    /// <summary>Binary data the inputs did not claim (a malformed request).</summary>
    public int UnclaimedBinary => BinaryLength - _binaryRead;

    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
