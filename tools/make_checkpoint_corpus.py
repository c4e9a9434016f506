#!/usr/bin/python3
"""Writes tests/references/checkpoints/corpus/: the checkpoints people have after training, and hostile ones.

Run with /usr/bin/python3 (PyTorch 1.13, numpy, argparse) after tools/make_checkpoints.py. Every real-world file
holds the reference weights of tests/references/checkpoints/torchvision.pth (the OddImageNet net, whose PyTorch
outputs are in outputs.json) the way a training script saves them, next to what that script saves beside them:

  meta_one_element_list[_legacy].pth  {'state_dict', 'meta': {'CLASSES': ['cat']}} (APPEND for the one-element list)
  meta_numpy.pth                      numpy scalars and arrays in 'meta'
  mmengine.pth                        mmengine's CheckpointHook: meta, state_dict (mmpretrain names), message_hub with
                                      HistoryBuffer objects holding numpy arrays, optimizer, param_schedulers
  timm_train.pth                      timm train.py: state_dict, state_dict_ema (the weights x 0.5), optimizer,
                                      argparse.Namespace args
  torchvision_train.pth               torchvision references train.py: model, model_ema (AveragedModel: 'module.'
                                      keys and n_averaged; the weights x 0.5), optimizer, lr_scheduler, args
  payload_in_meta.pth                 the weights, and in 'meta' calls of posix.system and builtins.eval that would
                                      create PWNED_MARKER if anything ran them
  numpy_weight.pth                    one weight saved as a numpy array: a tensor built by a placeholder

  fashion_timm_train.pth              the zoo's embedded fashion-mnist weights saved like timm's train.py (state_dict and
                                      state_dict_ema share their tensors), with numpy values in 'meta': for the CLI tests
  fashion_nan_weight.pth              those weights with a NaN and an Inf in conv0: for the CLI test

and the hostile files of issue 10, scaled so each stays under about 1 MB (their amplification is the point):

  hostile_ordered_dict_memo.pth       OrderedDict REDUCEd 5,000 times over one memoised list of 200,000 pairs
  hostile_ordered_dict_growing.pth    the same, but a pair is appended before every REDUCE (no dict can be reused)
  hostile_shared_storage.pth          20,000 keys viewing all of one 128 KB storage (plain torch.save)
  hostile_alias.safetensors           5,000 entries aliasing the same 64 KB range
  hostile_arabic_digit.pth            mmpretrain keys with an Arabic-Indic digit as the stage index
  hostile_huge_storage.pth            a storage declared as 2^40 elements over a record of 9,408 floats
  hostile_nan_weight.pth              the weights with a NaN in one conv weight
"""
import argparse
import io
import json
import os
import struct
import sys
import types
import zipfile
from collections import OrderedDict

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINTS = os.path.join(ROOT, "tests", "references", "checkpoints")
OUT = os.path.join(CHECKPOINTS, "corpus")
PWNED_MARKER = "/tmp/densenetgen-checkpoint-pwned"

# mmengine is not installed: a class with HistoryBuffer's module and name, holding what mmengine's holds
# (mmengine/logging/history_buffer.py: max_length, _log_history and _count_history numpy arrays), pickles exactly
# as mmengine's does (by module and qualified name, then its __dict__).
history_module = types.ModuleType("mmengine.logging.history_buffer")
for name in ("mmengine", "mmengine.logging"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["mmengine.logging.history_buffer"] = history_module


class HistoryBuffer:
    def __init__(self, log_history, count_history, max_length=1000000):
        self.max_length = max_length
        self._log_history = np.array(log_history)
        self._count_history = np.array(count_history)


HistoryBuffer.__module__ = "mmengine.logging.history_buffer"
history_module.HistoryBuffer = HistoryBuffer


class Payload:
    """Pickles as a call of a real function: loading it with pickle would run the command."""

    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return self.function, (self.argument,)


def reference_state():
    return torch.load(os.path.join(CHECKPOINTS, "torchvision.pth"), map_location="cpu")


def mmpretrain_state():
    legacy = torch.load(os.path.join(CHECKPOINTS, "mmpretrain_legacy.pth"), map_location="cpu")
    return legacy["state_dict"]


def halved(state):
    return OrderedDict((k, v * 0.5 if v.is_floating_point() else v.clone()) for k, v in state.items())


def sgd_state(state):
    params = [torch.nn.Parameter(v.clone()) for v in state.values() if v.is_floating_point()]
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4)
    for p in params:
        p.grad = torch.ones_like(p) * 0.01
    optimizer.step()
    return optimizer, optimizer.state_dict()


