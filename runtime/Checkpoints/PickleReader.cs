using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// A restricted unpickler: a stack machine over every opcode CPython's pickler writes for data in protocols 0–5
/// (tools/make_pickle_opcodes.py lists them and records CPython's values for the tests). Globals are names:
/// <see cref="TorchGlobals"/> turns the few that build data into values and every other call into an inert
/// <see cref="PyObject"/> placeholder, so nothing in a file is ever imported or executed.
/// </summary>
/// <remarks>
/// Work is bounded by the input: every opcode consumes at least one byte, and the items it puts into containers
/// are charged to the <see cref="PickleContext"/>'s budget, a small multiple of the file's size. That stops a
/// memoised container from being copied again and again (REDUCE of OrderedDict over one memoised list 5,000 times
/// builds its dict once, see <see cref="TorchGlobals"/>), and anything else that would make work grow faster
/// than the file.
/// </remarks>
internal sealed class PickleReader
{
    private const int MaxMemo = 1 << 22;
    private const int MaxGlobalName = 256;
    private const int MaxLongBytes = 1024;
    // 1024 bytes of two's complement hold at most 2,467 decimal digits, plus sign and protocol 0's trailing 'L'.
    private const int MaxLongDigits = 2470;

    private readonly ByteCursor cursor;
    private readonly Func<PyTuple, StorageRef>? persistentLoad;
    private readonly PickleContext context;
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];

    private PickleReader(ByteCursor cursor, Func<PyTuple, StorageRef>? persistentLoad, PickleContext context)
    {
        this.cursor = cursor;
        this.persistentLoad = persistentLoad;
        this.context = context;
    }

    /// <summary>Reads one pickle from the cursor's position up to and including its STOP opcode.</summary>
    /// <param name="cursor">The file's bytes, positioned at the pickle's first opcode; left just past STOP.</param>
    /// <param name="persistentLoad">Resolves a persistent id (PyTorch's storage references); null refuses any.</param>
    /// <param name="context">Shared by every pickle of one file: the work budget and the placeholders met. A fresh one sized to the cursor's data when null.</param>
    public static object? Load(ByteCursor cursor, Func<PyTuple, StorageRef>? persistentLoad = null, PickleContext? context = null) =>
        new PickleReader(cursor, persistentLoad, context ?? new PickleContext(cursor.Data.Length)).Run();

    private object? Run()
    {
        while (true)
        {
            var at = cursor.Position;
            var op = cursor.ReadByte();
            switch (op)
            {
                case 0x80: cursor.ReadByte(); break; // PROTO
                case 0x95: Frame(cursor.ReadInt64()); break; // FRAME: a length hint, which must fit the data
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Add(stack.Count); break; // MARK
                case (byte)'0': PopValueOrMark(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)cursor.ReadInt32()); break; // BININT
                case (byte)'K': Push((long)cursor.ReadByte()); break; // BININT1
                case (byte)'M': Push((long)cursor.ReadUInt16()); break; // BININT2
                case 0x8a: Push(ReadLong(cursor.ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(cursor.ReadInt32())); break; // LONG4
                case (byte)'I': Push(ReadTextInt()); break; // INT (protocol 0; I00/I01 are False/True)
                case (byte)'L': Push(ReadTextLong()); break; // LONG (protocols 0-1: decimal digits and an 'L')
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(cursor.Take(8))); break; // BINFLOAT
                case (byte)'F': Push(ReadTextFloat()); break; // FLOAT (protocol 0: repr)
                case (byte)'X': Push(Text(cursor.ReadUInt32())); break; // BINUNICODE
                case 0x8c: Push(Text(cursor.ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(Text(cursor.ReadInt64())); break; // BINUNICODE8
                case (byte)'V': Push(RawUnicodeEscape(cursor.ReadLine(cursor.Remaining))); break; // UNICODE (protocol 0)
                case (byte)'U': Push(Text(cursor.ReadByte())); break; // SHORT_BINSTRING: torch.load decodes Python 2 str as UTF-8
                case (byte)'T': Push(Text(cursor.ReadInt32())); break; // BINSTRING
                case (byte)'C': Push(cursor.Take(cursor.ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(cursor.Take(cursor.ReadUInt32()).ToArray()); break; // BINBYTES
                case 0x8e: Push(cursor.Take(cursor.ReadInt64()).ToArray()); break; // BINBYTES8
                case 0x96: Push(cursor.Take(cursor.ReadInt64()).ToArray()); break; // BYTEARRAY8
                case (byte)'}': Push(Created(new OrderedDictionary<object, object?>())); break; // EMPTY_DICT
                case (byte)']': Push(Created(new List<object?>())); break; // EMPTY_LIST
                case (byte)')': Push(EmptyTuple); break; // EMPTY_TUPLE: immutable, so one instance serves all
                case 0x8f: Push(Created(new PySet([], Frozen: false))); break; // EMPTY_SET
                case (byte)'d': Push(ToDict(PopMark())); break; // DICT
                case (byte)'l': Push(Charged(PopMark()).ToList()); break; // LIST
                case (byte)'t': Push(new PyTuple(Charged(PopMark()))); break; // TUPLE
                case 0x91: Push(new PySet([.. Charged(PopMark())], Frozen: true)); break; // FROZENSET
                case 0x85: Push(new PyTuple(Charged(PopN(1)))); break; // TUPLE1
                case 0x86: Push(new PyTuple(Charged(PopN(2)))); break; // TUPLE2
                case 0x87: Push(new PyTuple(Charged(PopN(3)))); break; // TUPLE3
                case (byte)'s': SetItems(PopN(2)); break; // SETITEM
                case (byte)'u': SetItems(PopMark()); break; // SETITEMS
                case (byte)'a': Append(PopN(1)); break; // APPEND: pops the value before looking at the list under it
                case (byte)'e': Append(PopMark()); break; // APPENDS
                case 0x90: AddToSet(PopMark()); break; // ADDITEMS
                case (byte)'q': Put(cursor.ReadByte()); break; // BINPUT
                case (byte)'r': Put(cursor.ReadUInt32()); break; // LONG_BINPUT
                case (byte)'p': Put(ReadTextIndex()); break; // PUT (protocol 0)
                case 0x94: Put(memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Get(cursor.ReadByte())); break; // BINGET
                case (byte)'j': Push(Get(cursor.ReadUInt32())); break; // LONG_BINGET
                case (byte)'g': Push(Get(ReadTextIndex())); break; // GET (protocol 0)
                case (byte)'c': Push(ReadGlobal()); break; // GLOBAL
                case 0x93: StackGlobal(); break; // STACK_GLOBAL
                case (byte)'R': Reduce(); break; // REDUCE: callable, args tuple
                case 0x81: NewObject(kwargs: null); break; // NEWOBJ: class, args tuple
                case 0x92: NewObject(TorchGlobals.As<OrderedDictionary<object, object?>>(Pop(), "NEWOBJ_EX keyword arguments", cursor)); break; // NEWOBJ_EX
                case (byte)'i': Instantiate(ReadGlobal(), PopMark()); break; // INST (Python 2 classic classes)
                case (byte)'o': Instantiate(PopMark()); break; // OBJ (Python 2 classic classes)
                case (byte)'b': Build(); break; // BUILD
                case (byte)'Q': PersistentLoad(Pop()); break; // BINPERSID
                case (byte)'P': PersistentLoad(RawUnicodeEscape(cursor.ReadLine(MaxGlobalName))); break; // PERSID
                case 0x82 or 0x83 or 0x84: // EXT1, EXT2, EXT4
                    throw cursor.Fail($"pickle opcode 0x{op:x2} at offset {at} names a copyreg extension code, which only the writer's registry can resolve");
                case 0x97 or 0x98: // NEXT_BUFFER, READONLY_BUFFER
                    throw cursor.Fail($"pickle opcode 0x{op:x2} at offset {at} refers to an out-of-band buffer, which a file cannot hold");
                default: throw cursor.Fail($"unsupported pickle opcode 0x{op:x2} at offset {at}");
            }
        }
    }

    private static readonly PyTuple EmptyTuple = new([]);

    private void Push(object? value) => stack.Add(value);

    // A one-byte opcode that makes a mutable container costs the container (about 100 bytes with its stack slot),
    // not one unit: 30 MB of '}' once became 2.6 GB.
    private T Created<T>(T container)
    {
        context.Charge(PickleContext.ContainerUnits, cursor);
        return container;
    }

    // CPython reads a frame's bytes before running them, so a frame longer than the data left is truncation.
    private void Frame(long length)
    {
        if (length < 0 || length > cursor.Remaining)
            throw cursor.Fail($"pickle FRAME of {length} bytes at offset {cursor.Position - 9} but {cursor.Remaining} bytes remain (truncated or corrupt)");
    }

    private object? Peek() => stack.Count > (marks.Count > 0 ? marks[^1] : 0)
        ? stack[^1]
        : throw cursor.Fail($"pickle stack underflow at offset {cursor.Position}");

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    // Protocol 0 ends a tuple that was memoised while its items were written with POPs that remove the items and
    // then the MARK itself; CPython's POP pops the mark when nothing is above it.
    private void PopValueOrMark()
    {
        if (marks.Count > 0 && stack.Count == marks[^1]) marks.RemoveAt(marks.Count - 1);
        else Pop();
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

    private object?[] Charged(object?[] items)
    {
        context.Charge(items.Length, cursor);
        return items;
    }

    private void Append(object?[] items)
    {
        Charged(items);
        switch (Peek())
        {
            case List<object?> list: list.AddRange(items); break;
            case PyObject placeholder: placeholder.Items.AddRange(items); break;
            case var other: throw cursor.Fail($"APPEND needs a list, got {TorchGlobals.Describe(other)}");
        }
    }

    private void AddToSet(object?[] items)
    {
        Charged(items);
        TorchGlobals.As<PySet>(Peek(), "a set", cursor).Items.AddRange(items);
    }

    private OrderedDictionary<object, object?> ToDict(object?[] items)
    {
        var dict = new OrderedDictionary<object, object?>();
        AddItems(dict, items);
        return dict;
    }

    private void SetItems(object?[] items) => AddItems(Peek() switch
    {
        OrderedDictionary<object, object?> dict => dict,
        PyObject placeholder => placeholder.Entries,
        var other => throw cursor.Fail($"SETITEM needs a dict, got {TorchGlobals.Describe(other)}"),
    }, items);

    private void AddItems(OrderedDictionary<object, object?> dict, object?[] items)
    {
        if (items.Length % 2 != 0) throw cursor.Fail("dict items are not key/value pairs");
        Charged(items);
        for (var i = 0; i < items.Length; i += 2) dict[TorchGlobals.DictKey(items[i], cursor)] = items[i + 1];
    }

    private void Put(long index)
    {
        if (memo.Count >= MaxMemo && !memo.ContainsKey(index)) throw cursor.Fail($"pickle memo exceeds {MaxMemo} entries");
        memo[index] = Peek();
    }

    private object? Get(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw cursor.Fail($"pickle memo has no entry {index}");

    private PyGlobal ReadGlobal() => new(Ascii(cursor.ReadLine(MaxGlobalName)), Ascii(cursor.ReadLine(MaxGlobalName)));

    private void StackGlobal()
    {
        var names = PopN(2);
        if (names[0] is not string module || names[1] is not string name) throw cursor.Fail("STACK_GLOBAL needs two strings");
        Push(new PyGlobal(module, name));
    }

    private void Reduce()
    {
        var args = TorchGlobals.As<PyTuple>(Pop(), "an argument tuple", cursor);
        var callee = TorchGlobals.As<PyGlobal>(Pop(), "a global to call", cursor);
        Push(TorchGlobals.Call(callee, Charged(args.Items), null, context, cursor));
    }

    private void NewObject(OrderedDictionary<object, object?>? kwargs)
    {
        var args = TorchGlobals.As<PyTuple>(Pop(), "an argument tuple", cursor);
        var type = TorchGlobals.As<PyGlobal>(Pop(), "a class to instantiate", cursor);
        Push(TorchGlobals.Call(type, Charged(args.Items), kwargs, context, cursor));
    }

    private void Instantiate(PyGlobal type, object?[] args) => Push(TorchGlobals.Call(type, Charged(args), null, context, cursor));

    private void Instantiate(object?[] classAndArgs)
    {
        if (classAndArgs.Length == 0) throw cursor.Fail("OBJ needs a class");
        Instantiate(TorchGlobals.As<PyGlobal>(classAndArgs[0], "a class to instantiate", cursor), classAndArgs[1..]);
    }

    // BUILD sets an object's state. Placeholders keep it; on real values it only sets attributes a reader ignores
    // (e.g. a state dict's _metadata).
    private void Build()
    {
        var state = Pop();
        if (Peek() is PyObject placeholder) placeholder.State = state;
    }

    private void PersistentLoad(object? id)
    {
        if (persistentLoad is null || id is not PyTuple tuple) throw cursor.Fail($"unexpected persistent id {TorchGlobals.Describe(id)} in this pickle");
        Push(persistentLoad(tuple));
    }

    private object ReadLong(long length)
    {
        if (length < 0 || length > MaxLongBytes) throw cursor.Fail($"pickled integer of {length} bytes is too long");
        var value = new BigInteger(cursor.Take(length), isUnsigned: false, isBigEndian: false);
        return Narrow(value);
    }

    // Python ints that fit stay long (the cast to object keeps the conditional from widening both to BigInteger).
    private static object Narrow(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    private object ReadTextInt()
    {
        var text = Ascii(cursor.ReadLine(MaxLongDigits));
        return text switch
        {
            "00" => false,
            "01" => true,
            _ => ParseInteger(text),
        };
    }

    private object ReadTextLong()
    {
        var text = Ascii(cursor.ReadLine(MaxLongDigits));
        return ParseInteger(text.EndsWith('L') ? text[..^1] : text);
    }

    private object ParseInteger(string text) =>
        IsDecimal(text) && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? Narrow(value)
            : throw cursor.Fail($"bad pickled integer '{text}'");

    // Python's int() accepts only ASCII digits after an optional sign; .NET would also take other Unicode digits.
    private static bool IsDecimal(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') || text.StartsWith('+') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private long ReadTextIndex()
    {
        var text = Ascii(cursor.ReadLine(20));
        return IsDecimal(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw cursor.Fail($"bad pickle memo index '{text}'");
    }

    private double ReadTextFloat()
    {
        var text = Ascii(cursor.ReadLine(64));
        return text switch
        {
            // Python writes repr(): 'nan' is the positive quiet NaN (.NET's double.NaN has the sign bit set).
            "nan" => BitConverter.Int64BitsToDouble(0x7ff8000000000000),
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ when text.Length > 0 && !text.AsSpan().ContainsAnyExcept("0123456789+-.eE") &&
                   double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
            _ => throw cursor.Fail($"bad pickled float '{text}'"),
        };
    }

    /// <summary>Protocol 0's strings: Latin-1 bytes in which \uXXXX and \UXXXXXXXX stand for other code points.</summary>
    private string RawUnicodeEscape(ReadOnlySpan<byte> line)
    {
        var text = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            var digits = line[i] == '\\' && i + 1 < line.Length ? line[i + 1] switch { (byte)'u' => 4, (byte)'U' => 8, _ => 0 } : 0;
            if (digits == 0)
            {
                text.Append((char)line[i]);
                continue;
            }
            if (i + 2 + digits > line.Length ||
                !uint.TryParse(line.Slice(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ||
                code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                throw cursor.Fail($"bad \\u escape in a protocol 0 string before offset {cursor.Position}");
            text.Append(char.ConvertFromUtf32((int)code));
            i += 1 + digits;
        }
        return text.ToString();
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

/// <summary>
/// What the pickles of one file share: a budget of work of a small multiple of the file's size, charged by what
/// each operation costs (an item put into a container, a container made, an element or byte a builder copies), the
/// values built once from memoised ones, and the placeholder globals met, counted by name.
/// </summary>
/// <remarks>Honest pickles spend at most about one unit per byte: every item was pushed by at least one opcode.</remarks>
internal sealed class PickleContext(long fileLength)
{
    private const long UnitsPerByte = 4;
    private const long MinimumBudget = 1 << 20;

    /// <summary>What making an empty mutable container costs: about 85 bytes with its stack slot: an eighth of the budget of a byte, so a file of nothing else stops an eighth of the way in.</summary>
    public const long ContainerUnits = 32;

    private readonly long budget = Math.Max(MinimumBudget, UnitsPerByte * fileLength);
    private long spent;
    private readonly OrderedDictionary<string, int> placeholders = new(StringComparer.Ordinal);

    /// <summary>Placeholder globals met, name → how many objects they would have made, in the order first met.</summary>
    public IReadOnlyDictionary<string, int> Placeholders => placeholders;

    /// <summary>The OrderedDicts already built from a memoised list, so another REDUCE over it does not copy it again.</summary>
    public Dictionary<List<object?>, (int Count, OrderedDictionary<object, object?> Dict)> DictsFromLists { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Values a builder made from one memoised value (a string's Latin-1 bytes, a tuple's integers), shared by every
    /// later call on the same value because readers only read them: calling a builder on one memoised 1 MiB string
    /// again and again once copied it every time.
    /// </summary>
    public Dictionary<object, object> Built { get; } = new(ReferenceEqualityComparer.Instance);

    public void Charge(long units, ByteCursor cursor)
    {
        spent += units;
        if (spent > budget)
            throw cursor.Fail($"pickle does more than {budget:N0} units of work for a file of {fileLength:N0} bytes (amplification: containers copied or rebuilt far more often than a real checkpoint does)");
    }

    public void CountPlaceholder(PyGlobal global) =>
        placeholders[global.FullName] = placeholders.GetValueOrDefault(global.FullName) + 1;
}
