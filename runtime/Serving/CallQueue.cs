namespace DenseNetGen.Serving;

/// <summary>
/// The bounded queue in front of a pool's replicas. Each replica's worker takes a batch: the oldest call, then
/// calls of the same image size that arrive within the batching delay, up to the batch size. Once closed it
/// refuses new calls and hands out what is left, so closing drains it.
/// </summary>
/// <remarks>
/// One lock guards the list; waits are <see cref="Monitor.Wait(object, TimeSpan)"/> on it, pulsed by every
/// enqueue and by closing. The list stays short (at most the capacity), so taking scans it.
/// </remarks>
internal sealed class CallQueue(string model, BatchingOptions options)
{
    private readonly LinkedList<PendingCall> _calls = [];
    private bool _closed;

    /// <summary>Calls waiting for a replica.</summary>
    public int Count
    {
        get
        {
            lock (_calls) return _calls.Count;
        }
    }

    /// <exception cref="QueueFullException">The queue holds its capacity.</exception>
    /// <exception cref="ObjectDisposedException">The queue is closed (the pool is shutting down).</exception>
    public void Add(PendingCall call, CancellationToken cancellationToken)
    {
        lock (_calls)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_calls.Count >= options.QueueCapacity) throw new QueueFullException(model, options.QueueCapacity);
            var node = _calls.AddLast(call);
            Monitor.PulseAll(_calls);
            // A call cancelled while waiting leaves the queue; one already taken finishes its pass, but its
            // caller is released at once (the slice of the batch is then dropped).
            call.Cancellation = cancellationToken.Register(() =>
            {
                lock (_calls)
                    if (node.List is not null) _calls.Remove(node);
                call.TrySetCanceled(cancellationToken);
            });
        }
    }

    /// <summary>
    /// Blocks for the next batch; null once the queue is closed and empty (the worker then ends).
    /// </summary>
    public List<PendingCall>? TakeBatch()
    {
        lock (_calls)
        {
            while (_calls.Count == 0)
            {
                if (_closed) return null;
                Monitor.Wait(_calls);
            }
            var first = _calls.First!.Value;
            _calls.RemoveFirst();
            var batch = new List<PendingCall> { first };
            int images = first.Images;
            var deadline = DateTime.UtcNow + options.MaxDelay;
            while (true)
            {
                for (var node = _calls.First; node is not null && images < options.MaxBatchSize;)
                {
                    var next = node.Next;
                    if (node.Value.FitsWith(first) && images + node.Value.Images <= options.MaxBatchSize)
                    {
                        batch.Add(node.Value);
                        images += node.Value.Images;
                        _calls.Remove(node);
                    }
                    node = next;
                }
                var left = deadline - DateTime.UtcNow;
                if (images >= options.MaxBatchSize || _closed || left <= TimeSpan.Zero) break;
                Monitor.Wait(_calls, left);
            }
            return batch;
        }
    }

    /// <summary>Refuses further calls; the workers take what is queued and then end.</summary>
    public void Close()
    {
        lock (_calls)
        {
            _closed = true;
            Monitor.PulseAll(_calls);
        }
    }
}