def save(obj, name, **kwargs):
    torch.save(obj, os.path.join(OUT, name), **kwargs)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def stored(name):
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def torch_zip(prefix, pickle_bytes, records=()):
    """A torch.save zip (stored entries) around a hand-written data.pkl."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr(stored(f"{prefix}/data.pkl"), pickle_bytes)
        for key, data in records:
            z.writestr(stored(f"{prefix}/data/{key}"), data)
        z.writestr(stored(f"{prefix}/version"), "3\n")
    return buffer.getvalue()


def real_world(state, mm_state):
    save({"state_dict": state, "meta": {"CLASSES": ["cat"]}}, "meta_one_element_list.pth")
    save({"state_dict": state, "meta": {"CLASSES": ["cat"]}}, "meta_one_element_list_legacy.pth",
         _use_new_zipfile_serialization=False)
    save({"state_dict": state, "meta": {"best_acc": np.float64(0.75), "epoch": np.int64(12),
                                        "confusion": np.arange(12, dtype=np.float32).reshape(3, 4),
                                        "classes": np.array(["cat", "dog"])}}, "meta_numpy.pth")

    optimizer, optimizer_state = sgd_state(mm_state)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[30, 60], gamma=0.1)
    classes = tuple(f"class{i}" for i in range(11))
    log_scalars = OrderedDict([
        ("train/lr", HistoryBuffer([0.1, 0.1, 0.01], [1, 1, 1])),
        ("train/loss", HistoryBuffer([2.3, 1.7, 1.2], [1, 1, 1])),
        ("val/accuracy/top1", HistoryBuffer([41.5, 57.25], [1, 1])),
    ])
    mmengine = {
        "meta": {"epoch": 3, "iter": 300, "cfg": "model = dict(type='ImageClassifier')\n", "seed": 0,
                 "experiment_name": "densenet_odd", "time": "20240611_120000", "mmengine_version": "0.10.4",
                 "dataset_meta": {"classes": classes}},
        "state_dict": mm_state,
        "message_hub": {"log_scalars": log_scalars,
                        "runtime_info": OrderedDict([("epoch", 3), ("iter", 300), ("max_epochs", 100),
                                                     ("max_iters", 10000), ("dataset_meta", {"classes": classes})]),
                        "resumed_keys": OrderedDict([("train/lr", True), ("train/loss", True), ("epoch", True)])},
        "optimizer": optimizer_state,
        "param_schedulers": [scheduler.state_dict()],
    }
    save(mmengine, "mmengine.pth")

    optimizer, optimizer_state = sgd_state(state)
    timm_args = argparse.Namespace(model="densenet121", lr=0.1, epochs=300, model_ema=True, model_ema_decay=0.9998,
                                   data_dir="/data/imagenet", batch_size=128, amp=True, smoothing=0.1)
    save({"epoch": 12, "arch": "densenet121", "state_dict": state, "optimizer": optimizer_state,
          "version": 2, "args": timm_args, "state_dict_ema": halved(state), "metric": 71.3}, "timm_train.pth")

    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    tv_args = argparse.Namespace(model="densenet121", lr=0.1, epochs=90, model_ema=True, output_dir="out",
                                 data_path="/data/imagenet", device="cuda", workers=16)
    ema = OrderedDict(("module." + k, v) for k, v in halved(state).items())
    ema["n_averaged"] = torch.tensor(1234)
    save({"model": state, "optimizer": optimizer_state, "lr_scheduler": scheduler.state_dict(), "epoch": 89,
          "args": tv_args, "model_ema": ema}, "torchvision_train.pth")

    save({"state_dict": state, "meta": {"note": Payload(os.system, f"touch {PWNED_MARKER}"),
                                        "more": Payload(eval, f"open('{PWNED_MARKER}', 'w').close()")}},
         "payload_in_meta.pth")

    fashion = torch.load(os.path.join(ROOT, "specs", "weights", "fashion_mnist_densenet.pth"), map_location="cpu")
    save({"epoch": 30, "arch": "fashion-mnist", "state_dict": fashion, "version": 2, "args": timm_args,
          "state_dict_ema": fashion, "meta": {"mean": np.array([0.286], dtype=np.float32), "std": np.float64(0.353)}},
         "fashion_timm_train.pth")
    fashion_nan = OrderedDict(fashion)
    fashion_nan["features.conv0.weight"] = fashion["features.conv0.weight"].clone()
    fashion_nan["features.conv0.weight"].view(-1)[[0, 5]] = torch.tensor([float("nan"), float("inf")])
    save(fashion_nan, "fashion_nan_weight.pth")

    with_numpy = OrderedDict(state)
    with_numpy["features.norm0.bias"] = state["features.norm0.bias"].numpy()
    save(with_numpy, "numpy_weight.pth")


def ordered_dict_pickle(pairs, repeats, grow):
    """{'meta': [OrderedDict(L), ...]} over one memoised list L of identical pairs (protocol 2)."""
    out = bytearray(b"\x80\x02}q\x00X\x04\x00\x00\x00metaq\x01]q\x02")
    out += b"ccollections\nOrderedDict\nq\x030"  # the global, memoised as 3 and dropped
    out += b"]q\x04(K\x01K\x02\x86q\x05" + b"h\x05" * (min(1000, pairs) - 1) + b"e"  # L (memo 4) of the pair (memo 5)
    for start in range(1000, pairs, 1000):
        out += b"(" + b"h\x05" * min(1000, pairs - start) + b"e"
    out += b"0"  # drop L
    # the stack now holds the top dict, 'meta' and the result list (memo 2)
    for _ in range(repeats):
        if grow:
            out += b"h\x04h\x05a0"  # L.append(pair), then drop L
        out += b"h\x03h\x04\x85Ra"  # OrderedDict((L,)) appended to the result list
    out += b"s."
    return bytes(out)


def hostile(state, mm_state, full=False):
    """full: the sizes of issue 10's table (4 MB storages; files of 4.5-20 MB, for measuring, not committed)."""
    write("hostile_ordered_dict_memo.pth", torch_zip("hostile_ordered_dict_memo", ordered_dict_pickle(200_000, 5000, False)))
    write("hostile_ordered_dict_growing.pth", torch_zip("hostile_ordered_dict_growing", ordered_dict_pickle(200_000, 5000, True)))

    shared = torch.arange((1024 if full else 32) * 1024, dtype=torch.float32)
    save(OrderedDict((f"features.block.{i}.weight", shared) for i in range(20_000)), "hostile_shared_storage.pth")

    header, size = {}, (4096 if full else 64) * 1024
    for i in range(5000):
        header[f"features.alias{i}.weight"] = {"dtype": "F32", "shape": [size // 4], "data_offsets": [0, size]}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    write("hostile_alias.safetensors", struct.pack("<Q", len(text)) + text + bytes(size))

    arabic = OrderedDict((k.replace("backbone.stages.0.", "backbone.stages.\u0660."), v) for k, v in mm_state.items())
    save({"state_dict": arabic}, "hostile_arabic_digit.pth")

    conv = torch.zeros(64, 3, 7, 7)  # 9,408 floats, DenseNet-121's conv0
    buffer = io.BytesIO()
    torch.save({"features.conv0.weight": conv}, buffer)
    with zipfile.ZipFile(buffer) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    numel = b"M" + struct.pack("<H", 9408)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            if name.endswith("/data.pkl"):
                assert data.count(numel) == 1
                data = data.replace(numel, b"\x8a\x06" + (2**40).to_bytes(6, "little"))
            z.writestr(stored(name.replace("archive/", "hostile_huge_storage/")), data)
    write("hostile_huge_storage.pth", out.getvalue())

    nan = OrderedDict(state)
    nan["features.conv0.weight"] = state["features.conv0.weight"].clone()
    nan["features.conv0.weight"][1, 2, 3, 4] = float("nan")
    save(nan, "hostile_nan_weight.pth")


def main():
    global OUT
    full = len(sys.argv) == 3 and sys.argv[1] == "--full"
    if full:
        OUT = sys.argv[2]  # python3 tools/make_checkpoint_corpus.py --full /tmp/hostile: the sizes only
    os.makedirs(OUT, exist_ok=True)
    state, mm_state = reference_state(), mmpretrain_state()
    if not full:
        real_world(state, mm_state)
    hostile(state, mm_state, full)
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):>9,}  {name}")


if __name__ == "__main__":
    main()
