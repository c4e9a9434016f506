namespace DenseNetGen.Execution;

/// <summary>
/// A value made on first use and kept for the life of the process, made once even when threads race for it, like
/// <see cref="Lazy{T}"/> in its thread-safe mode, but a failure is not kept: the next use tries again. Lazy caches
/// the exception, so one bad DENSENET_THREADS would break <see cref="ComputeDevice.Default"/> for the rest of the
/// process even after the variable is fixed.
/// </summary>
/// <param name="create">Makes the value; runs under a lock, so never twice at once, and never again once it succeeded.</param>
internal sealed class RetryingLazy<T>(Func<T> create) where T : class
{
    private readonly Lock _gate = new();
    private T? _value;

    /// <summary>The value, made now when no earlier call succeeded.</summary>
    /// <exception cref="Exception">Whatever making it throws; nothing is kept, so the next call tries again.</exception>
    public T Value
    {
        get
        {
            if (Volatile.Read(ref _value) is { } made) return made;
            lock (_gate)
            {
                // Another thread may have made it while this one waited for the gate.
                if (_value is { } raced) return raced;
                var value = create();
                Volatile.Write(ref _value, value);
                return value;
            }
        }
    }
}
