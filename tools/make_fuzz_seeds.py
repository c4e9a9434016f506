#!/usr/bin/python3
"""Writes small fuzzing seeds (tests/DenseNetGen.Fuzz/seeds/), one per container and pickle shape the readers know.

Run with /usr/bin/python3 (PyTorch 1.13). The reference checkpoints are 35-58 KB, mostly tensor bytes, so afl-fuzz
spends its mutations on data the parsers only copy; these few-hundred-byte files put the structure up front. They
do not bind to any net: the target's binder rejects them after the readers have parsed every byte.
"""
import io
import os
from collections import OrderedDict

import torch

from make_checkpoints import safetensors_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "DenseNetGen.Fuzz", "seeds")


def tiny_state():
    base = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 7
    return OrderedDict([
        ("features.conv0.weight", base),
        ("features.norm0.running_mean", base[1]),  # a view into the same storage
        ("features.norm0.num_batches_tracked", torch.tensor(3)),
        ("classifier.bias", torch.tensor([0.5, -1.25], dtype=torch.float16)),
    ])


def saved(obj, **kwargs):
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    state = tiny_state()
    seeds = {
        "tiny_zip.pth": saved(state),
        "tiny_zip_protocol4.pth": saved(state, pickle_protocol=4),
        "tiny_legacy.pth": saved(state, _use_new_zipfile_serialization=False),
        "tiny_mmpretrain_legacy.pth": saved({"meta": {"epoch": 1, "CLASSES": ("a", "b")}, "state_dict": state},
                                       _use_new_zipfile_serialization=False),
        "tiny_dataparallel.pth": saved(OrderedDict(("module." + k, v) for k, v in state.items())),
        "tiny_float32.safetensors": safetensors_bytes(state, torch.float32),
        "tiny_float16.safetensors": safetensors_bytes(state, torch.float16),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
