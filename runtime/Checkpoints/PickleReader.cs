using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// A restricted unpickler: a stack machine over the opcodes that state_dict pickles use (protocols 0–5).
/// Globals resolve only through <see cref="TorchGlobals"/>'s allow-list and never execute anything.
/// Work is linear in the input: each opcode consumes at least one byte and creates at most one value.
/// </summary>
internal sealed class PickleReader
{
    private const int MaxMemo = 1 << 22;
    private const int MaxGlobalName = 256;
    private const int MaxLongBytes = 64;

    private readonly ByteCursor cursor;
    private readonly Func<PyTuple, StorageRef>? persistentLoad;
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];

    private PickleReader(ByteCursor cursor, Func<PyTuple, StorageRef>? persistentLoad)
    {
        this.cursor = cursor;
        this.persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle from the cursor's position up to and including its STOP opcode.</summary>
    public static object? Load(ByteCursor cursor, Func<PyTuple, StorageRef>? persistentLoad = null) =>
        new PickleReader(cursor, persistentLoad).Run();

    private object? Run()
    {
        while (true)
        {
            var at = cursor.Position;
            var op = cursor.ReadByte();
            switch (op)
            {
                case 0x80: cursor.ReadByte(); break; // PROTO
                case 0x95: cursor.ReadInt64(); break; // FRAME: a length hint only
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Add(stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'J': Push((long)cursor.ReadInt32()); break; // BININT
                case (byte)'K': Push((long)cursor.ReadByte()); break; // BININT1
                case (byte)'M': Push((long)cursor.ReadUInt16()); break; // BININT2
                case 0x8a: Push(ReadLong(cursor.ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(cursor.ReadInt32())); break; // LONG4
                case (byte)'I': Push(ReadTextInt()); break; // INT (protocol 0; I00/I01 are False/True)
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(cursor.Take(8))); break; // BINFLOAT
                case (byte)'X': Push(Text(cursor.ReadUInt32())); break; // BINUNICODE
                case 0x8c: Push(Text(cursor.ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(Text(cursor.ReadInt64())); break; // BINUNICODE8
                case (byte)'U': Push(Text(cursor.ReadByte())); break; // SHORT_BINSTRING: torch.load decodes Python 2 str as UTF-8
                case (byte)'T': Push(Text(cursor.ReadInt32())); break; // BINSTRING
                case (byte)'C': Push(cursor.Take(cursor.ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(cursor.Take(cursor.ReadUInt32()).ToArray()); break; // BINBYTES
                case 0x8e: Push(cursor.Take(cursor.ReadInt64()).ToArray()); break; // BINBYTES8
                case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new PyTuple([])); break; // EMPTY_TUPLE
                case (byte)'d': Push(ToDict(PopMark())); break; // DICT
                case (byte)'l': Push(PopMark().ToList()); break; // LIST
                case (byte)'t': Push(new PyTuple(PopMark())); break; // TUPLE
                case 0x85: Push(new PyTuple(PopN(1))); break; // TUPLE1
                case 0x86: Push(new PyTuple(PopN(2))); break; // TUPLE2
                case 0x87: Push(new PyTuple(PopN(3))); break; // TUPLE3
                case (byte)'s': SetItems(PopN(2)); break; // SETITEM
                case (byte)'u': SetItems(PopMark()); break; // SETITEMS
                case (byte)'a': AsList(Peek()).Add(Pop()); break; // APPEND (value is on top of the list)
                case (byte)'e': AppendMarked(); break; // APPENDS
                case (byte)'q': Put(cursor.ReadByte()); break; // BINPUT
                case (byte)'r': Put(cursor.ReadUInt32()); break; // LONG_BINPUT
                case 0x94: Put(memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Get(cursor.ReadByte())); break; // BINGET
                case (byte)'j': Push(Get(cursor.ReadUInt32())); break; // LONG_BINGET
                case (byte)'c': Push(Global(Ascii(cursor.ReadLine(MaxGlobalName)), Ascii(cursor.ReadLine(MaxGlobalName)))); break;
                case 0x93: StackGlobal(); break;
                case (byte)'R': Reduce(); break; // REDUCE: callable, args tuple
                case 0x81: Reduce(); break; // NEWOBJ: class, args tuple
                case (byte)'b': Pop(); Peek(); break; // BUILD: state only sets attributes (e.g. _metadata), which a state_dict reader ignores
                case (byte)'Q': PersistentLoad(); break; // BINPERSID
                default: throw cursor.Fail($"unsupported pickle opcode 0x{op:x2} at offset {at}");
            }
        }
    }

    private void Push(object? value) => stack.Add(value);

    private object? Peek() => stack.Count > (marks.Count > 0 ? marks[^1] : 0)
        ? stack[^1]
        : throw cursor.Fail($"pickle stack underflow at offset {cursor.Position}");

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object?[] PopN(int count)
    {
        var floor = marks.Count > 0 ? marks[^1] : 0;
        if (stack.Count - floor < count) throw cursor.Fail($"pickle stack underflow at offset {cursor.Position}");
        var items = stack.GetRange(stack.Count - count, count).ToArray();
        stack.RemoveRange(stack.Count - count, count);
        return items;
    }

    private object?[] PopMark()
    {
        if (marks.Count == 0) throw cursor.Fail($"pickle has no mark at offset {cursor.Position}");
        var start = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private List<object?> AsList(object? value) => TorchGlobals.As<List<object?>>(value, "a list", cursor);

    private void AppendMarked()
    {
        var items = PopMark();
        AsList(Peek()).AddRange(items);
    }

    private OrderedDictionary<object, object?> ToDict(object?[] items)
    {
        var dict = new OrderedDictionary<object, object?>();
        AddItems(dict, items);
        return dict;
    }

    private void SetItems(object?[] items) =>
        AddItems(TorchGlobals.As<OrderedDictionary<object, object?>>(Peek(), "a dict", cursor), items);

    private void AddItems(OrderedDictionary<object, object?> dict, object?[] items)
    {
        if (items.Length % 2 != 0) throw cursor.Fail("dict items are not key/value pairs");
        for (var i = 0; i < items.Length; i += 2) dict[TorchGlobals.DictKey(items[i], cursor)] = items[i + 1];
    }

    private void Put(long index)
    {
        if (memo.Count >= MaxMemo && !memo.ContainsKey(index)) throw cursor.Fail($"pickle memo exceeds {MaxMemo} entries");
        memo[index] = Peek();
    }

    private object? Get(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw cursor.Fail($"pickle memo has no entry {index}");

    private PyGlobal Global(string module, string name) => TorchGlobals.Resolve(module, name, cursor);

    private void StackGlobal()
    {
        var names = PopN(2);
        if (names[0] is not string module || names[1] is not string name) throw cursor.Fail("STACK_GLOBAL needs two strings");
        Push(Global(module, name));
    }

    private void Reduce()
    {
        var args = TorchGlobals.As<PyTuple>(Pop(), "an argument tuple", cursor);
        var callee = TorchGlobals.As<PyGlobal>(Pop(), "an allowed global to call", cursor);
        Push(TorchGlobals.Call(callee, args.Items, cursor));
    }

    private void PersistentLoad()
    {
        var id = TorchGlobals.As<PyTuple>(Pop(), "a persistent id tuple", cursor);
        if (persistentLoad is null) throw cursor.Fail("unexpected persistent id in this pickle");
        Push(persistentLoad(id));
    }

    private object ReadLong(long length)
    {
        if (length < 0 || length > MaxLongBytes) throw cursor.Fail($"pickled integer of {length} bytes is too long");
        var value = new BigInteger(cursor.Take(length), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private object ReadTextInt()
    {
        var text = Ascii(cursor.ReadLine(32));
        return text switch
        {
            "00" => false,
            "01" => true,
            _ => long.TryParse(text, out var v) ? v : throw cursor.Fail($"bad pickled integer '{text}'"),
        };
    }

    private string Text(long length)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(cursor.Take(length));
        }
        catch (DecoderFallbackException e)
        {
            throw cursor.Fail($"invalid UTF-8 string before offset {cursor.Position}", e);
        }
    }

    private static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
