#!/usr/bin/env bash
# The CUDA check, for a GPU machine without .NET (benchmarks/README.md):
#
#   tools/gpu-check.sh publish
#       (on the dev machine) one self-contained linux-x64 file, publish/gpu-check/densenet-bench, and a start-up check
#   tools/gpu-check.sh run [--device cuda|opencl|cpu] [--models a,b,...] [--batches 1,8,64,256] [--bench-model densenet121]
#       (on the target) devices; FP32 parity of every spec against PyTorch's references and the SIMD CPU backend;
#       TF32 parity against PyTorch with TF32 on; then speed and peak device memory per batch: PyTorch's peers (eager
#       with cudnn.benchmark, under a CUDA graph, torch.compile; TF32 off and PyTorch's default) against ours (FP32
#       and TF32 with the GPU kernel set, FP32 with the CPU set). Exit status 1 on any failure.
#
# `run` needs publish/gpu-check/, tests/references/parity/, specs/ and tools/*.py (carry the first; the rest is
# tracked). PyTorch (python3 with torch and numpy) is optional: without it the PyTorch sections say so and are
# skipped. Every step has a time limit, so one hang cannot use up the machine. The report goes to $OUT/report.md
# when OUT is set (the device tool's output folder), else ./gpu-check-report.md; it is written section by section,
# so a run cut short still leaves what it had.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=publish/gpu-check/densenet-bench
all=fashion-mnist,TinyCifarNet,OddImageNet,densenet121,densenet169,densenet201,densenet161

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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
  local device=cuda models=$all batches=1,8,64,256 bench_model=densenet121
  while (($#)); do
    case $1 in
      --device) device=$2; shift 2 ;;
      --models) models=$2; shift 2 ;;
      --batches) batches=$2; shift 2 ;;
      --bench-model) bench_model=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $batches =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "gpu-check: --batches takes comma-separated integers, got '$batches'" >&2; exit 2; }
  [[ -x $bin ]] || { echo "gpu-check: $bin not found; run 'tools/gpu-check.sh publish' on a machine with .NET" >&2; exit 1; }
  local report status=0 work torch_device
  if [[ -n ${OUT:-} ]]; then report=$OUT/report.md; else report=./gpu-check-report.md; fi
  mkdir -p "$(dirname "$report")" || exit 1
  work=$(mktemp -d)
  : >"$report"
  section() { printf '\n## %s\n\n```\n' "$1" | tee -a "$report"; }
  end() { printf '```\n' | tee -a "$report"; }
  # step LIMIT CMD...: runs CMD for at most LIMIT seconds; a failure or a timeout fails the check.
  step() {
    local limit=$1
    shift
    timeout -k 10 "$limit" "$@" 2>&1 | tee -a "$report"
    local rc=${PIPESTATUS[0]}
    ((rc == 124 || rc == 137)) && echo "gpu-check: timed out after ${limit}s: $*" | tee -a "$report"
    ((rc == 0)) || status=1
  }
  # What PyTorch runs on: CUDA when this is the CUDA check, otherwise the CPU (trying the script out).
  torch_device=cpu
  [[ $device == cuda ]] && torch_device=cuda
  local python=""
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, numpy' 2>/dev/null; then python=$candidate; break; fi
  done

  {
    echo "# DenseNetGen GPU check"
    echo
    echo "$(date -u +%FT%TZ), device $device, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } | tee -a "$report"
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

  section "Parity against PyTorch, FP32 (bar: relative |Δ| ≤ 1e-4, same top-1)"
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
    step 180 "$python" tools/gpu_torch.py bench --device "$torch_device" --models "$bench_model" --batches "$batches" \
      --peers compile --compile-modes reduce-overhead --compile-budget 100
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
  rm -rf "$work"
  printf '\nstatus: %s\n' "$( ((status == 0)) && echo PASS || echo FAIL)" | tee -a "$report"
  echo "report: $report" >&2
  return $status
}

# Timed runs per batch: enough for a stable median, few enough for the big batches to fit the time budget.
iterations() { if (($1 >= 64)); then echo 5; else echo 20; fi; }

case ${1:-} in
  publish) publish ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
