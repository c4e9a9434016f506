#!/usr/bin/env bash
# The CUDA check, for a GPU machine without .NET (benchmarks/README.md):
#
#   tools/gpu-check.sh publish
#       (on the dev machine) one self-contained linux-x64 file, publish/gpu-check/densenet-bench, and a start-up check
#   tools/gpu-check.sh run [--device cuda|opencl|cpu] [--models a,b,...] [--batches 1,8,64,256] [--bench-model densenet121]
#                          [--no-compile] [--no-scaling]
#       (on the target) devices; FP32 parity of every spec against PyTorch's references and the SIMD CPU backend;
#       TF32 parity against PyTorch with TF32 on; speed and peak device memory per batch: PyTorch's peers (eager with
#       cudnn.benchmark, under a CUDA graph, torch.compile unless --no-compile; TF32 off and its default) against ours
#       (FP32 and TF32 with the GPU kernel set, FP32 with the CPU set); the time per op kind on the device (batch 1);
#       then the CPU scaling section below unless --no-scaling (to run it apart, first, when the device time is
#       short). Exit status 1 on any failure.
#   tools/gpu-check.sh scaling [--threads 1,2,4,8,16] [--batches 1,8] [--bench-model densenet121]
#       the CPU scaling section alone (with the batch slices compared at the most threads, `densenet-bench slicing`):
#       the SIMD CPU backend (`quick --device cpu --threads N`) and ONNX Runtime's
#       CPU provider (tools/bench_onnxruntime.py, when python3 has onnxruntime; the model exported by
#       tools/export_onnx.py) at each thread count up to the cores present, then one table of medians, our ratio
#       to ONNX Runtime and each runner's speed-up over its 1-thread time.
#
# `run` needs publish/gpu-check/densenet-bench, tests/references/parity/, specs/ and tools/*.py (carry the first alone:
# with the tracked files the whole publish folder passes the device tool's 64 MiB; the rest is
# tracked). PyTorch (python3 with torch and numpy) is optional: without it the PyTorch sections say so and are
# skipped. Every step has a time limit, so one hang cannot use up the machine. The report goes to $OUT/report.md
# when OUT is set (the device tool's output folder), else ./gpu-check-report.md; it is written section by section,
# so a run cut short still leaves what it had.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=publish/gpu-check/densenet-bench
all=fashion-mnist,TinyCifarNet,OddImageNet,densenet121,densenet169,densenet201,densenet161

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

publish() {
  # Start empty: files left by an older publish would ride along and break the carry limit.
  rm -rf publish/gpu-check
  dotnet publish benchmarks/DenseNetGen.Benchmarks -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -o publish/gpu-check >/dev/null || exit 1
  ls -l publish/gpu-check
  du -sh publish/gpu-check
  "$bin" devices || { echo "gpu-check: the published file does not start" >&2; exit 1; }
}

