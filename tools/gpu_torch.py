#!/usr/bin/env python3
"""PyTorch's side of the GPU check (tools/gpu-check.sh), on the deterministic weights of tools/deterministic.py.

  gpu_torch.py bench [--device cuda] [--models DenseNet121] [--batches 1,8,64,256] [--runs 10]
      eager PyTorch, FP32 with TF32 off and PyTorch's default (TF32 on for cuDNN convs), per batch: median and
      best latency, images/s, peak memory (torch.cuda.max_memory_allocated; on the CPU an estimate from the
      profiler's memory events, see cpu_peak; parameters included either way) and the parameters' own size.
  gpu_torch.py tf32-references --out DIR [--device cuda] [--models ...]
      the cases of tests/references/parity/NAME.json recomputed with TF32 on, written to DIR/NAME.json in the same
      format, for `densenet-bench parity --precision tf32 --references DIR`; prints how far PyTorch's own TF32
      outputs are from its FP32 ones (the scale a TF32 bar has to allow).

Needs torch and numpy (any recent version). --device cpu runs anywhere (for trying the script out); TF32 then
changes nothing.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deterministic  # noqa: E402
from densenet_torch import SpecDenseNet, fill_deterministic, load_spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_DIRS = [os.path.join(ROOT, "specs"), os.path.join(ROOT, "tests", "specs")]


def specs_by_name():
    found = {}
    for folder in SPEC_DIRS:
        for file in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if file.endswith(".densenet.json"):
                spec = load_spec(os.path.join(folder, file))
                found[spec["name"].lower()] = spec
                found[file[: -len(".densenet.json")].lower()] = spec
    return found


def model_for(spec, device):
    model = SpecDenseNet(spec).eval()
    fill_deterministic(model)
    return model.to(device)


def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench(args, device, specs):
    runs = args.runs
    print(f"PyTorch {torch.__version__} eager on {device_name(device)}; deterministic weights; "
          f"median and best of {runs} after 2 warm-ups; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}Z")
    print(f"{'model':<22}{'mode':<22}{'batch':>6}{'median ms':>11}{'min ms':>10}{'images/s':>10}{'peak MiB':>10}{'params MiB':>11}")
    for spec in specs:
        model = model_for(spec, device)
        params = sum(p.numel() * p.element_size() for p in model.parameters()) + \
            sum(b.numel() * b.element_size() for b in model.buffers())
        size = spec["inputSize"]
        for mode, tf32 in (("fp32 (tf32 off)", False), ("default (tf32 on)", True)):
            set_tf32(tf32)
            for batch in args.batches:
                x = torch.from_numpy(deterministic.input_values(batch, spec["inChannels"], size, size)).to(device)
                try:
                    times, peak = time_model(model, x, device, runs, params)
                except torch.cuda.OutOfMemoryError:
                    print(f"{spec['name']:<22}{mode:<22}{batch:>6}  out of device memory")
                    torch.cuda.empty_cache()
                    continue
                median = statistics.median(times)
                peak_text = f"{peak / 2**20:.1f}" if peak is not None else "n/a"
                print(f"{spec['name']:<22}{mode:<22}{batch:>6}{median:>11.2f}{min(times):>10.2f}"
                      f"{batch * 1000 / median:>10.1f}{peak_text:>10}{params / 2**20:>11.1f}", flush=True)
                del x
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()


def time_model(model, x, device, runs, params):
    with torch.inference_mode():
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
        for _ in range(2):
            model(x)
        sync(device)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            sync(device)
            times.append((time.perf_counter() - start) * 1000)
        # Parameters included on both: the CUDA allocator counts them as allocated from the start.
        peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else params + cpu_peak(model, x)
    return times, peak


def cpu_peak(model, x):
    """Peak bytes of live tensors during one forward pass on the CPU, where PyTorch keeps no allocator statistics:
    from the profiler's memory accounting, each op's own net allocation counted when it ends and each free when it
    happens. An estimate (a temporary inside an op is not seen) of what the pass allocates beyond what was live
    before it (the parameters and the input)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        model(x)
    changes = []
    for event in prof.profiler.function_events:
        if event.name == "[memory]":
            changes.append((event.time_range.start, event.cpu_memory_usage))
        elif event.self_cpu_memory_usage:
            changes.append((event.time_range.end, event.self_cpu_memory_usage))
    live = peak = 0
    for _, change in sorted(changes):
        live += change
        peak = max(peak, live)
    return peak


