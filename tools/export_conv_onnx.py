#!/usr/bin/python3
"""Exports single convolutions to ONNX for `densenet-bench kernels`' ONNX Runtime peer.

Run with /usr/bin/python3 tools/export_conv_onnx.py. Writes artifacts/conv{k}x{k}_s{s}_{cin}to{cout}_{h}.onnx
(git-ignored, opset 13, batch 1, random weights with bias): DenseNet121's dense 3x3 convs at each stage and its stem.
The names must match ConvBench.Shapes in benchmarks/DenseNetGen.Benchmarks/Commands/KernelsCommand.cs.
"""
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = [(128, 32, 56, 3, 1, 1), (128, 32, 28, 3, 1, 1), (128, 32, 14, 3, 1, 1), (128, 32, 7, 3, 1, 1), (3, 64, 224, 7, 2, 3)]


def main():
    torch.manual_seed(0)
    os.makedirs(os.path.join(ROOT, "artifacts"), exist_ok=True)
    for cin, cout, size, k, s, p in SHAPES:
        conv = torch.nn.Conv2d(cin, cout, k, stride=s, padding=p).eval()
        out = os.path.join(ROOT, "artifacts", f"conv{k}x{k}_s{s}_{cin}to{cout}_{size}.onnx")
        torch.onnx.export(conv, torch.zeros(1, cin, size, size), out, opset_version=13, input_names=["input"], output_names=["output"])
        print("wrote", out)


if __name__ == "__main__":
    main()
