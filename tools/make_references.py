"""Writes PyTorch parity references for every spec, using deterministic weights (no checkpoints).

For each specs/*.densenet.json and tests/specs/*.densenet.json: build the spec's module tree with
torchvision naming (tools/densenet_torch.py), fill every parameter and BN buffer from
tools/deterministic.py by canonical name, run eval mode on the deterministic input in float32 and
float64, and write tests/references/parity/<name>.json with float32 logits and pooled features.

Run: /usr/bin/python3 tools/make_references.py [name ...]   (names filter; default all)
"""
import glob
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deterministic  # noqa: E402
from densenet_torch import SpecDenseNet, fill_deterministic, load_spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "references", "parity")

# Second case per net: batch 2 at a non-square size. Small nets get odd sizes so every floor in
# the stem, pools and transitions is exercised.
SECOND_CASE_SIZE = {"imagenet-zoo": (224, 192), "FashionMnistDenseNet": (33, 30),
                    "TinyCifarNet": (23, 34), "OddImageNet": (61, 50)}
# ParameterCount from torchvision's model zoo (weights and biases, no running statistics).
KNOWN_PARAMETER_COUNTS = {"DenseNet121": 7978856, "DenseNet169": 14149480,
                          "DenseNet201": 20013928, "DenseNet161": 28681000}


def check_against_torchvision(spec, model):
    """The tree must match torchvision's DenseNet wherever torchvision can express the spec."""
    if spec["stem"] != "imagenet" or spec["compression"] != 0.5:
        return None
    reference = torchvision.models.DenseNet(
        growth_rate=spec["growthRate"], block_config=tuple(spec["blockConfig"]),
        num_init_features=spec["initChannels"], bn_size=spec["bnSize"], num_classes=spec["numClasses"])
    ours, theirs = model.state_dict(), reference.state_dict()
    if list(ours.keys()) != list(theirs.keys()):
        raise AssertionError(f"{spec['name']}: state_dict keys differ from torchvision's")
    for key in ours:
        if ours[key].shape != theirs[key].shape:
            raise AssertionError(f"{spec['name']}: {key} {list(ours[key].shape)} vs torchvision {list(theirs[key].shape)}")
    reference.load_state_dict(ours)
    reference.eval()
    x = torch.from_numpy(deterministic.input_values(1, spec["inChannels"], 64, 64)).double()
    with torch.no_grad():
        diff = (reference.double()(x) - model.double()(x)).abs().max().item()
    if diff > 1e-12:
        raise AssertionError(f"{spec['name']}: differs from torchvision.models.DenseNet by {diff}")
    return diff


def run_case(model, shape):
    x64 = torch.from_numpy(deterministic.input_values(*shape)).double()
    results = {}
    for dtype in (torch.float64, torch.float32):
        model.to(dtype)
        with torch.no_grad():
            start = time.perf_counter()
            features = model.pooled_features(x64.to(dtype))
            logits = model.classifier(features)
            elapsed = time.perf_counter() - start
        results[dtype] = (features.double().numpy(), logits.double().numpy(), elapsed)
    f64, l64, t64 = results[torch.float64]
    f32, l32, t32 = results[torch.float32]
    return {
        "inputShape": list(shape),
        "logits": rounded(l32),
        "features": rounded(f32),
        "maxAbsLogit": sig9(np.abs(l32).max()),
        "minLogit": sig9(l32.min()),
        "maxLogit": sig9(l32.max()),
        "top1": [int(i) for i in l32.argmax(1)],
        "maxAbsFeature": sig9(np.abs(f32).max()),
        "maxAbsDiffF32F64Logits": sig9(np.abs(l32 - l64).max()),
        "maxAbsDiffF32F64Features": sig9(np.abs(f32 - f64).max()),
    }, t32, t64


def sig9(v):
    return float(f"{float(v):.9g}")


def rounded(array):
    return [[sig9(v) for v in row] for row in array]


def make(spec_path):
    spec = load_spec(spec_path)
    name = spec["name"]
    model = SpecDenseNet(spec).eval()
    fill_deterministic(model)
    param_count = sum(p.numel() for p in model.parameters())
    known = KNOWN_PARAMETER_COUNTS.get(name)
    if known is not None and known != param_count:
        raise AssertionError(f"{name}: {param_count} parameters, torchvision says {known}")
    tv_diff = check_against_torchvision(spec, model)

    c, size = spec["inChannels"], spec["inputSize"]
    h2, w2 = SECOND_CASE_SIZE.get(name, SECOND_CASE_SIZE["imagenet-zoo"])
    cases = []
    for shape in ((1, c, size, size), (2, c, h2, w2)):
        case, t32, t64 = run_case(model, shape)
        cases.append(case)
        print(f"{name} {list(shape)}: forward f32 {t32 * 1000:.0f} ms, f64 {t64 * 1000:.0f} ms; "
              f"logits [{case['minLogit']:.4g}, {case['maxLogit']:.4g}], top1 {case['top1']}, "
              f"max|feature| {case['maxAbsFeature']:.4g}, max|f32-f64| logits {case['maxAbsDiffF32F64Logits']:.3g} "
              f"features {case['maxAbsDiffF32F64Features']:.3g}", flush=True)

    out = {"name": name, "spec": os.path.relpath(spec_path, ROOT), "parameterCount": param_count,
           "featureChannels": model.feature_channels, "weights": "deterministic (tools/deterministic.py)",
           "input": "deterministic 'input' (tools/deterministic.py)",
           "torchvisionMaxAbsDiff": tv_diff, "cases": cases}
    path = os.path.join(OUT_DIR, f"{name}.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"  wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes), "
          f"{param_count} parameters, torchvision check {tv_diff}", flush=True)


def main():
    torch.set_num_threads(1)
    specs = sorted(glob.glob(os.path.join(ROOT, "specs", "*.densenet.json"))) + \
        sorted(glob.glob(os.path.join(ROOT, "tests", "specs", "*.densenet.json")))
    wanted = set(sys.argv[1:])
    os.makedirs(OUT_DIR, exist_ok=True)
    for path in specs:
        if not wanted or load_spec(path)["name"] in wanted:
            make(path)


if __name__ == "__main__":
    main()
