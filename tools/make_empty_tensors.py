#!/usr/bin/python3
"""Writes the .safetensors files with zero-element tensors that the reader's and binder's tests read.

Run with /usr/bin/python3 (PyTorch 1.13; torchvision is not needed: the reference net's weights come from
torchvision.pth, which make_checkpoints.py wrote). The layout follows the format's specification as
make_checkpoints.py's writer does; the tensors are PyTorch's own (torch.zeros(0, 3) has shape [0, 3] and no bytes,
so its data_offsets are an empty range, which the format allows).

  empty_tensors.safetensors  three tensors with no elements ([0, 3], [3, 0], [0]) beside one with two
  empty_weight.safetensors   the reference net (tests/specs/odd-imagenet.densenet.json) with classifier.bias empty
"""
import json
import os
import struct
from collections import OrderedDict

import torch

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "references", "checkpoints")


def safetensors_bytes(state):
    """An 8-byte little-endian header length, the JSON header padded with spaces to 8 bytes, the F32 data in order."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        data = t.to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    empties = OrderedDict([
        ("empty.rows", torch.zeros(0, 3)),
        ("pair", torch.tensor([1.5, -2.0])),
        ("empty.columns", torch.zeros(3, 0)),
        ("empty.vector", torch.zeros(0)),
    ])
    write("empty_tensors.safetensors", safetensors_bytes(empties))

    loaded = torch.load(os.path.join(OUT, "torchvision.pth"), map_location="cpu")
    state = OrderedDict((n, t) for n, t in loaded.items() if not n.endswith("num_batches_tracked"))
    state["classifier.bias"] = torch.zeros(0)
    write("empty_weight.safetensors", safetensors_bytes(state))


if __name__ == "__main__":
    main()
