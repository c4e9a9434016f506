#!/usr/bin/python3
"""How far TF32 moves a network's outputs: our GPU kernel set's arithmetic emulated in PyTorch (CPU, torch 1.13).

Runs each net as the plan runs it on the GPU set with --precision tf32: BatchNorms folded into the conv that
precedes them (stem conv0 + norm0, conv1 + norm2: weights w·scale in float64, stored as float32), a dense
layer's norm1 + ReLU and a transition's norm + ReLU + 2x2 average pool applied to the conv's input in float32
(pool before the 1x1 conv), the classifier as a conv; every conv and the classifier get both operands rounded to
TF32 as cvt.rna.tf32.f32 does (nearest with 10 mantissa bits, ties away from zero; done here in float64
arithmetic, independently of the runtime's bit trick) and sum in FP32. The same run without rounding is the
FP32 baseline of the emulation itself. Both are compared with PyTorch's FP32 module as densenet-bench parity does:
relative = max|Δ| / max(1, max|reference|) over logits and over pooled features (the larger is reported), and
whether the top-1 class agrees.

  tf32_emulation.py [--models DenseNet121,FashionMnistDenseNet,TinyCifarNet] [--fashion-images 1000] [--out DIR]

--out DIR writes the TF32 emulation's outputs at the parity shapes as DIR/NAME.json in the parity reference
format, for `densenet-bench parity --device ilgpu-cpu --precision tf32 --references DIR`: our kernels' emulated
TF32 (CPU accelerator) against this emulation of the same arithmetic.

Deterministic weights and inputs (tools/deterministic.py) at the parity reference shapes
(tests/references/parity/NAME.json); FashionMnistDenseNet also with its trained weights
(specs/weights/fashion_mnist_densenet.pth) on the first --fashion-images test images.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deterministic  # noqa: E402
import fashion_mnist  # noqa: E402
from densenet_torch import SpecDenseNet, fill_deterministic, load_spec  # noqa: E402
from train_fashion_mnist import normalize  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPS = 1e-5


def rna(t):
    """cvt.rna.tf32.f32 of a float32 tensor: |x| / ulp rounded half up in float64, times the TF32 ulp."""
    m = t.double().abs()
    exponent = torch.frexp(m).exponent - 1
    ulp = torch.ldexp(torch.ones_like(m), torch.clamp(exponent, min=-126) - 10)
    r = torch.floor(m / ulp + 0.5) * ulp
    r = torch.where(r >= 2.0 ** 128, torch.full_like(r, float("inf")), r)
    return torch.where(torch.isfinite(t), torch.copysign(r, t.double()), t.double()).float()


def scale_shift(bn):
    """BatchNormFolding.ScaleShift: float64 from the float32 parameters."""
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + EPS)
    return scale, bn.bias.double() - bn.running_mean.double() * scale


def folded(conv, bn):
    scale, shift = scale_shift(bn)
    return (conv.weight.double() * scale.reshape(-1, 1, 1, 1)).float(), shift.float()


def activated(x, bn):
    """The staging prologue: relu(x·a + b) in float32, a and b the float32 scale and shift."""
    a, b = (v.float().reshape(1, -1, 1, 1) for v in scale_shift(bn))
    return torch.relu(x * a + b)


def plan_forward(model, spec, x, tf32):
    """(features, logits) as the GPU kernel set computes them, with TF32 operands when tf32."""
    r = rna if tf32 else (lambda t: t)
    f = model.features
    if spec["stem"] == "imagenet":
        w, b = folded(f.conv0, f.norm0)
        x = torch.relu(F.conv2d(r(x), r(w), b, stride=2, padding=3))
        x = F.max_pool2d(x, 3, 2, 1)
    else:
        x = F.conv2d(r(x), r(f.conv0.weight), padding=1)
    for name, module in f.named_children():
        if name.startswith("denseblock"):
            for layer in module.children():
                w1, b1 = folded(layer.conv1, layer.norm2)
                y = torch.relu(F.conv2d(r(activated(x, layer.norm1)), r(w1), b1))
                x = torch.cat([x, F.conv2d(r(y), r(layer.conv2.weight), padding=1)], 1)
        elif name.startswith("transition"):
            a = activated(x, module.norm)
            h, w = a.shape[2] // 2, a.shape[3] // 2
            a = a[:, :, : 2 * h, : 2 * w]
            pooled = (a[:, :, 0::2, 0::2] + a[:, :, 0::2, 1::2] + a[:, :, 1::2, 0::2] + a[:, :, 1::2, 1::2]) * 0.25
            x = F.conv2d(r(pooled), r(module.conv.weight))
    features = activated(x, f.norm5).mean((2, 3))
    logits = F.linear(r(features), r(model.classifier.weight), model.classifier.bias)
    return features, logits


def relative(expected, actual):
    return float((expected.double() - actual.double()).abs().max() / max(1.0, float(expected.double().abs().max())))


def compare(label, model, spec, x, rows):
    """Prints and records both emulations against PyTorch FP32; returns the TF32 emulation's (features, logits)."""
    with torch.inference_mode():
        features = model.pooled_features(x)
        logits = model.classifier(features)
        for tf32 in (False, True):
            ours_features, ours_logits = plan_forward(model, spec, x, tf32)
            rel = max(relative(logits, ours_logits), relative(features, ours_features))
            same = int((logits.argmax(1) == ours_logits.argmax(1)).sum())
            rows.append((label, "tf32" if tf32 else "fp32", rel, same, len(x)))
            print(f"{label:<48} {'tf32' if tf32 else 'fp32'} emulation vs PyTorch FP32: relative {rel:.2e}, "
                  f"top-1 same {same}/{len(x)}", flush=True)
    return ours_features, ours_logits


