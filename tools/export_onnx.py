"""Exports zoo specs to ONNX with the deterministic weights, for the ONNX Runtime peer in the benchmarks.

Run with /usr/bin/python3: /usr/bin/python3 tools/export_onnx.py [SPEC...]   (default: specs/densenet121.densenet.json)
Writes artifacts/<name>.onnx (git-ignored; DenseNet121 is about 32 MB), opset 13, dynamic batch.
"""
import argparse
import inspect
import os

import torch

from densenet_torch import SpecDenseNet, fill_deterministic, load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# PyTorch 2.9 and later export through torch.export by default (dynamo=True), which handles dynamic_axes and opset
# 13 differently; the TorchScript exporter every file so far came from is asked for by name where it is optional
# (the GPU machine's PyTorch 2.11), and is the only one in older versions (1.13 here), which have no such argument.
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="*", default=[os.path.join(ROOT, "specs", "densenet121.densenet.json")])
    args = ap.parse_args()
    os.makedirs(os.path.join(ROOT, "artifacts"), exist_ok=True)
    for path in args.specs:
        spec = load_spec(path)
        model = SpecDenseNet(spec).eval()
        fill_deterministic(model)
        size = spec["inputSize"]
        out = os.path.join(ROOT, "artifacts", spec["name"].lower() + ".onnx")
        torch.onnx.export(model, torch.zeros(1, spec["inChannels"], size, size), out, opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **TORCHSCRIPT_EXPORTER)
        print("wrote", out)


if __name__ == "__main__":
    main()
