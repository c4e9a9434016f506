"""Exports zoo specs to ONNX with the deterministic weights, for the ONNX Runtime peer in the benchmarks.

Run with /usr/bin/python3: /usr/bin/python3 tools/export_onnx.py [SPEC...]   (default: specs/densenet121.densenet.json)
Writes artifacts/<name>.onnx (git-ignored; DenseNet121 is about 32 MB), opset 13, dynamic batch, and beside it
artifacts/<name>.onnx.source: the source hash of what the file was built from (see source_hash).
  export_onnx.py --source-hash SPEC   prints that hash for SPEC as it is now, without exporting; `densenet-bench
                                      compare` re-exports a file whose recorded hash differs from it.
"""
import argparse
import hashlib
import inspect
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What decides an exported file's graph and weights besides the spec: the module tree, the weight formula, this exporter.
BUILDERS = ["tools/densenet_torch.py", "tools/deterministic.py", "tools/export_onnx.py"]


def source_hash(spec_path):
    """SHA-256 over the spec's bytes and the builders' bytes, each preceded by its name and length."""
    digest = hashlib.sha256()
    for name, path in [("spec", spec_path)] + [(b, os.path.join(ROOT, b)) for b in BUILDERS]:
        with open(path, "rb") as f:
            data = f.read()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def torchscript_exporter(torch):
    """PyTorch 2.9 and later export through torch.export by default (dynamo=True), which handles dynamic_axes and
    opset 13 differently; the TorchScript exporter every file so far came from is asked for by name where it is
    optional (the GPU machine's PyTorch 2.11), and is the only one in older versions (1.13 here), which have no such
    argument."""
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def export(path):
    import torch
    from densenet_torch import SpecDenseNet, fill_deterministic, load_spec

    spec = load_spec(path)
    model = SpecDenseNet(spec).eval()
    fill_deterministic(model)
    size = spec["inputSize"]
    out = os.path.join(ROOT, "artifacts", spec["name"].lower() + ".onnx")
    torch.onnx.export(model, torch.zeros(1, spec["inChannels"], size, size), out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **torchscript_exporter(torch))
    with open(out + ".source", "w") as f:
        f.write(source_hash(path) + "\n")
    print("wrote", out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="*", default=[os.path.join(ROOT, "specs", "densenet121.densenet.json")])
    ap.add_argument("--source-hash", action="store_true", help="print each spec's source hash instead of exporting")
    args = ap.parse_args()
    if args.source_hash:
        for path in args.specs:
            print(source_hash(path))
        return
    os.makedirs(os.path.join(ROOT, "artifacts"), exist_ok=True)
    for path in args.specs:
        export(path)


if __name__ == "__main__":
    main()
