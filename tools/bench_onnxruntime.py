"""ONNX Runtime's CPU execution provider timed as `densenet-bench quick` times ours, for machines where the bench's
own ONNX Runtime peer cannot go (the GPU check's single file leaves ONNX Runtime's native library out to fit the
device tool's carry limit; the GPU machine's Python has the onnxruntime package).

Run: python3 tools/bench_onnxruntime.py artifacts/densenet121.onnx --threads 4 --batch 1 8 [--runs 10] [--warmup 2]
Per batch: --warmup untimed runs, a 200 ms pause, one untimed run, then --runs timed runs (as `compare` times every
runner); prints median and min ms and images/s. All graph optimizations, intra-op threads = --threads, one inter-op
thread (sequential execution), the same deterministic input as ours (tools/deterministic.py).
"""
import argparse
import os
import statistics
import time

import onnxruntime as ort

import deterministic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", help="an .onnx file from tools/export_onnx.py (dynamic batch)")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, nargs="+", default=[1])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=1)
    args = ap.parse_args()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    feed = session.get_inputs()[0]
    _, channels, height, width = feed.shape
    print(f"ONNX Runtime {ort.__version__} (CPU), {args.threads} threads; {args.warmup} warm-up + {args.runs} timed runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'model':<22}{'batch':>6}{'median ms':>11}{'min ms':>10}{'images/s':>10}")
    name = os.path.splitext(os.path.basename(args.model))[0]
    for batch in args.batch:
        x = {feed.name: deterministic.input_values(batch, channels, height, width)}
        for _ in range(args.warmup):
            session.run(None, x)
        time.sleep(0.2)  # ONNX Runtime's workers spin after a run; every timed block starts after the same pause
        session.run(None, x)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            session.run(None, x)
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        print(f"{name:<22}{batch:>6}{median:>11.1f}{min(times):>10.1f}{batch * 1000 / median:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
