#!/usr/bin/python3
"""Writes tests/references/pickle/opcodes.json: data pickled by CPython in every protocol, with the opcodes
pickletools sees in each pickle and the value CPython's own unpickler reads back, for the C# pickle reader's tests.

Run with /usr/bin/python3. Values are written in a tagged JSON form that the C# test produces from its reader's
values too. Globals that build no data are read back here by an unpickler whose find_class returns recording
placeholder classes (nothing is imported): the reference for the reader's own inert placeholders.

Every opcode CPython's pickler writes for data in protocols 0-5 appears in some pickle; the script checks that
and fails otherwise. A few opcodes the pickler only writes for objects over 4 GiB (BINUNICODE8, BINBYTES8) or
never writes in Python 3 (STRING, BINSTRING, SHORT_BINSTRING, INST, OBJ) are written by hand below and still read
back by CPython's unpickler for the expected value.
"""
import io
import json
import os
import pickle
import pickletools
import struct
import sys
import types
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "references", "pickle", "opcodes.json")

# A module the pickler can find the sample classes in (pickle stores classes by module and qualified name).
sample_module = types.ModuleType("sample_pkg.models")
sys.modules["sample_pkg"] = types.ModuleType("sample_pkg")
sys.modules["sample_pkg.models"] = sample_module


class Thing:
    def __init__(self):
        self.name = "thing"
        self.values = [1, 2.5]


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1
        self.b = "two"


class ListLike(list):
    pass


class KwOnly:
    """Pickled with NEWOBJ_EX (protocol 4+): __getnewargs_ex__ with keyword arguments."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __getnewargs_ex__(self):
        return (1,), {"scale": 2.0}


for cls in (Thing, Slotted, ListLike, KwOnly):
    cls.__module__ = "sample_pkg.models"
    setattr(sample_module, cls.__name__, cls)


def cases():
    shared = [1, "shared"]
    yield "none", None
    yield "bools", [True, False]
    yield "small_ints", [0, 1, 255, 256, 65535, 65536, -1, -256, 2**31 - 1, -2**31]
    yield "big_ints", [2**31, -2**31 - 1, 2**63 - 1, -2**63, 2**63, 2**200, -2**300, 2**2100]
    yield "floats", [0.0, -0.0, 1.5, 0.1, 1e300, -2.5e-300, float("inf"), float("-inf"), float("nan")]
    yield "strings", ["", "ascii", "ünïcödé", "中文", "emoji 😀", "back\\slash", "new\nline\r\x1a\x00", "x" * 300]
    yield "bytes", [b"", b"\x00\xff\x80", bytes(range(256)) * 2]
    yield "bytearrays", [bytearray(), bytearray(b"\x01\x02\xff")]
    yield "tuples", [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1,), ())]
    yield "one_element_list", {"CLASSES": ["cat"]}
    yield "lists", [[], [1, 2], [[["deep"]]]]
    yield "list_1001", list(range(1001))
    yield "dict_one", {"a": 1}
    yield "dicts", {"a": 1, "b": [2], 3: "int key", 2.5: "float key", True: "bool key", (1, 2): "tuple key"}
    yield "dict_1001", {f"k{i}": i for i in range(1001)}
    yield "ordered_dict", OrderedDict([("w", 1), ("b", 2)])
    yield "sets", [set(), {1, 2, 3}, frozenset(), frozenset({"a"})]
    yield "memo_shared", [shared, shared, (shared,)]
    names = [f"s{i}" for i in range(300)]
    yield "memo_over_256", [names, names[299], names[0]]
    cycle = []
    cycle.append((cycle,))
    yield "recursive_tuple", cycle[0]
    yield "object", Thing()
    yield "slotted_object", Slotted()
    yield "list_subclass", ListLike([1, 2])
    yield "newobj_ex", KwOnly()


# ---- the reference unpickler: data globals are real, every other global a recording placeholder ----

DATA_GLOBALS = {
    ("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
    ("builtins", "bytes"), ("__builtin__", "set"), ("__builtin__", "frozenset"), ("__builtin__", "bytearray"),
    ("__builtin__", "bytes"), ("_codecs", "encode"),
}


class Placeholder:
    """Base of the recording classes: what was called with what, its state and any items added to it."""
    global_name = None

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self.args, self.kwargs, self.state, self.items, self.entries = list(args), kwargs, None, [], []
        return self

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state

    def append(self, item):
        self.items.append(item)

    def extend(self, items):
        self.items.extend(items)

    def __setitem__(self, key, value):
        self.entries.append((key, value))


class RecordingUnpickler(pickle.Unpickler):
    def __init__(self, data):
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.classes = {}

    def find_class(self, module, name):
        if (module, name) in DATA_GLOBALS:
            return super().find_class(module, name)
        key = f"{module}.{name}"
        if key not in self.classes:
            self.classes[key] = type(name, (Placeholder,), {"global_name": key})
        return self.classes[key]


def tagged(v, path=()):
    """The JSON form the C# test writes too. A container met again inside itself is {"cycle": levels up}."""
    for up, outer in enumerate(reversed(path)):
        if outer is v:
            return {"cycle": up + 1}
    if isinstance(v, (tuple, list, dict, set, frozenset, Placeholder)):
        path = path + (v,)
    return tagged_value(v, lambda x: tagged(x, path))


