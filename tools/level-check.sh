#!/usr/bin/env bash
# Builds the level libraries (levels/; README, Devices: NativeAOT) for this machine's CI steps and checks their code:
#   1. publishes the SIMD backend as a NativeAOT shared library for each x86-64 level (x86-64-v4, x86-64-v3) into
#      artifacts/levels/LEVEL/ (git-ignored), as packing the runtime does;
#   2. checks that each library's register tiles at its width (Vector512, Vector256) make no call
#      (tools/check_aot_tiles.py, on the symbols NativeAOT writes beside the library).
# .ci/run then runs the parity suite through each library (DENSENET_LEVEL_LIBRARY), and the package test checks
# that a NativeAOT app published at default settings loads one. Needs clang and zlib1g-dev (the NativeAOT linker)
# and binutils. About a minute. Exit status 1 on any failure.
# Usage: tools/level-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build runtime/DenseNetGen.Runtime.csproj -c Release -v quiet -nologo >/dev/null
declare -A width=([x86-64-v4]=Vector512 [x86-64-v3]=Vector256)
failed=()
for level in x86-64-v4 x86-64-v3; do
  out=artifacts/levels/$level
  rm -rf "$out"
  dotnet publish levels/DenseNetGen.Levels.csproj -c Release -p:DenseNetGenLevel="$level" -o "$out" -v quiet -nologo
  library=$out/libdensenetgen-simd-$level.so
  [[ -f $library ]] || { failed+=("no $library"); continue; }
  ls -l "$library" | awk -v l="$level" '{ printf "level-check: %s library %.1f MiB\n", l, $5 / 2^20 }'
  tools/check_aot_tiles.py "$library" "${width[$level]}" || failed+=("a $level register tile makes a call")
done

if ((${#failed[@]})); then
  echo "level-check: FAIL: $(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
echo "level-check: PASS (both libraries built; their register tiles make no call)"
