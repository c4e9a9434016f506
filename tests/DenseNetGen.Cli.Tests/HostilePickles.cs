using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// Issue 19's hostile pickles, written byte by byte (each opcode as CPython's pickle module defines it; a smaller
/// copy of each was checked with CPython's pickletools.dis). They are built in the test, not committed: several
/// are megabytes, and their size is the point.
/// </summary>
internal static class HostilePickles
{
    /// <summary>A pickle written opcode by opcode.</summary>
    public sealed class Writer
    {
        private readonly MemoryStream _bytes = new();

        public Writer(int protocol) => Op(0x80).Byte((byte)protocol);

        public byte[] ToArray() => _bytes.ToArray();

        public Writer Op(byte opcode) => Byte(opcode);

        public Writer Op(char opcode) => Byte((byte)opcode);

        public Writer Byte(byte value)
        {
            _bytes.WriteByte(value);
            return this;
        }

        public Writer Repeat(int count, Action<Writer> write)
        {
            for (int i = 0; i < count; i++) write(this);
            return this;
        }

        /// <summary>GLOBAL 'module\nname\n'.</summary>
        public Writer Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

        /// <summary>BINUNICODE: a uint32 length and UTF-8.</summary>
        public Writer Text(string text)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            return Op('X').Raw(length).Raw(utf8);
        }

        /// <summary>BINPUT / BINGET of memo slot <paramref name="slot"/> (below 256).</summary>
        public Writer Put(byte slot) => Op('q').Byte(slot);

        public Writer Get(byte slot) => Op('h').Byte(slot);

        /// <summary>FRAME with an 8-byte length.</summary>
        public Writer Frame(long length)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, length);
            return Op(0x95).Raw(bytes);
        }

        public Writer Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.Write(bytes);
            return this;
        }

        /// <summary>LONG1 of torch's legacy magic number, which a legacy file must start with (after PROTO and an optional FRAME).</summary>
        public Writer LegacyMagic() => Raw([0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

        /// <summary>STOP.</summary>
        public byte[] Stop() => Op('.').ToArray();
    }

    /// <summary>
    /// _codecs.encode(s, 'latin1') REDUCEd <paramref name="calls"/> times on one memoised string of
    /// <paramref name="stringBytes"/> chars (each call once copied the whole string), optionally POPping each result.
    /// </summary>
    public static byte[] CodecsEncodeOfOneString(int stringBytes, int calls, bool pop) =>
        new Writer(2).LegacyMagic()
            .Global("_codecs", "encode").Put(1)
            .Text(new string('a', stringBytes)).Put(0)
            .Text("latin1").Put(2)
            .Repeat(calls, w =>
            {
                w.Get(1).Get(0).Get(2).Op(0x86).Op('R'); // callable, (s, 'latin1'), REDUCE
                if (pop) w.Op('0');
            })
            .Op('N').Stop();

    /// <summary>
    /// torch._utils._rebuild_tensor_v2 called <paramref name="calls"/> times with one memoised size tuple and stride
    /// tuple of <paramref name="elements"/> ones (MARK, BININT1 1, DUP x n-1, TUPLE), each result kept on the stack.
    /// </summary>
    public static byte[] RebuildTensorOfOneTuple(int elements, int calls) =>
        new Writer(2)
            .Op('(').Op('K').Byte(1).Repeat(elements - 1, w => w.Op('2')).Op('t').Put(0)
            .Global("torch._utils", "_rebuild_tensor_v2").Put(1)
            .Op('(').Text("storage").Global("torch", "FloatStorage").Text("0").Text("cpu").Op('K').Byte(1).Op('t').Op('Q').Put(2)
            .Repeat(calls, w => w.Get(1).Op('(').Get(2).Op('K').Byte(0).Get(0).Get(0).Op(0x89).Op('N').Op('t').Op('R'))
            .Op('N').Stop();

    /// <summary><paramref name="count"/> one-byte opcodes that each make an object (EMPTY_DICT '}' or EMPTY_SET 0x8f).</summary>
    public static byte[] EmptyContainers(byte opcode, int count) => new Writer(4).LegacyMagic().Repeat(count, w => w.Op(opcode)).Stop();

    /// <summary>torch.save's zip layout around <paramref name="dataPkl"/>: archive/data.pkl, archive/byteorder and the storages.</summary>
    public static void WriteZip(string path, byte[] dataPkl, IReadOnlyDictionary<string, byte[]> storages, byte[]? byteOrder = null)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes)
        {
            using var entry = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression).Open();
            entry.Write(bytes);
        }
        Add("data.pkl", dataPkl);
        if (byteOrder is not null) Add("byteorder", byteOrder);
        foreach (var (key, bytes) in storages) Add("data/" + key, bytes);
    }

    /// <summary>{'w': a float32 tensor of the given size and stride over storage '0' of <paramref name="storageElements"/> elements}.</summary>
    public static byte[] OneTensor(int[] size, int[] stride, int storageElements)
    {
        var w = new Writer(2).Op('}').Text("w")
            .Global("torch._utils", "_rebuild_tensor_v2")
            .Op('(')
            .Op('(').Text("storage").Global("torch", "FloatStorage").Text("0").Text("cpu").Op('J').Raw(Int32(storageElements)).Op('t').Op('Q')
            .Op('K').Byte(0);
        w.Op('(');
        foreach (var s in size) w.Op('J').Raw(Int32(s));
        w.Op('t').Op('(');
        foreach (var s in stride) w.Op('J').Raw(Int32(s));
        return w.Op('t').Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R').Op('s').Stop();
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
