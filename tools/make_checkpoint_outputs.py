"""PyTorch's outputs for the reference checkpoints in tests/references/checkpoints/.

Every checkpoint there holds the same OddImageNet weights (tests/specs/odd-imagenet.densenet.json) in a
different format or key convention; the float16 files hold them rounded to half precision. This runs
PyTorch on the deterministic input with the float32 weights and with the float16-rounded weights and
writes the logits and features, so the C# tests can check that every file binds into a network that
computes what PyTorch computes.

Run with /usr/bin/python3 (Debian's python3-torch): /usr/bin/python3 tools/make_checkpoint_outputs.py
"""
import json
import os

import torch

import deterministic
from densenet_torch import SpecDenseNet, load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINTS = os.path.join(ROOT, "tests", "references", "checkpoints")
SHAPE = (2, 3, 45, 51)


def outputs(model, x):
    with torch.no_grad():
        features = model.pooled_features(x)
        logits = model(x)
    return {"logits": [float(f"{v:.9g}") for v in logits.flatten().tolist()],
            "features": [float(f"{v:.9g}") for v in features.flatten().tolist()]}


def main():
    torch.set_num_threads(1)
    spec = load_spec(os.path.join(ROOT, "tests", "specs", "odd-imagenet.densenet.json"))
    model = SpecDenseNet(spec).eval()
    state = torch.load(os.path.join(CHECKPOINTS, "torchvision.pth"), map_location="cpu")
    x = torch.from_numpy(deterministic.input_values(*SHAPE))
    result = {"inputShape": list(SHAPE)}
    model.load_state_dict(state)
    result["float32"] = outputs(model, x)
    model.load_state_dict({k: (v.half().float() if v.is_floating_point() else v) for k, v in state.items()})
    result["float16"] = outputs(model, x)
    with open(os.path.join(CHECKPOINTS, "outputs.json"), "w") as f:
        json.dump(result, f)
        f.write("\n")
    print("wrote", os.path.join(CHECKPOINTS, "outputs.json"))


if __name__ == "__main__":
    main()