def rows_of(t):
    return [[float(f"{v:.9g}") for v in row] for row in t.tolist()]


def specs_by_name():
    found = {}
    for folder in (os.path.join(ROOT, "specs"), os.path.join(ROOT, "tests", "specs")):
        for file in sorted(os.listdir(folder)):
            if file.endswith(".densenet.json"):
                spec = load_spec(os.path.join(folder, file))
                found[spec["name"].lower()] = spec
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="DenseNet121,FashionMnistDenseNet,TinyCifarNet")
    ap.add_argument("--fashion-images", type=int, default=1000)
    ap.add_argument("--out", help="folder for the TF32 emulation's outputs in the parity reference format")
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    specs = specs_by_name()
    rows = []
    for name in args.models.split(","):
        spec = specs[name.strip().lower()]
        model = SpecDenseNet(spec).eval()
        fill_deterministic(model)
        with open(os.path.join(ROOT, "tests", "references", "parity", spec["name"] + ".json")) as f:
            shapes = [c["inputShape"] for c in json.load(f)["cases"]]
        cases = []
        for shape in shapes:
            x = torch.from_numpy(deterministic.input_values(*shape))
            features, logits = compare(f"{spec['name']} deterministic {shape}", model, spec, x, rows)
            cases.append({"inputShape": shape, "logits": rows_of(logits), "features": rows_of(features)})
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, spec["name"] + ".json"), "w") as f:
                json.dump({"name": spec["name"], "weights": "deterministic (tools/deterministic.py)",
                           "precision": "tf32 emulated (tools/tf32_emulation.py)", "cases": cases}, f, separators=(",", ":"))
        if spec["name"] == "FashionMnistDenseNet" and args.fashion_images > 0:
            model.load_state_dict(torch.load(os.path.join(ROOT, "specs", "weights", "fashion_mnist_densenet.pth"), map_location="cpu"))
            images, _ = fashion_mnist.load("t10k")
            x = normalize(images[: args.fashion_images], spec)
            compare(f"{spec['name']} trained, {len(x)} test images", model, spec, x, rows)
    worst = max((r for r in rows if r[1] == "tf32"), key=lambda r: r[2])
    print(f"largest TF32 relative |Δ|: {worst[2]:.2e} ({worst[0]})")


if __name__ == "__main__":
    main()
