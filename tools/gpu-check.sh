#!/usr/bin/env bash
# The CUDA check, for a GPU machine without .NET (benchmarks/README.md):
#
#   tools/gpu-check.sh publish
#       (on the dev machine) one self-contained linux-x64 file, publish/gpu-check/densenet-bench, and a start-up check
#   tools/gpu-check.sh run [--device cuda|opencl|cpu] [--models a,b,...]
#       (on the target) devices, parity of every spec against PyTorch's references (the small nets and DenseNet121
#       also against the CPU accelerator), then the quick benchmark. Exit status 1 on any failure.
#
# `run` needs only publish/gpu-check/ and tests/references/parity/ (carry both). The report goes to $OUT/report.md
# when OUT is set (the device tool's output folder), else ./gpu-check-report.md; it is written section by section,
# so a run cut short still leaves what it had.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=publish/gpu-check/densenet-bench
all=fashion-mnist,TinyCifarNet,OddImageNet,densenet121,densenet169,densenet201,densenet161
# Checked against the CPU accelerator too; the bigger nets take minutes there even on 16 cores.
cpu_compared=fashion-mnist,TinyCifarNet,OddImageNet,densenet121

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

publish() {
  # Start empty: files left by an older publish would ride along and break the carry limit.
  rm -rf publish/gpu-check
  dotnet publish benchmarks/DenseNetGen.Benchmarks -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -o publish/gpu-check >/dev/null || exit 1
  ls -l publish/gpu-check
  du -sh publish/gpu-check
  "$bin" devices || { echo "gpu-check: the published file does not start" >&2; exit 1; }
}

# Names of list $1 that are (in=1) or are not (in=0) in list $2, comma-separated.
filter() {
  local name out=() in=$3
  IFS=, read -ra names <<<"$1"
  for name in "${names[@]}"; do
    if [[ ,$2, == *,"$name",* ]]; then ((in)) && out+=("$name"); else ((in)) || out+=("$name"); fi
  done
  (IFS=,; echo "${out[*]}")
}

run() {
  local device=cuda models=$all
  while (($#)); do
    case $1 in
      --device) device=$2; shift 2 ;;
      --models) models=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -x $bin ]] || { echo "gpu-check: $bin not found; run 'tools/gpu-check.sh publish' on a machine with .NET" >&2; exit 1; }
  local report status=0 compared plain
  if [[ -n ${OUT:-} ]]; then report=$OUT/report.md; else report=./gpu-check-report.md; fi
  compared=$(filter "$models" "$cpu_compared" 1)
  plain=$(filter "$models" "$cpu_compared" 0)
  : >"$report"
  section() { printf '\n## %s\n\n```\n' "$1" | tee -a "$report"; }
  end() { printf '```\n' | tee -a "$report"; }
  step() { "$@" 2>&1 | tee -a "$report"; ((PIPESTATUS[0] == 0)) || status=1; }

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
  step "$bin" devices
  end
  section "Parity against PyTorch (bar: relative |Δ| ≤ 1e-4, same top-1)"
  [[ -n $compared ]] && step "$bin" parity --device "$device" --models "$compared"
  [[ -n $plain ]] && step "$bin" parity --device "$device" --models "$plain" --no-cpu-compare
  end
  section "Quick benchmark (batch 1$([[ $device != cpu && ,$models, == *,densenet121,* ]] && echo '; DenseNet121 also at batch 16'))"
  step "$bin" quick --device "$device" --models "$models" --iterations 10
  # Batch 16 is the throughput figure on a GPU; on the CPU accelerator it would take minutes.
  [[ $device != cpu && ,$models, == *,densenet121,* ]] && step "$bin" quick --device "$device" --models densenet121 --batch 16
  end
  printf '\nstatus: %s\n' "$( ((status == 0)) && echo PASS || echo FAIL)" | tee -a "$report"
  echo "report: $report" >&2
  return $status
}

case ${1:-} in
  publish) publish ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
