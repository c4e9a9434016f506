"""PyTorch's own Fashion-MNIST test-set accuracy for the embedded checkpoint, as a parity reference.

Evaluates specs/weights/fashion_mnist_densenet.pth on all 10,000 test images (eval mode, 28x28,
no resize, (pixel - mean) / std in float32 with the spec's constants) and writes
tests/references/parity/fashion_mnist_eval.json: top-1/top-5, counts, the constants, and the
logits of the first 16 test images.

Run: /usr/bin/python3 tools/eval_fashion_mnist.py [--checkpoint PATH]
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
from densenet_torch import SpecDenseNet, load_spec  # noqa: E402
from train_fashion_mnist import ROOT, SPEC, normalize  # noqa: E402

FIRST = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=os.path.join(ROOT, "specs", "weights", "fashion_mnist_densenet.pth"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "references", "parity", "fashion_mnist_eval.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)

    spec = load_spec(SPEC)
    model = SpecDenseNet(spec)
    model.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
    model.eval()
    images, labels = fashion_mnist.load("t10k")
    x, y = normalize(images, spec), torch.from_numpy(labels.astype("int64"))
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 500]) for i in range(0, len(x), 500)])
    top5 = logits.topk(5, 1).indices
    correct1 = int((top5[:, 0] == y).sum())
    correct5 = int((top5 == y[:, None]).any(1).sum())
    with open(args.checkpoint, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()

    out = {
        "checkpoint": os.path.relpath(args.checkpoint, ROOT),
        "checkpointBytes": os.path.getsize(args.checkpoint),
        "checkpointSha256": digest,
        "top1": correct1 / len(y), "top5": correct5 / len(y),
        "correct1": correct1, "correct5": correct5, "count": len(y),
        "mean": spec["preprocess"]["mean"][0], "std": spec["preprocess"]["std"][0],
        "normalization": "(pixel - mean) / std in float32, pixels 0..255, NCHW [N, 1, 28, 28]",
        "firstLabels": [int(v) for v in y[:FIRST]],
        "firstTop1": [int(v) for v in top5[:FIRST, 0]],
        "firstLogits": [[float(f"{v:.9g}") for v in row] for row in logits[:FIRST].tolist()],
    }
    with open(args.out, "w") as f:
        f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}\n")
    print(f"top-1 {out['top1']:.4f} ({correct1}/{len(y)}), top-5 {out['top5']:.4f} ({correct5}/{len(y)}), "
          f"checkpoint {out['checkpointBytes']} bytes -> {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
