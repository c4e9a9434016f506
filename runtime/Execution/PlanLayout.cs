using DenseNetGen.Kernels;
using DenseNetGen.Planning;

namespace DenseNetGen.Execution;

/// <summary>
/// A plan walked for one input shape: every op's launch geometry and how many floats each buffer needs
/// (the max over its writes, since scratch buffers are written at several spatial sizes).
/// </summary>
internal sealed class PlanLayout
{
    private PlanLayout(ConvGeometry[] convs, PoolGeometry[] pools, long[] bufferElements, (int Height, int Width)?[] finalSizes)
    {
        Convs = convs;
        Pools = pools;
        BufferElements = bufferElements;
        FinalSizes = finalSizes;
    }

    /// <summary>Per op index: the geometry of a ConvOp (default for other ops).</summary>
    public ConvGeometry[] Convs { get; }

    /// <summary>Per op index: the geometry of a BatchNormReluOp or MaxPoolOp (default for other ops).</summary>
    public PoolGeometry[] Pools { get; }

    public long[] BufferElements { get; }

    /// <summary>Each buffer's spatial size after the last op that writes it; null if never written.</summary>
    public (int Height, int Width)?[] FinalSizes { get; }

    /// <exception cref="ArgumentException">The input is too small: some op would produce an empty map.</exception>
    public static PlanLayout Compute(NetworkPlan plan, int batch, int height, int width)
    {
        var sizes = new (int Height, int Width)?[plan.Buffers.Count];
        var elements = new long[plan.Buffers.Count];
        var convs = new ConvGeometry[plan.Ops.Count];
        var pools = new PoolGeometry[plan.Ops.Count];
        sizes[0] = (height, width);
        elements[0] = (long)batch * plan.Buffers[0].Channels * height * width;

        for (int i = 0; i < plan.Ops.Count; i++)
        {
            switch (plan.Ops[i])
            {
                case ConvOp c:
                {
                    var (ih, iw) = Read(plan, sizes, i, c.Source);
                    int oh = Output(plan, i, c.Source, ih, c.Kernel, c.Stride, c.Padding, height, width);
                    int ow = Output(plan, i, c.Source, iw, c.Kernel, c.Stride, c.Padding, height, width);
                    Write(plan, sizes, elements, i, c.Destination, c.DestinationChannelOffset, batch, oh, ow);
                    convs[i] = new ConvGeometry(batch,
                        c.InChannels, plan.Buffers[c.Source].Channels, c.SourceChannelOffset, ih, iw,
                        c.OutChannels, ConvGeometry.Pad(c.OutChannels), plan.Buffers[c.Destination].Channels, c.DestinationChannelOffset, oh, ow,
                        c.Kernel, c.Stride, c.Padding, c.Relu ? 1 : 0);
                    break;
                }
                case BatchNormReluOp n:
                {
                    var (ih, iw) = Read(plan, sizes, i, n.Source);
                    var (wh, ww) = n.Pool switch
                    {
                        PoolKind.None => (1, 1),
                        PoolKind.Average2x2 => (2, 2),
                        _ => (ih, iw),
                    };
                    int oh = Output(plan, i, n.Source, ih, wh, wh, 0, height, width);
                    int ow = Output(plan, i, n.Source, iw, ww, ww, 0, height, width);
                    Write(plan, sizes, elements, i, n.Destination, 0, batch, oh, ow);
                    pools[i] = new PoolGeometry(batch, n.Channels, plan.Buffers[n.Source].Channels, n.SourceChannelOffset, ih, iw,
                        plan.Buffers[n.Destination].Channels, oh, ow, wh, ww, wh, 0);
                    break;
                }
                case MaxPoolOp m:
                {
                    var (ih, iw) = Read(plan, sizes, i, m.Source);
                    int oh = Output(plan, i, m.Source, ih, m.Kernel, m.Stride, m.Padding, height, width);
                    int ow = Output(plan, i, m.Source, iw, m.Kernel, m.Stride, m.Padding, height, width);
                    Write(plan, sizes, elements, i, m.Destination, 0, batch, oh, ow);
                    pools[i] = new PoolGeometry(batch, m.Channels, plan.Buffers[m.Source].Channels, 0, ih, iw,
                        plan.Buffers[m.Destination].Channels, oh, ow, m.Kernel, m.Kernel, m.Stride, m.Padding);
                    break;
                }
                default:
                    throw new NotSupportedException($"{plan.Name}: op #{i} ({plan.Ops[i].GetType().Name}) is not supported.");
            }
        }
        foreach (var count in elements)
            if (count > int.MaxValue)
                throw new ArgumentException($"{plan.Name}: batch {batch} at {height}x{width} needs a buffer of {count} floats; kernels index with 32 bits. Use a smaller batch.");
        return new PlanLayout(convs, pools, elements, sizes);
    }

    private static (int, int) Read(NetworkPlan plan, (int, int)?[] sizes, int op, int buffer) =>
        sizes[buffer] ?? throw new InvalidOperationException($"{plan.Name}: op #{op} reads buffer '{plan.Buffers[buffer].Name}' before any op writes it.");

    private static int Output(NetworkPlan plan, int op, int source, int size, int kernel, int stride, int padding, int height, int width)
    {
        int span = size + 2 * padding - kernel;
        if (span < 0)
            throw new ArgumentException(
                $"{plan.Name}: input {height}x{width} is too small: op #{op} ({Describe(plan.Ops[op])}) gets a {size}-pixel side of buffer " +
                $"'{plan.Buffers[source].Name}' and would produce an empty map.");
        return span / stride + 1;
    }

    private static void Write((int, int)?[] sizes, long[] elements, int buffer, int batch, int height, int width, long channels)
    {
        sizes[buffer] = (height, width);
        elements[buffer] = Math.Max(elements[buffer], batch * channels * height * width);
    }

    private static void Write(NetworkPlan plan, (int Height, int Width)?[] sizes, long[] elements, int op, int buffer, int channelOffset,
        int batch, int height, int width)
    {
        // Writing at a channel offset appends to what is there, so the spatial size must match it.
        if (channelOffset > 0 && sizes[buffer] is { } existing && existing != (height, width))
            throw new InvalidOperationException(
                $"{plan.Name}: op #{op} writes {height}x{width} at channel {channelOffset} of buffer '{plan.Buffers[buffer].Name}', which holds {existing.Height}x{existing.Width}.");
        Write(sizes, elements, buffer, batch, height, width, plan.Buffers[buffer].Channels);
    }

    private static string Describe(PlanOp op) => op switch
    {
        ConvOp c => $"conv {c.Weight}",
        BatchNormReluOp n => $"batchnorm {n.Norm}, pool {n.Pool}",
        MaxPoolOp m => $"maxpool k{m.Kernel} s{m.Stride}",
        _ => op.GetType().Name,
    };
}
