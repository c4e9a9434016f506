#!/usr/bin/python3
"""Make the committed preprocessing test images and their reference tensors.

Run with /usr/bin/python3 (needs numpy + OpenCV). The images are drawn procedurally (gradients,
shapes, noise) so the script is the single source of truth. Each reference is what mmpretrain's
test pipeline gives for that image, computed with OpenCV exactly as mmcv does it:

    LoadImageFromFile  -> cv2.imdecode(IMREAD_COLOR), BGR -> RGB  (data_preprocessor to_rgb=True)
    ResizeEdge(short)  -> (w, h) = (s, int(s*h/w)) or (int(s*w/h), s); cv2.resize INTER_LINEAR
    CenterCrop(c)      -> y1 = max(0, int(round((H - c) / 2.)))   (Python round: half to even)
    normalize          -> (pixel - mean) / std in float32, NCHW

For one-channel configs the pixels are the colour decode converted with cv2.cvtColor(BGR2GRAY)
(ITU-R 601 luma in OpenCV's fixed point), which is exact for true-gray images.

Output: tests/references/images/<image files>, <case>.f32.gz (raw little-endian float32, gzip)
and references.json describing every case. Besides, resize.json + resize.u8.gz hold plain
cv2.resize(INTER_LINEAR) results of a noise image at many target sizes (up, down, exact 2x,
identity, one pixel), each RGB then gray, concatenated HWC bytes in the listed order.
"""
import gzip
import json
import os
import struct

import cv2
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'references', 'images')

IMAGENET = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], resize=256, crop=224)
# Odd sizes whose crop offsets land on x.5, where Python's round (half to even) matters.
SMALL_RGB = dict(mean=[120.5, 110.25, 100.0], std=[60.0, 55.5, 50.25], resize=32, crop=27)
GRAY = dict(mean=[72.94], std=[90.02], resize=29, crop=29)