def tagged_value(v, tagged):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": struct.pack(">d", v).hex()}
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, tuple):
        return {"tuple": [tagged(x) for x in v]}
    if isinstance(v, list):
        return {"list": [tagged(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[tagged(k), tagged(x)] for k, x in v.items()]}
    if isinstance(v, frozenset):
        return {"frozenset": [tagged(x) for x in v]}
    if isinstance(v, set):
        return {"set": [tagged(x) for x in v]}
    if isinstance(v, type) and issubclass(v, Placeholder):
        return {"global": v.global_name}
    if isinstance(v, Placeholder):
        return {"object": v.global_name, "args": [tagged(x) for x in v.args],
                "kwargs": [[tagged(k), tagged(x)] for k, x in v.kwargs.items()], "state": tagged(v.state),
                "items": [tagged(x) for x in v.items], "entries": [[tagged(k), tagged(x)] for k, x in v.entries]}
    raise TypeError(f"no tagged form for {type(v)}")


def opcodes(data):
    return sorted({op.name for op, _, _ in pickletools.genops(data)})


def entry(name, protocol, data):
    return {"name": name, "protocol": protocol, "pickle": data.hex(), "opcodes": opcodes(data),
            "value": tagged(RecordingUnpickler(data).load())}


def handwritten():
    """Opcodes CPython reads but its Python 3 pickler writes only for > 4 GiB objects or never."""
    yield "binunicode8", b"\x80\x04\x8d" + struct.pack("<Q", 3) + "é!".encode() + b"."
    yield "binbytes8", b"\x80\x04\x8e" + struct.pack("<Q", 2) + b"\x01\x02."
    yield "python2_strings", b"\x80\x02(U\x03abcT" + struct.pack("<i", 2) + b"det."
    yield "python2_quoted_string", b"S'f\\'g'\n."  # the reader refuses STRING: see the C# test
    yield "inst", b"(I1\nisample_pkg.models\nOld\n."
    yield "obj", b"(csample_pkg.models\nOld\nI2\no."
    yield "dup", b"\x80\x02K\x072\x86."


# Opcodes that only out-of-band buffers, persistent ids (the torch readers' tests cover BINPERSID) or the copyreg
# extension registry produce: not data, and refused by the reader with a clear message.
NOT_DATA = {"NEXT_BUFFER", "READONLY_BUFFER", "PERSID", "BINPERSID", "EXT1", "EXT2", "EXT4"}


def main():
    out = []
    for name, value in cases():
        for protocol in range(0, 6):
            if name == "newobj_ex" and protocol < 4 or name == "slotted_object" and protocol < 2:
                continue  # keyword __getnewargs_ex__ needs protocol 4, __slots__ without __getstate__ protocol 2
            out.append(entry(name, protocol, pickle.dumps(value, protocol=protocol)))
    for name, data in handwritten():
        out.append(entry(name, None, data))
    seen = set().union(*(set(e["opcodes"]) for e in out))
    missing = {op.name for op in pickletools.opcodes} - NOT_DATA - seen
    if missing:
        raise SystemExit(f"no pickle here uses {sorted(missing)}")
    # STRING's quoted escapes are not read (Python 3 never writes it): keep its case to the refusal test.
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"notData": sorted(NOT_DATA), "cases": out}, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out)} pickles, {len(seen)} opcodes, to {OUT}")


if __name__ == "__main__":
    main()
