namespace DenseNetGen.Backends.Simd;

/// <summary>A step's packed weights in native memory: <see cref="Bytes"/> bytes from <see cref="Start"/>, 64-byte aligned.</summary>
internal readonly record struct WeightRange(nint Start, long Bytes);

/// <summary>
/// Hands out a list of <see cref="WeightRange"/>s in order, at most <see cref="ChunkBytes"/> at a time, so that a thread
/// prefetching them can check between chunks whether it should stop (<see cref="WorkerPool"/>).
/// </summary>
internal struct PrefetchCursor(WeightRange[]? ranges)
{
    /// <summary>64 cache lines: a check of the wait's condition every few hundred nanoseconds of prefetching.</summary>
    public const int ChunkBytes = 4096;

    private int _range;
    private long _offset;

    /// <summary>The next chunk: within one range, never empty, each byte of every range handed out once. False once all are.</summary>
    public bool Next(out nint start, out long bytes)
    {
        while (ranges is not null && _range < ranges.Length)
        {
            var range = ranges[_range];
            if (_offset < range.Bytes)
            {
                start = range.Start + (nint)_offset;
                bytes = Math.Min(ChunkBytes, range.Bytes - _offset);
                _offset += bytes;
                return true;
            }
            _range++;
            _offset = 0;
        }
        start = 0;
        bytes = 0;
        return false;
    }
}
