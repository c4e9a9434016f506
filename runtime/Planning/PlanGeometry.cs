namespace DenseNetGen.Planning;

/// <summary>
/// A plan walked for one input shape: every op's input and output size and how many floats each buffer needs
/// (the max over its writes, since scratch buffers are written at several spatial sizes). The same for every
/// backend; a backend turns <see cref="Ops"/> into its own launch parameters.
/// </summary>
internal sealed class PlanGeometry
{
    private PlanGeometry(int batch, int height, int width, OpShape[] ops, long[] bufferElements, (int Height, int Width)?[] finalSizes)
    {
        Batch = batch;
        Height = height;
        Width = width;
        Ops = ops;
        BufferElements = bufferElements;
        FinalSizes = finalSizes;
    }

    public int Batch { get; }

    /// <summary>The input's height.</summary>
    public int Height { get; }

    /// <summary>The input's width.</summary>
    public int Width { get; }

    /// <summary>Per op index: the sizes it reads and writes and its window.</summary>
    public IReadOnlyList<OpShape> Ops { get; }

    /// <summary>Per buffer: floats (batch × channel capacity × the largest map written to it).</summary>
    public IReadOnlyList<long> BufferElements { get; }

    /// <summary>Each buffer's spatial size after the last op that writes it; null if never written.</summary>
    public IReadOnlyList<(int Height, int Width)?> FinalSizes { get; }

    /// <summary>Floats of <paramref name="buffer"/> at its final size, NCHW: what a caller reading it back gets.</summary>
    public int ResultLength(NetworkPlan plan, int buffer)
    {
        var (height, width) = FinalSizes[buffer]
            ?? throw new InvalidOperationException($"{plan.Name}: no op writes the result buffer '{plan.Buffers[buffer].Name}'.");
        return Batch * plan.Buffers[buffer].Channels * height * width;
    }

    /// <exception cref="ArgumentException">The input is too small: some op would produce an empty map.</exception>
    /// <exception cref="InvalidOperationException">The plan reads a buffer before writing it, or appends channels at another size.</exception>
    public static PlanGeometry Compute(NetworkPlan plan, int batch, int height, int width)
    {
        var sizes = new (int Height, int Width)?[plan.Buffers.Count];
        var elements = new long[plan.Buffers.Count];
        var ops = new OpShape[plan.Ops.Count];
        sizes[0] = (height, width);
        elements[0] = (long)batch * plan.Buffers[0].Channels * height * width;

        for (int i = 0; i < plan.Ops.Count; i++)
        {
            var op = plan.Ops[i];
            int source = op.Reads.Buffer;
            var (ih, iw) = sizes[source]
                ?? throw new InvalidOperationException($"{plan.Name}: op #{i} reads buffer '{plan.Buffers[source].Name}' before any op writes it.");
            var window = op.Window(ih, iw);
            int oh = window.OutputHeight(ih), ow = window.OutputWidth(iw);
            if (oh < 1 || ow < 1)
                throw new ArgumentException(
                    $"{plan.Name}: input {height}x{width} is too small: op #{i} ({op.Summary}) gets a {(oh < 1 ? ih : iw)}-pixel side of buffer " +
                    $"'{plan.Buffers[source].Name}' and would produce an empty map.");

            var (destination, channelOffset) = (op.Writes.Buffer, op.Writes.ChannelOffset);
            // Writing at a channel offset appends to what is there, so the spatial size must match it.
            if (channelOffset > 0 && sizes[destination] is { } existing && existing != (oh, ow))
                throw new InvalidOperationException(
                    $"{plan.Name}: op #{i} writes {oh}x{ow} at channel {channelOffset} of buffer '{plan.Buffers[destination].Name}', which holds {existing.Height}x{existing.Width}.");
            sizes[destination] = (oh, ow);
            elements[destination] = Math.Max(elements[destination], (long)batch * plan.Buffers[destination].Channels * oh * ow);
            ops[i] = new OpShape(ih, iw, oh, ow, window);
        }
        return new PlanGeometry(batch, height, width, ops, elements, sizes);
    }

    /// <summary>
    /// Every op reads and writes channels its buffers have. Checked once per plan, before weights are prepared.
    /// </summary>
    /// <exception cref="InvalidOperationException">An op reaches past a buffer's channel capacity.</exception>
    public static void CheckChannels(NetworkPlan plan)
    {
        for (int i = 0; i < plan.Ops.Count; i++)
        {
            var (reads, writes) = (plan.Ops[i].Reads, plan.Ops[i].Writes);
            var (source, destination) = (plan.Buffers[reads.Buffer], plan.Buffers[writes.Buffer]);
            if (reads.End > source.Channels || writes.End > destination.Channels)
                throw new InvalidOperationException(
                    $"{plan.Name}: op #{i} uses channels up to {reads.End} of '{source.Name}' ({source.Channels}) " +
                    $"and up to {writes.End} of '{destination.Name}' ({destination.Channels}).");
        }
    }
}

/// <summary>One op's sizes for one input shape: it reads an InHeight × InWidth map and writes OutHeight × OutWidth.</summary>
internal readonly record struct OpShape(int InHeight, int InWidth, int OutHeight, int OutWidth, OpWindow Window);
