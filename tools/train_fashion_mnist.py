"""Trains the embedded default model (specs/fashion-mnist.densenet.json) on Fashion-MNIST.

The committed checkpoint came from two runs (log: tests/references/parity/fashion_mnist_training.log):
  /usr/bin/python3 tools/train_fashion_mnist.py --epochs 10 --out base.pth     (OneCycle, augmented; 92.7%)
  /usr/bin/python3 tools/train_fashion_mnist.py --finetune-from base.pth --epochs 2 --lr 0.01   (93.5%)
Single-threaded on purpose (the build machine is shared). Normalization constants come from the
spec (they are the training set's pixel mean/std on 0..255, see --print-stats).
"""
import argparse
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
from densenet_torch import SpecDenseNet, load_spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "specs", "fashion-mnist.densenet.json")


def normalize(images, spec):
    mean, std = spec["preprocess"]["mean"][0], spec["preprocess"]["std"][0]
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    return (x - mean) / std


def augment(x, gen):
    """Random shift by up to 2 pixels (pad 2 with the normalized zero-pixel value, crop 28) and horizontal flip."""
    n, _, h, w = x.shape
    pad_value = float(x.min())
    padded = F.pad(x, (2, 2, 2, 2), value=pad_value)
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None].expand(n, 1, h, w + 4)
    out = torch.gather(padded, 2, rows)
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :].expand(n, 1, h, w)
    out = torch.gather(out, 3, cols)
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


@torch.no_grad()
def evaluate(model, x, y, batch=500):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", default=os.path.join(ROOT, "specs", "weights", "fashion_mnist_densenet.pth"))
    ap.add_argument("--print-stats", action="store_true")
    ap.add_argument("--finetune-from", metavar="PTH",
                    help="start from this checkpoint; no augmentation, cosine decay from --lr to 0")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    spec = load_spec(SPEC)
    train_images, train_labels = fashion_mnist.load("train")
    test_images, test_labels = fashion_mnist.load("t10k")
    if args.print_stats:
        pixels = train_images.astype(np.float64)
        print(f"train pixel mean {pixels.mean():.5f} std {pixels.std():.5f}")
        return

    x, y = normalize(train_images, spec), torch.from_numpy(train_labels.astype(np.int64))
    tx, ty = normalize(test_images, spec), torch.from_numpy(test_labels.astype(np.int64))
    model = SpecDenseNet(spec)
    if args.finetune_from:
        model.load_state_dict(torch.load(args.finetune_from, map_location="cpu"))
    model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps = (len(x) + args.batch - 1) // args.batch
    if args.finetune_from:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs * steps)
    else:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, epochs=args.epochs, steps_per_epoch=steps)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total, seen = 0.0, 0
        for i in range(0, len(x), args.batch):
            idx = order[i:i + args.batch]
            xb = x[idx] if args.finetune_from else augment(x[idx], gen)
            xb = xb.contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        acc = evaluate(model, tx.contiguous(memory_format=torch.channels_last), ty)
        print(f"epoch {epoch + 1}/{args.epochs} loss {total / seen:.4f} test top-1 {acc:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
        save(model, args.out)
    print(f"training wall time {time.time() - start:.0f}s; saved {args.out} ({os.path.getsize(args.out)} bytes)")


def save(model, path):
    # Training runs channels_last; the .NET binder reads storages as plain C-order arrays.
    plain = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(plain.state_dict(), path)


if __name__ == "__main__":
    main()
