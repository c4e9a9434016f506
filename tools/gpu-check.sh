#!/usr/bin/env bash
# The CUDA check, for a GPU machine without .NET:
#
#   tools/gpu-check.sh publish            (here) one self-contained linux-x64 file: publish/gpu-check/densenet-bench
#   tools/gpu-check.sh run [--device D]   (there) devices, parity of every zoo spec against PyTorch's references
#                                          and the CPU accelerator, and the quick benchmark; writes a short report
#
# `run` needs only publish/gpu-check/ and tests/references/parity/ (carry both). The report goes to
# $OUT/gpu-check-report.md when OUT is set (the device tool's output folder), else ./gpu-check-report.md.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=publish/gpu-check/densenet-bench

publish() {
  dotnet publish benchmarks/DenseNetGen.Benchmarks.csproj -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -o publish/gpu-check >/dev/null || exit 1
  ls -l "$bin"
}

run() {
  local device=cuda
  [[ ${1:-} == --device ]] && device=$2
  local report=${OUT:-.}/gpu-check-report.md status=0
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  {
    echo "# DenseNetGen GPU check ($(date -u +%FT%TZ), device $device)"
    echo
    echo '```'
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
    "$bin" devices 2>&1
    echo '```'
    echo
    echo "## Parity (PyTorch references; small nets also against the CPU accelerator)"
    echo '```'
    "$bin" parity --device "$device" --models fashion-mnist --compare-cpu 2>&1 || status=1
    "$bin" parity --device "$device" --models densenet121,densenet169,densenet201,densenet161 2>&1 || status=1
    echo '```'
    echo
    echo "## Quick benchmark (batch 1, then batch 16 for DenseNet121)"
    echo '```'
    "$bin" quick --device "$device" -n 10 2>&1 || status=1
    "$bin" quick --device "$device" --models densenet121 --batch 16 -n 5 2>&1 || status=1
    echo '```'
    echo
    echo "status: $([[ $status == 0 ]] && echo PASS || echo FAIL)"
  } | tee "$report"
  return $status
}

case ${1:-} in
  publish) publish ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 publish | run [--device cuda|opencl|cpu]" >&2; exit 2 ;;
esac
