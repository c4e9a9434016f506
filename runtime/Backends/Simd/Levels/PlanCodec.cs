using System.Text;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// A <see cref="NetworkPlan"/> as bytes, for handing it to a level library (<see cref="LevelExports"/>): the host
/// writes it, the library (this same code, compiled into it) reads it back. Both ends are one build of this
/// assembly, so the format has no version of its own; <see cref="LevelAbi.Version"/> covers the whole interface.
/// </summary>
/// <remarks>Round trip: <c>Read(Write(plan))</c> equals <c>plan</c> by value, for every op kind the plan model has.</remarks>
internal static class PlanCodec
{
    private enum OpTag : byte { Conv, BatchNormRelu, MaxPool }

    public static byte[] Write(NetworkPlan plan)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(plan.Name);
            foreach (int n in (int[])[plan.InChannels, plan.InputSize, plan.NumClasses, plan.FeatureChannels, plan.FeatureOpCount, plan.FeatureBuffer, plan.OutputBuffer])
                w.Write(n);
            WriteList(w, plan.Buffers, b => { w.Write(b.Name); w.Write(b.Channels); });
            WriteList(w, plan.Ops, op => WriteOp(w, op));
            WriteList(w, plan.Parameters, p => { w.Write(p.Name); WriteList(w, p.Shape, w.Write); });
            WriteList(w, plan.Stages, s => { w.Write(s.Name); w.Write(s.FirstOp); w.Write(s.OpCount); });
        }
        return stream.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not a plan this code wrote.</exception>
    public static NetworkPlan Read(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var name = r.ReadString();
            int inChannels = r.ReadInt32(), inputSize = r.ReadInt32(), numClasses = r.ReadInt32(), featureChannels = r.ReadInt32();
            int featureOpCount = r.ReadInt32(), featureBuffer = r.ReadInt32(), outputBuffer = r.ReadInt32();
            var buffers = ReadList(r, () => new PlanBuffer(r.ReadString(), r.ReadInt32()));
            var ops = ReadList(r, () => ReadOp(r));
            var parameters = ReadList(r, () => new ParameterInfo(r.ReadString(), ReadList(r, r.ReadInt32)));
            var stages = ReadList(r, () => new PlanStage(r.ReadString(), r.ReadInt32(), r.ReadInt32()));
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"The plan ends {stream.Length - stream.Position} bytes before its data does.");
            return new NetworkPlan(name, inChannels, inputSize, numClasses, featureChannels, buffers, ops, featureOpCount,
                featureBuffer, outputBuffer, parameters, stages);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The plan's bytes end early.", e);
        }
    }

    private static void WriteOp(BinaryWriter w, PlanOp op)
    {
        switch (op)
        {
            case ConvOp c:
                w.Write((byte)OpTag.Conv);
                foreach (int n in (int[])[c.Source, c.SourceChannelOffset, c.InChannels, c.Destination, c.DestinationChannelOffset,
                             c.OutChannels, c.Kernel, c.Stride, c.Padding])
                    w.Write(n);
                w.Write(c.Weight);
                WriteOptional(w, c.Bias);
                WriteOptional(w, c.FoldedNorm);
                w.Write(c.Relu);
                break;
            case BatchNormReluOp b:
                w.Write((byte)OpTag.BatchNormRelu);
                w.Write(b.Source); w.Write(b.SourceChannelOffset); w.Write(b.Channels); w.Write(b.Destination);
                w.Write(b.Norm);
                w.Write((int)b.Pool);
                break;
            case MaxPoolOp m:
                w.Write((byte)OpTag.MaxPool);
                w.Write(m.Source); w.Write(m.Channels); w.Write(m.Destination); w.Write(m.Kernel); w.Write(m.Stride); w.Write(m.Padding);
                break;
            default:
                throw new NotSupportedException($"A level library cannot be given a {op.GetType().Name}.");
        }
    }

    private static PlanOp ReadOp(BinaryReader r) => (OpTag)r.ReadByte() switch
    {
        OpTag.Conv => new ConvOp(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
            r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), ReadOptional(r), ReadOptional(r), r.ReadBoolean()),
        OpTag.BatchNormRelu => new BatchNormReluOp(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), (PoolKind)r.ReadInt32()),
        OpTag.MaxPool => new MaxPoolOp(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()),
        var tag => throw new InvalidDataException($"Unknown op tag {(byte)tag}."),
    };

    private static void WriteOptional(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null) w.Write(text);
    }

    private static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteList<T>(BinaryWriter w, IReadOnlyList<T> items, Action<T> write)
    {
        w.Write(items.Count);
        foreach (var item in items) write(item);
    }

    private static T[] ReadList<T>(BinaryReader r, Func<T> read)
    {
        int count = r.ReadInt32();
        // Each element takes at least one byte, so a count beyond what is left is corrupt (and no giant array is made).
        if (count < 0 || count > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"A list of {count} items where {r.BaseStream.Length - r.BaseStream.Position} bytes remain.");
        var items = new T[count];
        for (int i = 0; i < count; i++) items[i] = read();
        return items;
    }
}
