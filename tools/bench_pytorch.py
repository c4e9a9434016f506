"""PyTorch's latency on the zoo specs with the deterministic weights the .NET benchmarks use.

Run with /usr/bin/python3 (Debian's python3-torch): /usr/bin/python3 tools/bench_pytorch.py [--runs 5] [--threads 2] [SPEC...]
Prints the median and best of N runs after one warm-up, eval mode, no_grad, batch 1 at each spec's input size,
with the load average: the figures mean something only on a quiet machine.
"""
import argparse
import glob
import os
import statistics
import time

import torch

import deterministic
from densenet_torch import SpecDenseNet, fill_deterministic, load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="*", default=sorted(glob.glob(os.path.join(ROOT, "specs", "*.densenet.json"))))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"PyTorch {torch.__version__}, {args.threads} threads, batch 1, 1 warm-up + {args.runs} timed runs; "
          f"load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}Z")
    print(f"{'model':<22}{'median ms':>11}{'min ms':>10}{'images/s':>10}")
    for path in args.specs:
        spec = load_spec(path)
        model = SpecDenseNet(spec).eval()
        fill_deterministic(model)
        size = spec["inputSize"]
        x = torch.from_numpy(deterministic.input_values(1, spec["inChannels"], size, size))
        times = []
        with torch.no_grad():
            model(x)
            for _ in range(args.runs):
                start = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        print(f"{spec['name']:<22}{median:>11.1f}{min(times):>10.1f}{1000 / median:>10.1f}")


if __name__ == "__main__":
    main()
