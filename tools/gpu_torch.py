#!/usr/bin/env python3
"""PyTorch's side of the GPU check (tools/gpu-check.sh), on the deterministic weights of tools/deterministic.py.

  gpu_torch.py bench [--device cuda] [--models DenseNet121] [--batches 1,8,64,256] [--runs 10]
                     [--peers eager,graphs,compile] [--compile-modes reduce-overhead,default] [--compile-budget 150]
      PyTorch's fair peers of ours, each FP32 with TF32 off and with PyTorch's default (cuDNN convs in TF32,
      matmuls not), per batch: median and best latency, images/s, peak memory (torch.cuda.max_memory_allocated; on
      the CPU an estimate from the profiler's memory events for eager, see cpu_peak; parameters included either
      way), the parameters' own size and the setup's seconds (warm-ups, capture, compilation). The peers:
        eager    eager PyTorch, with torch.backends.cudnn.benchmark = True on CUDA;
        graphs   the same eager forward captured once in a torch.cuda.CUDAGraph on a static input and replayed
                 (as ours replays its launches), CUDA only;
        compile  torch.compile(mode=M, dynamic=False) for each --compile-modes M ("reduce-overhead" is Inductor
                 with CUDA graphs), compiled afresh per case; no case starts once --compile-budget seconds have
                 gone to compiling, and a mode that fails to compile (no Triton, no C compiler, ...) says why
                 in one line and skips its other cases.
      A peer that cannot run here (CUDA graphs on the CPU, torch.compile before PyTorch 2.0) says why and is skipped.
  gpu_torch.py tf32-references --out DIR [--device cuda] [--models ...]
      the cases of tests/references/parity/NAME.json recomputed with TF32 on, written to DIR/NAME.json in the same
      format, for `densenet-bench parity --precision tf32 --references DIR`; prints how far PyTorch's own TF32
      outputs are from its FP32 ones (the scale a TF32 bar has to allow).

Needs torch and numpy (PyTorch 1.13 or newer). --device cpu runs anywhere (for trying the script out); TF32 then
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


# PyTorch's own settings at start-up (cuDNN convs may use TF32, matmuls may not): the "default" rows restore these.
DEFAULT_TF32 = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)


def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def restore_default_tf32():
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = DEFAULT_TF32


# (label, how to set it): FP32 with TF32 off everywhere, then whatever PyTorch does when left alone.
TF32_MODES = [("fp32 (tf32 off)", lambda: set_tf32(False)), ("default", restore_default_tf32)]


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def short(error):
    """One line for the report: the exception's type and the first line of its message."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0][:240] if lines else ''}"


# The peers. Each maker takes (model, x, device) and returns a callable running one forward pass on x's
# storage; the time it took (warm-ups, capture, compilation) is reported as "setup s". A peer that cannot run on
# this device or this PyTorch says why once instead of failing.

def eager(model, x, device):
    for _ in range(2):
        model(x)
    return lambda: model(x)


def cuda_graph(model, x, device):
    """Eager replayed under a CUDA graph: x is the static input, captured once after warm-ups on a side stream
    (where cudnn.benchmark picks its algorithms; benchmarking inside a capture is not allowed)."""
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):
        for _ in range(3):
            model(x)
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        model(x)
    graph.replay()
    return graph.replay


def compiled(mode):
    def make(model, x, device):
        # A fresh compilation per case: the TF32 flags are part of dynamo's guards, and each batch gets kernels
        # specialised to its shape (dynamic=False), as our plan is specialised to its batch.
        torch._dynamo.reset()
        run = torch.compile(model, mode=mode, dynamic=False)
        for _ in range(3):  # reduce-overhead records its CUDA graph on the second or third call
            run(x)
        return lambda: run(x)
    return make


def compile_unavailable(device):
    if not hasattr(torch, "compile"):
        return f"torch.compile is not in PyTorch {torch.__version__} (it came with 2.0)"
    if device.type == "cuda":
        try:
            import triton  # noqa: F401  (Inductor's GPU code generator)
        except ImportError as e:
            return f"Triton does not import ({short(e)}); Inductor needs it for CUDA"
    return None


def peers(args, device):
    """(name, maker, reason it cannot run here or None), in the order they run."""
    found = []
    for peer in args.peers:
        if peer == "eager":
            found.append(("eager" + (" cudnn.benchmark" if device.type == "cuda" else ""), eager, None))
        elif peer == "graphs":
            found.append(("eager + CUDA graph", cuda_graph if device.type == "cuda" else None,
                          None if device.type == "cuda" else "CUDA graphs need a CUDA device"))
        else:
            reason = compile_unavailable(device)
            for mode in args.compile_modes:
                found.append((f"compile {mode}", None if reason else compiled(mode), reason))
    return found


