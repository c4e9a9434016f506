#!/usr/bin/python3
"""An independent reader for the .safetensors files `densenet convert` writes, checked against torch.load.

Run with /usr/bin/python3 (PyTorch 1.13, which has no safetensors package: the file is parsed here with json,
struct and numpy, following the format's specification, not with any code of DenseNetGen).

  safetensors_reference.py make
      writes tests/references/checkpoints/converted.json: for each source checkpoint whose keys are already
      torchvision's names, the tensors a conversion must hold (name, shape, SHA-256 of the float32 little-endian
      bytes, in state_dict order, num_batches_tracked left out as the binder does). The C# tests compare the files
      SafetensorsWriter writes with it.
  safetensors_reference.py verify CONVERTED.safetensors SOURCE.pth
      parses CONVERTED and checks every tensor equals SOURCE's (as torch.load reads it, upcast to float32) bit for
      bit, that nothing else is in the file, and prints its metadata.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINTS = os.path.join(ROOT, "tests", "references", "checkpoints")
SOURCES = ["torchvision.pth", "torchvision_fp16.pth", "dataparallel.pth"]


def source_tensors(path):
    """The source's tensors as float32 numpy arrays, under torchvision's names (DataParallel's prefix dropped)."""
    state = torch.load(path, map_location="cpu")
    state = state.get("state_dict", state)
    tensors = {}
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        name = key[len("module."):] if key.startswith("module.") else key
        tensors[name] = value.detach().to(torch.float32).contiguous().numpy()
    return tensors


def read_safetensors(path):
    """(metadata, {name: float32 array}) from a .safetensors file, validating its layout strictly."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError(f"header of {length} bytes runs past the file")
    header = json.loads(data[8:8 + length].decode("utf-8"))
    body = data[8 + length:]
    metadata = header.pop("__metadata__", {})
    tensors, expected_begin = {}, 0
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if entry["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {entry['dtype']}, expected F32")
        if begin != expected_begin or end < begin:
            raise ValueError(f"{name}: data_offsets {begin}..{end} leave a gap or overlap (expected to start at {expected_begin})")
        count = int(np.prod(entry["shape"], dtype=np.int64))
        if end - begin != 4 * count:
            raise ValueError(f"{name}: shape {entry['shape']} needs {4 * count} bytes, data_offsets give {end - begin}")
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(entry["shape"])
        expected_begin = end
    if expected_begin != len(body):
        raise ValueError(f"{len(body) - expected_begin} bytes after the last tensor")
    return metadata, tensors


def make():
    reference = {}
    for file in SOURCES:
        tensors = source_tensors(os.path.join(CHECKPOINTS, file))
        reference[file] = [
            {"name": name, "shape": list(array.shape), "sha256": hashlib.sha256(array.astype("<f4").tobytes()).hexdigest()}
            for name, array in tensors.items()
        ]
    out = os.path.join(CHECKPOINTS, "converted.json")
    with open(out, "w") as f:  # one tensor a line
        f.write("{\n" + ",\n".join(
            f"  {json.dumps(file)}: [\n" + ",\n".join(f"    {json.dumps(t)}" for t in tensors) + "\n  ]"
            for file, tensors in reference.items()) + "\n}\n")
    print(f"wrote {out}: {', '.join(f'{k} ({len(v)} tensors)' for k, v in reference.items())}")


def verify(converted, source):
    metadata, tensors = read_safetensors(converted)
    expected = source_tensors(source)
    if list(tensors) != list(expected):
        missing, extra = set(expected) - set(tensors), set(tensors) - set(expected)
        raise SystemExit(f"names differ: missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}")
    for name, array in expected.items():
        if array.shape != tensors[name].shape or array.astype("<f4").tobytes() != tensors[name].tobytes():
            raise SystemExit(f"{name}: differs from the source")
    print(f"ok: {converted} holds the {len(tensors)} tensors of {source} bit for bit; metadata {json.dumps(metadata, sort_keys=True)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["make"]:
        make()
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
