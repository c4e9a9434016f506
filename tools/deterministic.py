"""Deterministic parameter and input values, by canonical (torchvision) tensor name.

For tensor NAME and element index i (row-major): seed s = FNV-1a 32-bit of NAME's UTF-8 bytes;
h = (i * 2654435761 + s) mod 2^32; h ^= h >> 16; h = h * 0x7feb352d mod 2^32; h ^= h >> 15;
h = h * 0x846ca68b mod 2^32; h ^= h >> 16; u = h / 2^32. In float64, stored as float32:
conv weight (2u-1)*sqrt(6/fan_in); BN weight 0.5+u; BN bias 0.2(u-0.5); running_mean 0.2(u-0.5);
running_var 0.5+u; classifier weight (2u-1)*sqrt(1/in); classifier bias 0.2(u-0.5); the input
(NAME "input") 2u-1.

Full-size nets get their parity references from these values, so no checkpoint is committed; the
C# twin is runtime/Checkpoints/DeterministicWeights.cs and both must agree bit-for-bit
(tests/references/parity/deterministic_samples.json pins that).

Run as a script to (re)write that samples file.
"""
import json
import math
import os

import numpy as np

MASK32 = np.uint64(0xFFFFFFFF)


def fnv1a32(name):
    h = 2166136261
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def uniform(name, count):
    """u in [0, 1) for element indices 0..count-1 of the tensor called name (float64)."""
    h = np.arange(count, dtype=np.uint64)
    h = (h * np.uint64(2654435761) + np.uint64(fnv1a32(name))) & MASK32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x7FEB352D)) & MASK32
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x846CA68B)) & MASK32
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0


def values(name, shape):
    """The float32 values of the canonical parameter or BN buffer called name, chosen by its suffix."""
    shape = tuple(int(d) for d in shape)
    u = uniform(name, int(np.prod(shape, dtype=np.int64)))
    leaf, rank, classifier = name.rsplit(".", 1)[-1], len(shape), name.startswith("classifier.")
    if classifier and leaf == "weight" and rank == 2:
        v = (2 * u - 1) * math.sqrt(1.0 / shape[1])
    elif classifier and leaf == "bias":
        v = 0.2 * (u - 0.5)
    elif leaf == "weight" and rank == 4:
        v = (2 * u - 1) * math.sqrt(6.0 / (shape[1] * shape[2] * shape[3]))
    elif leaf in ("weight", "running_var") and rank == 1:
        v = 0.5 + u
    elif leaf in ("bias", "running_mean") and rank == 1:
        v = 0.2 * (u - 0.5)
    else:
        raise ValueError(f"no deterministic rule for parameter '{name}' {list(shape)}")
    return v.astype(np.float32).reshape(shape)


def input_values(n, c, h, w):
    """The deterministic input tensor [n, c, h, w] (float32): 2u - 1 with name 'input'."""
    return (2 * uniform("input", n * c * h * w) - 1).astype(np.float32).reshape(n, c, h, w)


# One tensor per rule; indices include the last element to exercise large i.
SAMPLES = [
    ("features.conv0.weight", [64, 3, 7, 7]),
    ("features.norm0.weight", [64]),
    ("features.denseblock1.denselayer2.norm1.bias", [96]),
    ("features.transition1.norm.running_mean", [256]),
    ("features.denseblock2.denselayer3.norm1.running_var", [192]),
    ("classifier.weight", [1000, 1024]),
    ("classifier.bias", [1000]),
]
INPUT_SHAPE = [2, 3, 224, 192]


def _sample(flat):
    indices = [0, 1, 2, 3, 4, len(flat) - 1]
    return {"indices": indices, "values": [float(flat[i]) for i in indices]}


def main():
    tensors = [dict(name=n, shape=s, fnv1a=fnv1a32(n), **_sample(values(n, s).ravel())) for n, s in SAMPLES]
    out = {"tensors": tensors, "input": dict(shape=INPUT_SHAPE, **_sample(input_values(*INPUT_SHAPE).ravel()))}
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "tests", "references", "parity", "deterministic_samples.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("{\n \"tensors\": [\n  " + ",\n  ".join(json.dumps(t) for t in tensors) + "\n ],\n")
        f.write(" \"input\": " + json.dumps(out["input"]) + "\n}\n")
    print(open(path).read())


if __name__ == "__main__":
    main()
