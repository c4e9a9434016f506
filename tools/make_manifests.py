#!/usr/bin/python3
"""Writes tests/references/manifests/<name>.json for every spec in specs/ and tests/specs/.

Each file holds the torchvision state_dict manifest ([name, shape] in order, num_batches_tracked left
out), the learnable parameter count, and the multiply-accumulates of one forward pass at the spec's
inputSize counted the way mmcv's get_model_complexity_info counts them (the tool behind mmpretrain's
model-zoo FLOPs table): conv MACs, BatchNorm 2 per element, ReLU 1 per element, pooling 1 per
input element, the classifier's Linear left out (that reproduces mmpretrain's metafile integers exactly).

Specs with torchvision's own configuration (ImageNet stem, compression 0.5) are built with
torchvision.models.DenseNet; the others (CIFAR stem, other compressions) are assembled from
torchvision's _DenseBlock/_Transition modules with torchvision's names.

Run with the interpreter that has PyTorch: /usr/bin/python3 tools/make_manifests.py
"""
import glob
import json
import math
import os
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import DenseNet
from torchvision.models.densenet import _DenseBlock, _Transition

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "references", "manifests")


class SpecDenseNet(nn.Module):
    """torchvision's DenseNet layout for any stem and compression."""

    def __init__(self, spec):
        super().__init__()
        c = spec["initChannels"]
        if spec["stem"] == "imagenet":
            stem = [("conv0", nn.Conv2d(spec["inChannels"], c, 7, 2, 3, bias=False)),
                    ("norm0", nn.BatchNorm2d(c)), ("relu0", nn.ReLU(inplace=True)),
                    ("pool0", nn.MaxPool2d(3, 2, 1))]
        else:
            stem = [("conv0", nn.Conv2d(spec["inChannels"], c, 3, 1, 1, bias=False))]
        self.features = nn.Sequential(OrderedDict(stem))
        blocks = spec["blockConfig"]
        for i, layers in enumerate(blocks):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(layers, c, spec["bnSize"], spec["growthRate"], 0.0))
            c += layers * spec["growthRate"]
            if i != len(blocks) - 1:
                reduced = math.floor(c * spec["compression"])
                self.features.add_module(f"transition{i + 1}", _Transition(c, reduced))
                c = reduced
        self.features.add_module("norm5", nn.BatchNorm2d(c))
        self.classifier = nn.Linear(c, spec["numClasses"])

    def forward(self, x):  # torchvision.models.DenseNet.forward
        out = F.relu(self.features(x))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


def build(spec):
    if spec["stem"] == "imagenet" and spec["compression"] == 0.5:
        return DenseNet(spec["growthRate"], tuple(spec["blockConfig"]), spec["initChannels"], spec["bnSize"], 0, spec["numClasses"])
    return SpecDenseNet(spec)


def count_macs(model, spec):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        x = inputs[0]
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += output.numel() * module.in_channels * k // module.groups
        elif isinstance(module, nn.BatchNorm2d):
            total += 2 * x.numel()
        elif isinstance(module, nn.ReLU):
            total += x.numel()
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            total += x.numel()

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    size = spec["inputSize"]
    with torch.no_grad():
        features = model.features(torch.zeros(1, spec["inChannels"], size, size))
    for h in handles:
        h.remove()
    # torchvision applies the last ReLU and the global pool functionally; mmpretrain uses modules for both.
    return total + 2 * features.numel()


def main():
    os.makedirs(OUT, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(ROOT, "specs", "*.densenet.json")) + glob.glob(os.path.join(ROOT, "tests", "specs", "*.densenet.json"))):
        with open(path) as f:
            spec = json.load(f)
        model = build(spec).eval()
        manifest = [[name, list(t.shape)] for name, t in model.state_dict().items() if not name.endswith("num_batches_tracked")]
        result = {
            "name": spec["name"],
            "parameterCount": sum(p.numel() for p in model.parameters()),
            "macCount": count_macs(model, spec),
            "parameters": manifest,
        }
        out = os.path.join(OUT, spec["name"] + ".json")
        with open(out, "w") as f:
            f.write(json.dumps(result, indent=None, separators=(",", ":")).replace("],[", "],\n[") + "\n")
        print(f"{out}: {len(manifest)} tensors, {result['parameterCount']} parameters, {result['macCount']} MACs")


if __name__ == "__main__":
    main()
