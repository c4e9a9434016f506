#!/usr/bin/env bash
# Builds the level libraries (levels/; README, Devices: NativeAOT) for this machine's CI steps and checks their code:
#   1. publishes the SIMD backend as a NativeAOT shared library for each x86-64 level (x86-64-v4, x86-64-v3) into
#      artifacts/levels/LEVEL/ (git-ignored), as packing the runtime does;
#   2. checks that each library's register tiles at its width (Vector512, Vector256) make no call
#      (tools/check_aot_tiles.py, on the symbols NativeAOT writes beside the library);
#   3. publishes `densenet` with NativeAOT at default settings (artifacts/aot/densenet/, the libraries beside it, as
#      Directory.Build.targets puts them) and checks that it runs in the widest library this CPU has (the device
#      line), and that `densenet predict` and a 500-image `densenet test` print the JIT build's figures, from the
#      library and in-process (DENSENET_LEVEL_LIBRARY=off: Vector128 without FMA).
# .ci/run then runs the parity suite through each library (DENSENET_LEVEL_LIBRARY), and the package test checks
# that a user's NativeAOT app gets them from the package. Needs clang and zlib1g-dev (the NativeAOT linker) and
# binutils. About 6 minutes (the densenet publish is most of it). Exit status 1 on any failure.
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

aot=artifacts/aot/densenet
rm -rf "$aot"
dotnet publish cli/DenseNetGen.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true -o "$aot" -v quiet -nologo
dotnet build cli/DenseNetGen.Cli.csproj -c Release -v quiet -nologo >/dev/null
devices=$("$aot/densenet" info --devices) || failed+=("the AOT densenet's info --devices failed")
echo "level-check: $(grep -m1 Cpu <<<"$devices")"
if tools/cpu_level.py >/dev/null; then
  [[ $devices == *"from the $(tools/cpu_level.py) level library"* ]] || failed+=("the AOT densenet does not run in the $(tools/cpu_level.py) library")
fi

# same NAME FIGURES ENV ARGS...: the lines matching FIGURES of the AOT `densenet ARGS` (run with ENV, e.g.
# DENSENET_LEVEL_LIBRARY=on) and of the JIT's must agree, and there must be some.
same() {
  local name=$1 figures=$2 setting=$3 aot_out jit_out
  shift 3
  echo "level-check: $setting densenet $*"
  aot_out=$(env "$setting" "$aot/densenet" "$@" 2>&1 | grep -E "$figures") || { failed+=("$name ($setting) printed no figures"); return; }
  jit_out=$(dotnet cli/bin/Release/net10.0/densenet.dll "$@" 2>&1 | grep -E "$figures") || { failed+=("$name printed no figures under the JIT"); return; }
  echo "$aot_out"
  [[ $aot_out == "$jit_out" ]] || { echo "level-check: the JIT printed:"; echo "$jit_out"; failed+=("$name ($setting)"); }
}
for setting in DENSENET_LEVEL_LIBRARY=on DENSENET_LEVEL_LIBRARY=off; do
  same predict '^ +[0-9]+\. .* score ' "$setting" predict samples/fashion-mnist/ankle-boot.png --device cpu
  same test '^accuracy/' "$setting" test --data samples/fashion-mnist --limit 500 --device cpu
done

if ((${#failed[@]})); then
  echo "level-check: FAIL: $(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
echo "level-check: PASS (both libraries built, their register tiles make no call; the AOT densenet runs in one and prints the JIT's figures)"
