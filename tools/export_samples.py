#!/usr/bin/python3
"""Export a few Fashion-MNIST test images as 28x28 gray PNGs into samples/fashion-mnist/.

For each chosen class it takes the first test image of that class and names the file after the
class, so `densenet predict samples/fashion-mnist/ankle-boot.png` has something to read.
Run with /usr/bin/python3 (needs numpy + OpenCV).
"""
import gzip
import os
import sys

import cv2
import numpy as np

CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
CHOSEN = ['Ankle boot', 'Sneaker', 'Trouser', 'Bag', 'Dress']
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


def read_idx(path, rank):
    with gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb') as f:
        data = f.read()
    assert data[:3] == b'\x00\x00\x08' and data[3] == rank, f'{path}: not a ubyte IDX file of rank {rank}'
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/datasets/fashion-mnist'
    images = read_idx(os.path.join(source, 't10k-images-idx3-ubyte.gz'), 3)
    labels = read_idx(os.path.join(source, 't10k-labels-idx1-ubyte.gz'), 1)
    out = os.path.join(ROOT, 'samples', 'fashion-mnist')
    os.makedirs(out, exist_ok=True)
    for name in CHOSEN:
        index = int(np.argmax(labels == CLASSES.index(name)))
        path = os.path.join(out, name.lower().replace(' ', '-') + '.png')
        cv2.imwrite(path, images[index], [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(f'{os.path.relpath(path, ROOT)}: test image {index}, label {labels[index]} ({name})')


if __name__ == '__main__':
    main()