def bench(args, device, specs):
    runs = args.runs
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    print(f"PyTorch {torch.__version__} on {device_name(device)}; default TF32: matmul "
          f"{DEFAULT_TF32[0]}, cuDNN {DEFAULT_TF32[1]}; cudnn.benchmark {torch.backends.cudnn.benchmark}; "
          f"deterministic weights; median and best of {runs} after the setup's warm-ups; "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())}Z")
    if "compile" in args.peers:
        print(f"torch.compile: {args.compile_budget:.0f} s budget for compiling; a case starts only within it")
    print(f"{'model':<22}{'peer':<26}{'tf32':<17}{'batch':>6}{'median ms':>11}{'min ms':>10}{'images/s':>10}"
          f"{'peak MiB':>10}{'params MiB':>11}{'setup s':>9}")
    compile_spent = 0.0
    for spec in specs:
        model = model_for(spec, device)
        params = sum(p.numel() * p.element_size() for p in model.parameters()) + \
            sum(b.numel() * b.element_size() for b in model.buffers())
        size = spec["inputSize"]
        for peer, make, reason in peers(args, device):
            if reason:
                print(f"{spec['name']:<22}{peer:<26}skipped: {reason}", flush=True)
                continue
            for tf32, apply_tf32 in TF32_MODES:
                apply_tf32()
                for batch in args.batches:
                    row = f"{spec['name']:<22}{peer:<26}{tf32:<17}{batch:>6}"
                    is_compile = peer.startswith("compile")
                    if is_compile and compile_spent > args.compile_budget:
                        print(f"{row}  skipped: compile budget of {args.compile_budget:.0f} s spent", flush=True)
                        continue
                    x = torch.from_numpy(deterministic.input_values(batch, spec["inChannels"], size, size)).to(device)
                    start = time.perf_counter()
                    try:
                        times, peak, setup = time_peer(make, model, x, device, runs, params, make is eager)
                    except Exception as e:  # noqa: BLE001  one peer's failure is a row of the report, not the end
                        if device.type == "cuda" and isinstance(e, torch.cuda.OutOfMemoryError):
                            print(f"{row}  out of device memory", flush=True)
                        else:
                            print(f"{row}  failed: {short(e)}", flush=True)
                            # A peer that fails to build fails the same way for every case: skip its other rows.
                            reason = short(e)
                        times = None
                    finally:
                        if is_compile:
                            compile_spent += time.perf_counter() - start
                        del x
                        if device.type == "cuda":
                            torch.cuda.empty_cache()
                    if times is None:
                        if reason:
                            break
                        continue
                    median = statistics.median(times)
                    peak_text = f"{peak / 2**20:.1f}" if peak is not None else "n/a"
                    print(f"{row}{median:>11.2f}{min(times):>10.2f}{batch * 1000 / median:>10.1f}{peak_text:>10}"
                          f"{params / 2**20:>11.1f}{setup:>9.1f}", flush=True)
                if reason:
                    print(f"{spec['name']:<22}{peer:<26}its other cases skipped after that failure", flush=True)
                    break
        restore_default_tf32()
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()


def time_peer(make, model, x, device, runs, params, cpu_profile):
    """Median-ready times (ms) of `runs` calls after the peer's setup, the peak memory and the setup's seconds."""
    with torch.inference_mode():
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
        start = time.perf_counter()
        step = make(model, x, device)
        sync(device)
        setup = time.perf_counter() - start
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            step()
            sync(device)
            times.append((time.perf_counter() - start) * 1000)
        # Parameters included on both: the CUDA allocator counts them as allocated from the start. On the CPU only
        # eager has an estimate (cpu_peak profiles a plain forward).
        if device.type == "cuda":
            peak = torch.cuda.max_memory_allocated(device)
        else:
            peak = params + cpu_peak(model, x) if cpu_profile else None
    return times, peak, setup


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
    ap.add_argument("--peers", default="eager,graphs,compile", help="comma-separated: eager, graphs, compile")
    ap.add_argument("--compile-modes", default="reduce-overhead,default", help="torch.compile modes, comma-separated")
    ap.add_argument("--compile-budget", type=float, default=150, help="seconds of compiling after which no compile case starts")
    ap.add_argument("--out")
    args = ap.parse_args()
    try:
        args.batches = [int(b) for b in args.batches.split(",")]
    except ValueError:
        ap.error(f"--batches: expected comma-separated integers, got {args.batches!r}")
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    args.compile_modes = [m.strip() for m in args.compile_modes.split(",") if m.strip()]
    wrong = [p for p in args.peers if p not in ("eager", "graphs", "compile")]
    if wrong or not args.peers:
        ap.error(f"--peers: expected some of eager, graphs, compile, got {','.join(wrong) or 'none'}")
    if "compile" in args.peers and not args.compile_modes:
        ap.error("--compile-modes: name at least one torch.compile mode")
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