def tf32_references(args, device, specs):
    os.makedirs(args.out, exist_ok=True)
    print(f"PyTorch {torch.__version__} on {device_name(device)}: references with TF32 on; "
          f"relative = max|Δ| / max(1, max|fp32|), PyTorch TF32 against PyTorch FP32")
    for spec in specs:
        source = os.path.join(ROOT, "tests", "references", "parity", spec["name"] + ".json")
        if not os.path.exists(source):
            print(f"{spec['name']}: no FP32 reference at {os.path.relpath(source, ROOT)}; skipped")
            continue
        with open(source) as f:
            shapes = [c["inputShape"] for c in json.load(f)["cases"]]
        model = model_for(spec, device)
        cases = []
        for shape in shapes:
            x = torch.from_numpy(deterministic.input_values(*shape)).to(device)
            outputs = {}
            with torch.inference_mode():
                for tf32 in (False, True):
                    set_tf32(tf32)
                    features = model.pooled_features(x)
                    outputs[tf32] = (features.double().cpu().numpy(), model.classifier(features).double().cpu().numpy())
            (f32_features, f32_logits), (tf_features, tf_logits) = outputs[False], outputs[True]
            rel = max(relative(f32_logits, tf_logits), relative(f32_features, tf_features))
            same = bool((f32_logits.argmax(1) == tf_logits.argmax(1)).all())
            print(f"{spec['name']:<22}{str(shape):<20} tf32 vs fp32 relative {rel:.1e}, top-1 {'same' if same else 'DIFF'}")
            cases.append({"inputShape": shape, "logits": rows(tf_logits), "features": rows(tf_features)})
        with open(os.path.join(args.out, spec["name"] + ".json"), "w") as f:
            json.dump({"name": spec["name"], "weights": "deterministic (tools/deterministic.py)",
                       "precision": "tf32 (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)",
                       "cases": cases}, f, separators=(",", ":"))
    set_tf32(False)


def relative(expected, actual):
    return float(np.abs(expected - actual).max() / max(1.0, np.abs(expected).max()))


def rows(array):
    return [[float(f"{v:.9g}") for v in row] for row in array]


def device_name(device):
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "the CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["bench", "tf32-references"])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--models", default="DenseNet121", help="comma-separated spec or file names")
    ap.add_argument("--batches", default="1,8,64,256")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--out")
    args = ap.parse_args()
    try:
        args.batches = [int(b) for b in args.batches.split(",")]
    except ValueError:
        ap.error(f"--batches: expected comma-separated integers, got {args.batches!r}")
    if args.runs < 1 or any(b < 1 for b in args.batches):
        ap.error("--runs and every batch must be at least 1")
    if args.command == "tf32-references" and not args.out:
        ap.error("tf32-references needs --out DIR")
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_torch.py: torch.cuda.is_available() is False; use --device cpu to try the script without a GPU")
    device = torch.device(args.device)
    known = specs_by_name()
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m.lower() not in known]
    if unknown:
        sys.exit(f"gpu_torch.py: unknown model(s) {', '.join(unknown)}; known: {', '.join(sorted({s['name'] for s in known.values()}))}")
    specs = [known[m.lower()] for m in names]
    torch.set_grad_enabled(False)
    if args.command == "bench":
        bench(args, device, specs)
    else:
        tf32_references(args, device, specs)


if __name__ == "__main__":
    main()
