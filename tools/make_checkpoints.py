#!/usr/bin/python3
"""Writes the reference checkpoints the weight binder's tests read (tests/references/checkpoints/).

Run with /usr/bin/python3 (PyTorch 1.13, torchvision 0.14). The net follows tests/specs/odd-imagenet.densenet.json
and is built from torchvision's own DenseNet modules, so every key name and tensor layout comes from PyTorch.
Files written by hand (the 2017-style legacy file, safetensors, malicious and corrupt files) follow the
formats byte for byte, as torch.save / safetensors would write them.
"""
import io
import json
import math
import os
import struct
import zipfile
from collections import OrderedDict

import torch
import torch.nn as nn
from torchvision.models.densenet import _DenseBlock, _Transition

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "references", "checkpoints")
SPEC = os.path.join(ROOT, "tests", "specs", "odd-imagenet.densenet.json")

# torch.save writes this before anything else in the legacy format.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
# The marker the malicious files would create if a reader ever executed them.
PWNED_MARKER = "/tmp/densenetgen-checkpoint-pwned"


def build_torchvision_net(spec):
    """torchvision's DenseNet tree, but with the spec's compression (torchvision hard-codes 0.5)."""
    k, bn, c = spec["growthRate"], spec["bnSize"], spec["initChannels"]
    features = nn.Sequential(OrderedDict([
        ("conv0", nn.Conv2d(spec["inChannels"], c, 7, 2, 3, bias=False)),
        ("norm0", nn.BatchNorm2d(c)),
        ("relu0", nn.ReLU(inplace=True)),
        ("pool0", nn.MaxPool2d(3, 2, 1)),
    ]))
    blocks = spec["blockConfig"]
    for i, layers in enumerate(blocks):
        features.add_module(f"denseblock{i + 1}", _DenseBlock(layers, c, bn, k, 0.0))
        c += layers * k
        if i != len(blocks) - 1:
            out = math.floor(c * spec["compression"])
            features.add_module(f"transition{i + 1}", _Transition(c, out))
            c = out
    features.add_module("norm5", nn.BatchNorm2d(c))
    net = nn.Module()
    net.features = features
    net.classifier = nn.Linear(c, spec["numClasses"])
    return net


class MmpretrainLayer(nn.Module):
    """mmpretrain's DenseLayer: norm1, conv1, act, norm2, conv2 (act has no state)."""

    def __init__(self, tv_layer):
        super().__init__()
        self.norm1, self.conv1 = tv_layer.norm1, tv_layer.conv1
        self.act = nn.ReLU()
        self.norm2, self.conv2 = tv_layer.norm2, tv_layer.conv2


def build_mmpretrain_classifier(tv, spec):
    """mmpretrain's ImageClassifier tree (backbone DenseNet + LinearClsHead) sharing the torchvision modules.

    Mirrors mmpretrain/models/backbones/densenet.py: stem = Sequential(conv, BN, act, maxpool); stages =
    ModuleList of DenseBlock whose layers live in `.block`; transitions = ModuleList of DenseTransition
    (Sequential norm/act/conv/pool) and, after the last stage, Sequential(BN, act)."""
    f = tv.features
    backbone = nn.Module()
    backbone.stem = nn.Sequential(f.conv0, f.norm0, nn.ReLU(), nn.MaxPool2d(3, 2, 1))
    backbone.stages = nn.ModuleList()
    backbone.transitions = nn.ModuleList()
    blocks = spec["blockConfig"]
    for i in range(len(blocks)):
        stage = nn.Module()
        tv_block = getattr(f, f"denseblock{i + 1}")
        stage.block = nn.ModuleList([MmpretrainLayer(layer) for layer in tv_block.values()])
        backbone.stages.append(stage)
        if i != len(blocks) - 1:
            tv_transition = getattr(f, f"transition{i + 1}")
            backbone.transitions.append(nn.Sequential(OrderedDict([
                ("norm", tv_transition.norm), ("act", nn.ReLU()),
                ("conv", tv_transition.conv), ("pool", nn.AvgPool2d(2, 2))])))
        else:
            backbone.transitions.append(nn.Sequential(f.norm5, nn.ReLU()))
    head = nn.Module()
    head.fc = tv.classifier
    model = nn.Module()
    model.backbone = backbone
    model.head = head
    return model


def randomize(net, generator):
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(int(torch.randint(1, 1000, (1,), generator=generator)))
            elif name.endswith("running_var"):
                t.copy_(0.5 + torch.rand(t.shape, generator=generator))
            elif name.endswith("weight") and t.dim() == 1:
                t.copy_(0.5 + torch.rand(t.shape, generator=generator))
            else:
                t.copy_(torch.randn(t.shape, generator=generator) * 0.3)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def save(obj, name, **kwargs):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    return path


