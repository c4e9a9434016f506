"""PyTorch's latency on the zoo specs with the deterministic weights the .NET benchmarks use.

Run with /usr/bin/python3 (Debian's python3-torch):
  /usr/bin/python3 tools/bench_pytorch.py [--runs 5] [--threads 2] [--batch 1 [8 ...]] [--json] [SPEC...]
Prints the median and best of N runs after one warm-up, eval mode, no_grad, at each spec's input size, with the load
average: the figures mean something only on a quiet machine. With --json, one JSON object per (spec, batch) line
instead, which `densenet-bench compare` reads; it also carries the peak RSS above the loaded model (VmHWM after
resetting it through /proc/self/clear_refs, minus VmRSS with the model loaded, taken after a full collection and
malloc_trim as densenet-bench takes its own), the pause (--pause-ms, 200 as compare's) and untimed call before each
timed block included, and the logits of the last run, which `compare` holds the other runners' against.
"""
import argparse
import ctypes
import gc
import glob
import json
import os
import statistics
import time

import torch

import deterministic
from densenet_torch import SpecDenseNet, fill_deterministic, load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def release_memory():
    """As densenet-bench's ProcessMemory.Reset before its baseline: a full collection, then free malloc pages back to the system."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def time_block(model, x, runs, warmup, pause_ms):
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        time.sleep(pause_ms / 1000)  # the same pause every runner gets before its untimed call
        model(x)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            logits = model(x)
            times.append((time.perf_counter() - start) * 1000)
    return times, logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="*", default=sorted(glob.glob(os.path.join(ROOT, "specs", "*.densenet.json"))))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=0, help="untimed runs before the pause and the untimed call")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pause-ms", type=int, default=200, help="pause before the untimed call (compare passes its own)")
    ap.add_argument("--batch", type=int, nargs="+", default=[1])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if not args.json:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, batch {args.batch}, 1 untimed + {args.runs} timed runs; "
              f"load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}Z")
        print(f"{'model':<22}{'batch':>6}{'median ms':>11}{'min ms':>10}{'images/s':>10}")
    for path in args.specs:
        spec = load_spec(path)
        model = SpecDenseNet(spec).eval()
        fill_deterministic(model)
        size = spec["inputSize"]
        for batch in args.batch:
            x = torch.from_numpy(deterministic.input_values(batch, spec["inChannels"], size, size))
            release_memory()
            baseline = status_kib("VmRSS")
            peak_known = reset_peak_rss()
            times, logits = time_block(model, x, args.runs, args.warmup, args.pause_ms)
            peak = status_kib("VmHWM") - baseline if peak_known else None
            median = statistics.median(times)
            if args.json:
                print(json.dumps({"model": spec["name"], "batch": batch, "threads": args.threads, "version": torch.__version__,
                                  "times_ms": times, "peak_rss_bytes": None if peak is None else max(0, peak) * 1024,
                                  "logits": logits.flatten().tolist()}), flush=True)
            else:
                print(f"{spec['name']:<22}{batch:>6}{median:>11.1f}{min(times):>10.1f}{batch * 1000 / median:>10.1f}")


if __name__ == "__main__":
    main()
