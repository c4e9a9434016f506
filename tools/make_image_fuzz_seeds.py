#!/usr/bin/python3
"""Writes tiny images (tests/DenseNetGen.Fuzz/seeds/images/), the image decoder's fuzzing seeds: one per format
and pixel layout Skia decodes, each a few hundred bytes so afl-fuzz's mutations land in headers and chunks.

Run with /usr/bin/python3 (OpenCV). The EXIF seed carries an orientation tag, so the rotation path is reached.
"""
import os
import struct

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "DenseNetGen.Fuzz", "seeds", "images")


def with_exif_orientation(jpeg, orientation):
    """Inserts an APP1 Exif segment (little-endian TIFF, one IFD entry: Orientation) after SOI."""
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + b"\x00" * 4
    payload = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(10)
    colour = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (5, 7), dtype=np.uint8)
    alpha = np.dstack([colour, np.full((6, 8), 128, np.uint8)])
    seeds = {
        "tiny.png": cv2.imencode(".png", colour)[1].tobytes(),
        "tiny_gray.png": cv2.imencode(".png", gray)[1].tobytes(),
        "tiny_alpha.png": cv2.imencode(".png", alpha)[1].tobytes(),
        "tiny.jpg": cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 50])[1].tobytes(),
        "tiny_progressive.jpg": cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes(),
        "tiny_exif6.jpg": with_exif_orientation(cv2.imencode(".jpg", colour)[1].tobytes(), 6),
        "tiny.bmp": cv2.imencode(".bmp", colour)[1].tobytes(),
        "tiny.webp": cv2.imencode(".webp", colour, [cv2.IMWRITE_WEBP_QUALITY, 50])[1].tobytes(),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