run() {
  local device=cuda models=$all batches=1,8,64,256 bench_model=densenet121 compile=1 scaling=1
  while (($#)); do
    case $1 in
      --device) device=$2; shift 2 ;;
      --models) models=$2; shift 2 ;;
      --batches) batches=$2; shift 2 ;;
      --bench-model) bench_model=$2; shift 2 ;;
      --no-compile) compile=0; shift ;;
      --no-scaling) scaling=0; shift ;;
      *) usage ;;
    esac
  done
  [[ $batches =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "gpu-check: --batches takes comma-separated integers, got '$batches'" >&2; exit 2; }
  [[ -x $bin ]] || { echo "gpu-check: $bin not found; run 'tools/gpu-check.sh publish' on a machine with .NET" >&2; exit 1; }
  local torch_device
  start_report "device $device"
  # What PyTorch runs on: CUDA when this is the CUDA check, otherwise the CPU (trying the script out).
  torch_device=cpu
  [[ $device == cuda ]] && torch_device=cuda
  section "Devices"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$report"
  else
    echo "nvidia-smi: not installed" | tee -a "$report"
  fi
  [[ -n $python ]] && "$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())' 2>&1 | tee -a "$report"
  [[ -z $python ]] && echo "PyTorch: no python3 with torch and numpy; the PyTorch sections are skipped" | tee -a "$report"
  step 60 "$bin" devices
  end

  section "Parity against PyTorch, FP32 (bar: relative |Δ| ≤ 5e-6, tests/Common/Tolerance.cs, same top-1)"
  local passed_before=$status
  # Every spec also against the SIMD CPU backend: on 16 cores it costs seconds, not the GPU session.
  step 300 "$bin" parity --device "$device" --models "$models"
  # On CUDA a failure runs again with plain launches, in the same session: that tells a fault of the CUDA-graph
  # replay from one of the kernels.
  if [[ $device == cuda ]] && ((status != passed_before)); then
    echo "again with DENSENET_CUDA_GRAPHS=off (plain launches):" | tee -a "$report"
    step 240 env DENSENET_CUDA_GRAPHS=off "$bin" parity --device cuda --models "$models" --no-cpu-compare
  fi
  end

  # TF32 parity: PyTorch's own TF32 outputs are the reference, so the bar holds two TF32 computations apart.
  # tools/tf32_emulation.py puts our TF32 arithmetic at most 1.1e-3 (DenseNet169) from FP32 on these cases;
  # twice that for two independent roundings, times about 2.3 for PyTorch converting or summing differently
  # (cuDNN may truncate rather than round, or pick other algorithms): 5e-3 (benchmarks/README.md, "TF32 tolerance").
  # The section prints how far PyTorch's TF32 is from its FP32 for scale.
  tf32_bar=5e-3
  if [[ $device == cuda ]]; then
    section "Parity against PyTorch with TF32 on, our --precision tf32 (bar: relative |Δ| ≤ $tf32_bar, same top-1)"
    if [[ -n $python ]]; then
      step 180 "$python" tools/gpu_torch.py tf32-references --device cuda --models "$models" --out "$work/tf32"
      step 180 "$bin" parity --device cuda --precision tf32 --references "$work/tf32" --models "$models" --no-cpu-compare --bar "$tf32_bar"
    else
      echo "skipped: no PyTorch" | tee -a "$report"
    fi
    end
  fi

  local batch
  section "Speed and memory, $bench_model: PyTorch's peers ($torch_device)"
  if [[ -n $python ]]; then
    step 240 "$python" tools/gpu_torch.py bench --device "$torch_device" --models "$bench_model" --batches "$batches" \
      --peers eager,graphs
    # torch.compile apart, under its own limit: compiling may fail offline or take long, and the rows above stay.
    # reduce-overhead only (Inductor with CUDA graphs, the strongest peer); 100 s of compiling keeps the check in
    # its 8 minutes, and the cases it leaves out say so.
    if ((compile)); then
      step 180 "$python" tools/gpu_torch.py bench --device "$torch_device" --models "$bench_model" --batches "$batches" \
        --peers compile --compile-modes reduce-overhead --compile-budget 100
    else
      echo "torch.compile: left out (--no-compile)" | tee -a "$report"
    fi
  else
    echo "skipped: no PyTorch" | tee -a "$report"
  fi
  end
  section "Speed and memory, $bench_model: ours ('device MiB': parameters + activations + scratch, the peak)"
  # --device cpu is the SIMD backend, which has no kernel sets: its one row per batch is the "cpu" mode's.
  # Modes: kernel set, precision, CUDA graphs. Plain launches at batch 1 show what the graphs save.
  local modes=()
  [[ $device != cpu ]] && modes+=("gpu fp32 on")
  [[ $device == cuda ]] && modes+=("gpu fp32 off" "gpu tf32 on")
  modes+=("cpu fp32 on")
  local mode set precision graphs
  for mode in "${modes[@]}"; do
    read -r set precision graphs <<<"$mode"
    for batch in ${batches//,/ }; do
      # The CPU set is the before-and-after comparison: batch 1 and the largest batch are enough.
      [[ $set == cpu && $batch != 1 && $batch != "${batches##*,}" ]] && continue
      [[ $graphs == off && $batch != 1 ]] && continue
      echo "kernel set $set, $precision, batch $batch$([[ $graphs == off ]] && echo ", CUDA graphs off")" | tee -a "$report"
      step 240 env DENSENET_KERNELS="$set" DENSENET_CUDA_GRAPHS="$graphs" "$bin" quick --device "$device" --models "$bench_model" \
        --batch "$batch" --precision "$precision" --iterations "$(iterations "$batch")" --warmup 2
    done
  done
  end
  # Where the GPU time goes, per op kind (batch 1, the default kernel set): the first H200 run found its kernels,
  # not its launches, behind PyTorch (benchmarks/README.md, "The first GPU run"), so each run reports this beside the
  # timings.
  if [[ $device != cpu ]]; then
    section "Profile, $bench_model on $device: time per op kind, batch 1"
    step 120 "$bin" profile --device "$device" --models "$bench_model" --rounds 5
    end
  fi
  ((scaling)) && cpu_scaling 1,2,4,8,16 1,8 "$bench_model"
  finish_report
}

# The report: $OUT/report.md when OUT is set (the device tool's output folder), else ./gpu-check-report.md, written
# section by section. Sets report, status (1 once a step fails), work (a scratch folder) and python (a python3
# with torch and numpy, or empty).
start_report() {
  if [[ -n ${OUT:-} ]]; then report=$OUT/report.md; else report=./gpu-check-report.md; fi
  mkdir -p "$(dirname "$report")" || exit 1
  status=0
  work=$(mktemp -d)
  python=""
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, numpy' 2>/dev/null; then python=$candidate; break; fi
  done
  : >"$report"
  {
    echo "# DenseNetGen GPU check"
    echo
    echo "$(date -u +%FT%TZ), $1, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } | tee -a "$report"
}

finish_report() {
  rm -rf "$work"
  printf '\nstatus: %s\n' "$( ((status == 0)) && echo PASS || echo FAIL)" | tee -a "$report"
  echo "report: $report" >&2
  return $status
}

section() { printf '\n## %s\n\n```\n' "$1" | tee -a "$report"; }
end() { printf '```\n' | tee -a "$report"; }
# step LIMIT CMD...: runs CMD for at most LIMIT seconds; a failure or a timeout fails the check. Each step's wall
# time goes to stderr and the report, so the 8-minute budget can be checked step by step.
step() {
  local limit=$1 start=$SECONDS
  shift
  timeout -k 10 "$limit" "$@" 2>&1 | tee -a "$report"
  local rc=${PIPESTATUS[0]}
  ((rc == 124 || rc == 137)) && echo "gpu-check: timed out after ${limit}s: $*" | tee -a "$report"
  echo "gpu-check: $((SECONDS - start)) s: $*" >>"$report"
  echo "gpu-check: $((SECONDS - start)) s: $*" >&2
  ((rc == 0)) || status=1
}

# cpu_scaling THREADS BATCHES MODEL: the many-core figures of the SIMD CPU backend against ONNX Runtime (issue 16),
# one runner at a time on an otherwise idle machine. Thread counts above the cores present are left out.
cpu_scaling() {
  local threads=$1 batches=$2 model=$3 t b onnx="" ort_python="" cores
  cores=$(nproc)
  section "CPU scaling, $model: the SIMD CPU backend and ONNX Runtime (CPU provider) at ${threads//,/, } threads, batch ${batches//,/ and }"
  for candidate in $python python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import onnxruntime, numpy' 2>/dev/null; then ort_python=$candidate; break; fi
  done
  if [[ -z $ort_python ]]; then
    echo "ONNX Runtime: no python3 with onnxruntime and numpy here; only ours is timed" | tee -a "$report"
  elif [[ ! -f specs/$model.densenet.json ]]; then
    echo "ONNX Runtime: no specs/$model.densenet.json to export; only ours is timed" | tee -a "$report"
  else
    onnx=artifacts/$(tr '[:upper:]' '[:lower:]' <<<"$(sed -n 's/.*"name": *"\([^"]*\)".*/\1/p' "specs/$model.densenet.json" | head -1)").onnx
    [[ -f $onnx || -z $python ]] || step 300 "$python" tools/export_onnx.py "specs/$model.densenet.json" >/dev/null
    [[ -f $onnx ]] || { echo "ONNX Runtime: $onnx could not be exported (needs torch); only ours is timed" | tee -a "$report"; onnx=""; }
  fi
  for t in ${threads//,/ }; do
    if ((t > cores)); then echo "$t threads: more than the $cores cores here, left out" | tee -a "$report"; continue; fi
    for b in ${batches//,/ }; do
      step 240 "$bin" quick --device cpu --models "$model" --batch "$b" --threads "$t" --iterations "$(iterations "$b")" --warmup 2 \
        >"$work/ours-$t-$b.txt"
      cat "$work/ours-$t-$b.txt"
    done
    if [[ -n $onnx ]]; then
      step 240 "$ort_python" tools/bench_onnxruntime.py "$onnx" --threads "$t" --batch ${batches//,/ } --runs 20 --warmup 2 >"$work/ort-$t.txt"
      cat "$work/ort-$t.txt"
    fi
  done
  # Batch slices at the most threads present (issue 16): the budget per thread was tuned on 2 Zen 5 cores, so on many
  # cores batch 8 is not sliced; these runs say whether it should be (densenet-bench slicing alternates them).
  t=${threads##*,}
  ((t > cores)) && t=$cores
  for b in ${batches//,/ }; do
    if ((b > 1)); then
      step 240 "$bin" slicing --models "$model" --batch "$b" --threads "$t" --rounds "$(iterations "$b")" \
        --slicings none,chosen,15:1,40:1
    fi
  done
  # The summary: medians from the tables above (ours: column 3 of the row after quick's header; ONNX Runtime: column
  # 3 of the row whose batch is b), ours over ONNX Runtime, and each runner's first (1-thread) median over its
  # median at t threads. (step's output went to the files; its copy in the report is already there.)
  echo | tee -a "$report"
  printf '%-8s%-7s%12s%12s%10s%12s%12s\n' threads batch "ours ms" "ORT ms" "ours/ORT" "ours ×1t" "ORT ×1t" | tee -a "$report"
  for b in ${batches//,/ }; do
    local ours1="" ort1=""
    for t in ${threads//,/ }; do
      ((t > cores)) && continue
      local ours ort
      ours=$(awk 'found { print $3; exit } $1 == "model" { found = 1 }' "$work/ours-$t-$b.txt" 2>/dev/null)
      ort=$(awk -v b="$b" '$2 == b && $3 ~ /^[0-9.]+$/ { print $3; exit }' "$work/ort-$t.txt" 2>/dev/null)
      [[ -z $ours1 ]] && ours1=$ours
      [[ -z $ort1 ]] && ort1=$ort
      awk -v t="$t" -v b="$b" -v o="$ours" -v r="$ort" -v o1="$ours1" -v r1="$ort1" 'function f(x, y, d) { return (x == "" || y == "" || y == 0) ? "-" : sprintf(d, x / y) }
        BEGIN { printf "%-8s%-7s%12s%12s%10s%12s%12s\n", t, b, o == "" ? "-" : o, r == "" ? "-" : r, f(o, r, "%.2f"), f(o1, o, "%.2fx"), f(r1, r, "%.2fx") }' \
        | tee -a "$report"
    done
  done
  end
}

# Timed runs per batch: enough for a stable median, few enough for the big batches to fit the time budget.
# Timed runs per quick: 20, 5 from batch 64. Off CUDA (a rehearsal of the script on PoCL or the CPU, whose timings
# nobody reads) 3, so the rehearsal finishes on 2 cores: PoCL's DenseNet121 at batch 8 took 240 s for 22 runs.
iterations() { if [[ ${device:-cuda} != cuda ]]; then echo 3; elif (($1 >= 64)); then echo 5; else echo 20; fi; }

scaling() {
  local threads=1,2,4,8,16 batches=1,8 bench_model=densenet121
  while (($#)); do
    case $1 in
      --threads) threads=$2; shift 2 ;;
      --batches) batches=$2; shift 2 ;;
      --bench-model) bench_model=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $threads =~ ^[0-9]+(,[0-9]+)*$ && $batches =~ ^[0-9]+(,[0-9]+)*$ ]] \
    || { echo "gpu-check: --threads and --batches take comma-separated integers" >&2; exit 2; }
  [[ -x $bin ]] || { echo "gpu-check: $bin not found; run 'tools/gpu-check.sh publish' on a machine with .NET" >&2; exit 1; }
  start_report "CPU scaling only"
  cpu_scaling "$threads" "$batches" "$bench_model"
  finish_report
}

case ${1:-} in
  publish) publish ;;
  run) shift; run "$@" ;;
  scaling) shift; scaling "$@" ;;
  *) usage ;;
esac
