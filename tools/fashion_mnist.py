"""Reads the Fashion-MNIST IDX files (optionally gzipped) into uint8 numpy arrays."""
import gzip
import os

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def _open(stem):
    for name, opener in ((stem, open), (stem + ".gz", gzip.open)):
        path = os.path.join(DATA_DIR, name)
        if os.path.exists(path):
            return opener(path, "rb")
    raise FileNotFoundError(f"{stem}[.gz] not found in {DATA_DIR}")


def _read_idx(stem):
    with _open(stem) as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    """split 'train' or 't10k' -> (images uint8 [N, 28, 28], labels uint8 [N])."""
    return _read_idx(f"{split}-images-idx3-ubyte"), _read_idx(f"{split}-labels-idx1-ubyte")
