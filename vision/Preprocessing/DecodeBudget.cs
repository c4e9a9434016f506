namespace DenseNetGen.Preprocessing;

/// <summary>
/// A byte budget shared by the images a batch decodes in parallel (<see cref="ImagePreprocessor.ProcessAll"/>, and so
/// `densenet test` and every data-set batch): each image is charged, before each buffer exists, for its file's bytes,
/// then, from its header, for the buffers decoding and resizing make; an image whose charge does not fit waits until
/// others finish. A count of threads alone does not bound memory: each image under the pixel cap may take a gigabyte
/// while it decodes, and the thread pool adds threads while decodes are slow.
/// </summary>
/// <remarks>
/// The oldest image in flight never waits, so one image larger than the whole budget still decodes (alone, once the
/// others are done) and the batch cannot deadlock. The bytes charged at once are therefore at most
/// <see cref="Bytes"/> plus one image's charge. Charges are released when the image's preprocessing ends, not as
/// its buffers die, so a garbage collector running late is counted as if it ran at once; and each time images
/// holding a whole budget's worth have been released, a full collection is run, because the released buffers are
/// large-object-heap garbage that the collector otherwise lets pile up to several budgets (measured: 9-megapixel
/// images decoded one at a time peaked at 434 MB without it, 153 MB with it).
/// </remarks>
public sealed class DecodeBudget
{
    /// <summary>
    /// The budget when DENSENET_DECODE_MEMORY sets none: 256 MiB (about 170 ImageNet photos at once, or two 12-megapixel
    /// ones). Peak RSS from decoding is at most about twice the budget plus one image (garbage waits for the next
    /// collection), measured by ParallelDecodeProcessTests.
    /// </summary>
    public const long DefaultBytes = 256L << 20;

    /// <summary>The environment variable that sets the shared budget in bytes (a positive integer; '_' and ',' allowed).</summary>
    public const string BytesVariable = "DENSENET_DECODE_MEMORY";

    private static readonly Lazy<DecodeBudget> s_shared = new(() => new DecodeBudget(
        Backends.SettingParser.Read(BytesVariable) is { } text ? Parse(text) : DefaultBytes));

    // The lease whose image this thread is preparing: the decoder and the resizer charge it without every data set's
    // LoadImage having to pass it along.
    [ThreadStatic]
    private static Lease? t_current;

    private readonly object _gate = new();
    private readonly SortedSet<long> _open = [];
    private long _nextTicket;
    private long _inFlight;
    private long _peak;
    private long _releasedSinceCollection;

    /// <summary>A budget of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not positive.</exception>
    public DecodeBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        Bytes = bytes;
    }

    /// <summary>The process-wide budget every batch shares: DENSENET_DECODE_MEMORY bytes, else (unset or blank) <see cref="DefaultBytes"/>.</summary>
    /// <exception cref="Backends.InvalidSettingException">DENSENET_DECODE_MEMORY is set but is not a positive integer.</exception>
    public static DecodeBudget Shared => s_shared.Value;

    /// <summary>The bytes that may be charged at once (one image in flight may exceed it alone).</summary>
    public long Bytes { get; }

    /// <summary>The most bytes charged at once so far.</summary>
    public long PeakBytes
    {
        get
        {
            lock (_gate) return _peak;
        }
    }

    /// <summary>Charges <paramref name="bytes"/> to the image this thread is preparing, if any, waiting until they fit.</summary>
    internal static void Charge(long bytes) => t_current?.Charge(bytes);

    /// <summary>
    /// Opens a lease for one image and makes it this thread's until disposed: what the image's decoding and resizing
    /// charge is released at once when it is disposed.
    /// </summary>
    internal Lease Open()
    {
        // An image prepared inside another's lease (a load that itself batches) is charged to the outer lease: a new
        // lease would wait for a budget its own outer lease may be holding.
        if (t_current is { } outer) return new Lease(this, outer.Ticket, outer, nested: true);
        lock (_gate)
        {
            var lease = new Lease(this, _nextTicket++, null, nested: false);
            _open.Add(lease.Ticket);
            t_current = lease;
            return lease;
        }
    }

    private static long Parse(string text) => Backends.SettingParser.Amount(BytesVariable, text, "byte count", DefaultBytes);

    /// <summary>One image's charges, released together.</summary>
    internal sealed class Lease(DecodeBudget budget, long ticket, Lease? outer, bool nested) : IDisposable
    {
        private long _charged;
        private bool _disposed;

        public long Ticket { get; } = ticket;

        public void Charge(long bytes)
        {
            if (bytes <= 0) return;
            if (nested)
            {
                outer!.Charge(bytes);
                return;
            }
            var b = budget;
            lock (b._gate)
            {
                // Either it fits, or this is the oldest image in flight: it never waits, so some image always progresses.
                while (b._inFlight + bytes > b.Bytes && b._open.Min != Ticket)
                    Monitor.Wait(b._gate);
                b._inFlight += bytes;
                _charged += bytes;
                b._peak = Math.Max(b._peak, b._inFlight);
            }
        }

        public void Dispose()
        {
            if (_disposed || nested) return;
            _disposed = true;
            var b = budget;
            bool collect;
            lock (b._gate)
            {
                b._inFlight -= _charged;
                b._open.Remove(Ticket);
                b._releasedSinceCollection += _charged;
                collect = b._releasedSinceCollection >= b.Bytes;
                if (collect) b._releasedSinceCollection = 0;
                Monitor.PulseAll(b._gate);
            }
            t_current = null;
            // A budget's worth of released buffers is garbage now: collected before the next images allocate theirs.
            // Each collection follows a budget of decoding (256 MiB by default, a second or more of work), so it costs little.
            if (collect) GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        }
    }
}