# ---- a minimal protocol-2 pickler for the hand-written legacy files (2017 torch wrote Python 2 strings) ----

class Py2Pickler:
    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = {}

    def string(self, s):
        b = s.encode("utf-8")
        if len(b) < 256:
            self.out += b"U" + bytes([len(b)]) + b
        else:
            self.out += b"T" + struct.pack("<I", len(b)) + b

    def int(self, v):
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        elif -2**31 <= v < 2**31:
            self.out += b"J" + struct.pack("<i", v)
        else:
            b = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
            self.out += b"\x8a" + bytes([len(b)]) + b

    def global_(self, module, name):
        key = (module, name)
        if key in self.memo:
            self.out += b"h" + bytes([self.memo[key]])
            return
        self.out += b"c" + f"{module}\n{name}\n".encode()
        self.memo[key] = len(self.memo)
        self.out += b"q" + bytes([self.memo[key]])

    def tuple_of(self, writers):
        self.out += b"("
        for w in writers:
            w()
        self.out += b"t"

    def ints(self, values):
        self.tuple_of([lambda v=v: self.int(v) for v in values])

    def stop(self):
        self.out += b"."
        return bytes(self.out)


def pickled_int(v):
    p = Py2Pickler()
    p.int(v)
    return p.stop()


def pickled_sys_info():
    p = Py2Pickler()
    p.out += b"}("
    p.string("protocol_version"); p.int(LEGACY_PROTOCOL)
    p.string("little_endian"); p.out += b"\x88"
    p.string("type_sizes"); p.out += b"}("
    for k, v in (("short", 2), ("int", 4), ("long", 8)):
        p.string(k); p.int(v)
    p.out += b"u"
    p.out += b"u"
    return p.stop()


def pickled_key_list(keys):
    p = Py2Pickler()
    p.out += b"]("
    for k in keys:
        p.string(k)
    p.out += b"e"
    return p.stop()


def legacy_2017(state, legacy_names):
    """A legacy torch.save file as torch 0.1/0.2 wrote densenet121-a639ec97.pth: Python 2 strings,
    _rebuild_tensor with 4 arguments, an OrderedDict made by REDUCE over a list of pairs, no
    num_batches_tracked. norm0's weight and bias share one storage (the bias at an offset) and the
    classifier weight is a transposed (non-contiguous) view, to exercise offsets and strides."""
    storages = OrderedDict()  # key -> float32 values
    storages_key_of = {}  # tensor name -> its storage key
    tensors = []  # (name, key, offset, size, stride)
    for name, t in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        t = t.float()
        if name == "features.norm0.bias":
            key = storages_key_of["features.norm0.weight"]
            offset = len(storages[key])
            storages[key] = torch.cat([storages[key], t.reshape(-1)])
            tensors.append((name, key, offset, list(t.shape), [1]))
            continue
        key = str(len(storages) * 7 + 100)  # torch used str(id(storage)): arbitrary decimal strings
        storages_key_of[name] = key
        if name == "classifier.weight":
            rows, cols = t.shape
            storages[key] = t.t().contiguous().reshape(-1)
            tensors.append((name, key, 0, [rows, cols], [1, rows]))
        else:
            storages[key] = t.contiguous().reshape(-1)
            stride = [int(s) for s in t.contiguous().stride()]
            tensors.append((name, key, 0, list(t.shape), stride))

    p = Py2Pickler()
    p.global_("collections", "OrderedDict")
    p.out += b"]("
    for name, key, offset, size, stride in tensors:
        def storage_id(key=key):
            p.tuple_of([lambda: p.string("storage"), lambda: p.global_("torch", "FloatStorage"),
                        lambda: p.string(key), lambda: p.string("cpu"),
                        lambda: p.int(len(storages[key])), lambda: p.out.extend(b"N")])
            p.out += b"Q"

        def tensor(offset=offset, size=size, stride=stride, storage_id=storage_id):
            p.global_("torch._utils", "_rebuild_tensor")
            p.tuple_of([storage_id, lambda: p.int(offset), lambda: p.ints(size), lambda: p.ints(stride)])
            p.out += b"R"

        p.string(legacy_names.get(name, name))
        tensor()
        p.out += b"\x86"
    p.out += b"e\x85R"
    main = p.stop()

    keys = sorted(storages)
    body = bytearray(pickled_int(LEGACY_MAGIC) + pickled_int(LEGACY_PROTOCOL) + pickled_sys_info() + main
                     + pickled_key_list(keys))
    for key in keys:
        values = storages[key]
        body += struct.pack("<q", values.numel()) + values.numpy().astype("<f4").tobytes()
    return bytes(body)


def legacy_with_main_pickle(main):
    return pickled_int(LEGACY_MAGIC) + pickled_int(LEGACY_PROTOCOL) + pickled_sys_info() + main + pickled_key_list([])


