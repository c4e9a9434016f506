"""A PyTorch DenseNet built from a DenseNetGen spec, with torchvision's module naming.

torchvision.models.DenseNet hard-codes compression 0.5 and the ImageNet stem, so specs with other
values need this tree. Its state_dict keys are exactly torchvision's (the canonical names the generator's manifest uses).
"""
import json
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class DenseLayer(nn.Module):
    def __init__(self, in_channels, growth, bn_size):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_channels, bn_size * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, x):
        # relu1 is not in-place-safe here: x is the block's running concatenation.
        y = self.conv1(F.relu(self.norm1(x)))
        y = self.conv2(self.relu2(self.norm2(y)))
        return torch.cat([x, y], 1)


class DenseBlock(nn.Sequential):
    def __init__(self, layers, in_channels, growth, bn_size):
        super().__init__()
        for i in range(layers):
            self.add_module(f"denselayer{i + 1}", DenseLayer(in_channels + i * growth, growth, bn_size))


class Transition(nn.Sequential):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.add_module("norm", nn.BatchNorm2d(in_channels))
        self.add_module("relu", nn.ReLU(inplace=True))
        self.add_module("conv", nn.Conv2d(in_channels, out_channels, 1, bias=False))
        self.add_module("pool", nn.AvgPool2d(2, 2))


class SpecDenseNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        k, b, c = spec["growthRate"], spec["bnSize"], spec["initChannels"]
        cin = spec["inChannels"]
        if spec["stem"] == "imagenet":
            stem = [("conv0", nn.Conv2d(cin, c, 7, 2, 3, bias=False)),
                    ("norm0", nn.BatchNorm2d(c)),
                    ("relu0", nn.ReLU(inplace=True)),
                    ("pool0", nn.MaxPool2d(3, 2, 1))]
        elif spec["stem"] == "cifar":
            stem = [("conv0", nn.Conv2d(cin, c, 3, 1, 1, bias=False))]
        else:
            raise ValueError(f"unknown stem {spec['stem']!r}")
        self.features = nn.Sequential(OrderedDict(stem))
        blocks = spec["blockConfig"]
        for i, layers in enumerate(blocks):
            self.features.add_module(f"denseblock{i + 1}", DenseBlock(layers, c, k, b))
            c += layers * k
            if i != len(blocks) - 1:
                out = int(c * spec["compression"])  # floor, as torchvision and the generator
                self.features.add_module(f"transition{i + 1}", Transition(c, out))
                c = out
        self.features.add_module("norm5", nn.BatchNorm2d(c))
        self.classifier = nn.Linear(c, spec["numClasses"])
        self.feature_channels = c

    def pooled_features(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(F.relu(self.features(x)), 1), 1)

    def forward(self, x):
        return self.classifier(self.pooled_features(x))


def load_spec(path):
    with open(path) as f:
        return json.load(f)


def fill_deterministic(model):
    """Every parameter and BN buffer from tools/deterministic.py, by canonical name."""
    import deterministic
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            tensor.copy_(torch.from_numpy(deterministic.values(name, tensor.shape)))
