"""The files tools/package-test.sh hands its new user: TinyCifarNet's weights as a checkpoint and an input.

The new user's program (tools/package-test/Program.cs) loads weights from a file and runs an input from a file, as
a user of the package would, so it needs neither the repository's test aids nor Python. Both are the deterministic
values of tools/deterministic.py, for which tools/make_references.py recorded PyTorch's logits
(tests/references/parity/TinyCifarNet.json):
- tests/references/package/tiny-cifar.safetensors: every manifest entry (tests/references/manifests/TinyCifarNet.json)
  under its torchvision name, float32, written as the safetensors format specifies (8-byte little-endian header
  length, JSON header, data);
- tests/references/package/tiny-cifar.input.f32: the first parity case's input, float32 little-endian, NCHW.

Run with /usr/bin/python3 (numpy): /usr/bin/python3 tools/make_package_test_files.py
"""
import json
import os
import struct

import numpy as np

import deterministic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "references", "package")


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors:
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    with open(os.path.join(ROOT, "tests", "references", "manifests", "TinyCifarNet.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(ROOT, "tests", "references", "parity", "TinyCifarNet.json")) as f:
        shape = json.load(f)["cases"][0]["inputShape"]
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, "tiny-cifar.safetensors"),
                      [(name, deterministic.values(name, dims)) for name, dims in manifest["parameters"]])
    deterministic.input_values(*shape).astype("<f4").tofile(os.path.join(OUT, "tiny-cifar.input.f32"))
    print("wrote", OUT, "input", shape)


if __name__ == "__main__":
    main()