def malicious_pickle(module, name, argument):
    p = Py2Pickler()
    p.out = bytearray(b"\x80\x02")
    p.out += b"c" + f"{module}\n{name}\n".encode()
    p.out += b"X" + struct.pack("<I", len(argument)) + argument.encode() + b"\x85R"
    return p.stop()


def safetensors_bytes(state, dtype):
    names = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        t = t.to(dtype) if t.is_floating_point() else t
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # safetensors pads the header with spaces to 8 bytes
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def stored(name):
    """A zip entry with a fixed date, so reruns write identical bytes."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def shrink_zip_entry(source, target, entry_suffix, keep):
    """Rewrites a torch zip with one storage record cut to `keep` bytes (a storage smaller than its tensor)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(entry_suffix):
                data = data[:keep]
            zout.writestr(stored(info.filename), data)


def checksums(state):
    out = OrderedDict()
    for name, t in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        d = t.double().reshape(-1)
        out[name] = {"sum": float(d.sum()), "sumOfSquares": float((d * d).sum()),
                     "first": [float(v) for v in d[:3]]}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(SPEC) as f:
        spec = json.load(f)
    generator = torch.Generator().manual_seed(20240611)
    tv = build_torchvision_net(spec)
    randomize(tv, generator)
    state = tv.state_dict()

    manifest = [{"name": n, "shape": list(t.shape)} for n, t in state.items() if not n.endswith("num_batches_tracked")]
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"spec": "tests/specs/odd-imagenet.densenet.json", "parameters": manifest}, f, indent=1)

    # torch >= 1.6 zip files
    save(state, "torchvision.pth")
    save(state, "weird_name.pth")  # record prefix "weird_name/", not "archive/"
    half = OrderedDict((n, t.half() if t.is_floating_point() else t) for n, t in state.items())
    save(half, "torchvision_fp16.pth")
    save(state, "protocol4.pth", pickle_protocol=4)  # FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL
    save(OrderedDict(("module." + n, t) for n, t in state.items()), "dataparallel.pth")
    views = OrderedDict(state)
    shared = torch.cat([state["features.norm5.weight"], state["features.norm5.bias"]])
    c = state["features.norm5.weight"].numel()
    views["features.norm5.weight"], views["features.norm5.bias"] = shared[:c], shared[c:]
    views["classifier.weight"] = state["classifier.weight"].t().contiguous().t()
    save(views, "views.pth")

    # legacy (pre-1.6) files
    save(state, "torchvision_legacy.pth", _use_new_zipfile_serialization=False)
    mm = build_mmpretrain_classifier(tv, spec)
    mm_meta = {"mmcls_version": "0.23.0", "epoch": 100, "iter": 500400, "time": "Tue Apr 26 2022",
               "CLASSES": [f"class{i}" for i in range(spec["numClasses"])], "config": "model = dict(...)",
               "seed": 0, "hook_msgs": {"best_score": 0.5}}
    mm_checkpoint = {"meta": mm_meta, "state_dict": mm.state_dict()}
    save(mm_checkpoint, "mmpretrain_legacy.pth", _use_new_zipfile_serialization=False)
    save(mm_checkpoint, "mmpretrain.pth")
    legacy_names = {}
    for n in state:
        parts = n.split(".")
        if "denselayer" in n and parts[-2][-1] in "12":
            legacy_names[n] = ".".join(parts[:-2] + [parts[-2][:-1], parts[-2][-1], parts[-1]])
    write("torchvision_2017.pth", legacy_2017(state, legacy_names))

    # safetensors (timm publishes these with torchvision's names)
    write("timm.safetensors", safetensors_bytes(state, torch.float32))
    write("timm_fp16.safetensors", safetensors_bytes(state, torch.float16))

    # malicious and corrupt files
    write("malicious_system.pth",
          legacy_with_main_pickle(malicious_pickle("posix", "system", f"touch {PWNED_MARKER}")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(stored("malicious_eval/data.pkl"),
                   malicious_pickle("builtins", "eval", f"open('{PWNED_MARKER}', 'w').close()"))
        z.writestr(stored("malicious_eval/version"), "3\n")
    write("malicious_eval.pth", buf.getvalue())
    write("huge_header.safetensors", struct.pack("<Q", 2**62) + b'{"a":{}}')
    sizes = {n: t.numel() for n, t in state.items()}
    shrink_zip_entry(os.path.join(OUT, "torchvision.pth"), os.path.join(OUT, "short_storage.pth"),
                     "/data/0", sizes[next(iter(state))] * 4 // 2)

    with open(os.path.join(OUT, "checksums.json"), "w") as f:
        json.dump({"float32": checksums(state), "float16": checksums(half), "pwnedMarker": PWNED_MARKER}, f, indent=1)


if __name__ == "__main__":
    main()