def canvas(w, h, seed):
    """Smooth colour gradients with a few flat shapes and a noisy patch: compresses well, still
    exercises every interpolation weight."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.empty((h, w, 3), np.float64)
    img[..., 0] = 255 * x / max(w - 1, 1)
    img[..., 1] = 255 * y / max(h - 1, 1)
    img[..., 2] = 127.5 + 127.5 * np.sin((x + 2 * y) / max(w, h) * 6.0)
    img = img.astype(np.uint8)
    cv2.circle(img, (w // 3, h // 2), max(2, min(w, h) // 5), (250, 30, 60), -1)
    cv2.rectangle(img, (w // 2, h // 5), (w // 2 + w // 4, h // 5 + h // 3), (20, 200, 90), -1)
    cv2.line(img, (0, h - 1), (w - 1, 0), (255, 255, 255), 1)
    pw, ph = max(2, w // 8), max(2, h // 8)
    img[h - ph - 1:h - 1, 1:pw + 1] = rng.integers(0, 256, (ph, pw, 3), dtype=np.uint8)
    return img


def with_exif_orientation(jpeg, orientation):
    """Insert a minimal big-endian EXIF APP1 segment holding only the Orientation tag."""
    tiff = b'MM\x00\x2a' + struct.pack('>I', 8) + struct.pack('>H', 1) \
        + struct.pack('>HHIHH', 0x0112, 3, 1, orientation, 0) + struct.pack('>I', 0)
    payload = b'Exif\x00\x00' + tiff
    app1 = b'\xff\xe1' + struct.pack('>H', len(payload) + 2) + payload
    assert jpeg[:2] == b'\xff\xd8'
    return jpeg[:2] + app1 + jpeg[2:]


def write_images():
    images = {}

    def save(name, data):
        with open(os.path.join(ROOT, name), 'wb') as f:
            f.write(data)
        images[name] = len(data)

    def png(img):
        return cv2.imencode('.png', img, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1].tobytes()

    # Upscale, landscape (short edge 180 -> 256, long 455).
    save('landscape-320x180.png', png(canvas(320, 180, 1)))
    # Exactly 2x downscale (512x600 -> 256x300): OpenCV switches INTER_LINEAR to its area average.
    save('portrait-512x600.png', png(canvas(512, 600, 2)))
    # Non-integer downscale, odd sizes (283 -> 256).
    save('odd-397x283.png', png(canvas(397, 283, 3)))
    # Tiny odd image: huge upscale.
    save('tiny-29x23.png', png(canvas(29, 23, 4)))
    # BMP, portrait, odd.
    save('portrait-97x131.bmp', cv2.imencode('.bmp', canvas(97, 131, 5))[1].tobytes())
    # JPEG, portrait (decoders may differ by +-1, the reference uses OpenCV's libjpeg).
    save('portrait-240x330.jpg', cv2.imencode('.jpg', canvas(240, 330, 6), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    # JPEG with EXIF orientation 6 (rotate 90 degrees clockwise): stored 160x96, shown 96x160.
    jpeg = cv2.imencode('.jpg', canvas(160, 96, 7), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    save('exif-rotate90-160x96.jpg', with_exif_orientation(jpeg, 6))
    # Lossless WebP, landscape, odd.
    save('landscape-203x151.webp', cv2.imencode('.webp', canvas(203, 151, 10), [cv2.IMWRITE_WEBP_QUALITY, 101])[1].tobytes())
    # True-gray 8-bit PNG.
    gray = cv2.cvtColor(canvas(150, 200, 8), cv2.COLOR_BGR2GRAY)
    save('gray-150x200.png', png(gray))
    return images


def reference(path, cfg):
    bgr = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    channels = len(cfg['mean'])
    img = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if channels == 3 else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    h, w = img.shape[:2]
    s = cfg['resize']
    if w < h:
        size = (s, int(s * h / w))
    else:
        size = (int(s * w / h), s)
    img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    img = img.reshape(img.shape[0], img.shape[1], channels)
    h, w = img.shape[:2]
    c = cfg['crop']
    y1 = max(0, int(round((h - c) / 2.)))
    x1 = max(0, int(round((w - c) / 2.)))
    img = img[y1:y1 + c, x1:x1 + c]
    mean = np.array(cfg['mean'], np.float32)
    std = np.array(cfg['std'], np.float32)
    out = (img.astype(np.float32) - mean) / std
    return out.transpose(2, 0, 1)[None].copy(), size, (x1, y1)


RESIZE_SIZES = [(1, 1), (5, 3), (11, 34), (46, 34), (12, 8), (23, 17), (40, 9), (7, 60), (64, 48), (16, 13), (30, 22)]


def write_resize_references():
    rgb = np.random.default_rng(9).integers(0, 256, (17, 23, 3), dtype=np.uint8)
    cv2.imwrite(os.path.join(ROOT, 'noise-23x17.png'), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    chunks = []
    for w, h in RESIZE_SIZES:
        chunks.append(cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR).tobytes())
        chunks.append(cv2.resize(gray, (w, h), interpolation=cv2.INTER_LINEAR).tobytes())
    with gzip.GzipFile(os.path.join(ROOT, 'resize.u8.gz'), 'wb', mtime=0) as f:
        f.write(b''.join(chunks))
    with open(os.path.join(ROOT, 'resize.json'), 'w') as f:
        json.dump(dict(opencv=cv2.__version__, image='noise-23x17.png', sizes=[list(s) for s in RESIZE_SIZES]), f)


def main():
    os.makedirs(ROOT, exist_ok=True)
    write_resize_references()
    images = write_images()
    cases = []
    plan = [(name, 'imagenet', IMAGENET) for name in images if not name.startswith('gray')]
    plan += [('landscape-320x180.png', 'small', SMALL_RGB), ('portrait-97x131.bmp', 'small', SMALL_RGB),
             ('gray-150x200.png', 'imagenet', IMAGENET), ('gray-150x200.png', 'gray', GRAY),
             ('tiny-29x23.png', 'gray', GRAY), ('portrait-240x330.jpg', 'gray', GRAY)]
    for name, cfg_name, cfg in plan:
        tensor, size, offset = reference(os.path.join(ROOT, name), cfg)
        case = f'{os.path.splitext(name)[0]}.{cfg_name}'
        with gzip.GzipFile(os.path.join(ROOT, case + '.f32.gz'), 'wb', mtime=0) as f:
            f.write(tensor.astype('<f4').tobytes())
        cases.append(dict(case=case, image=name, mean=cfg['mean'], std=cfg['std'], resize=cfg['resize'],
                          crop=cfg['crop'], shape=list(tensor.shape), resized=list(size), crop_offset=list(offset),
                          tensor=case + '.f32.gz'))
    with open(os.path.join(ROOT, 'references.json'), 'w') as f:
        json.dump(dict(opencv=cv2.__version__, cases=cases), f, indent=1)
    for name, n in images.items():
        print(f'{name}: {n} bytes')
    for c in cases:
        print(c['case'], c['resized'], c['crop_offset'])


if __name__ == '__main__':
    main()
