#!/usr/bin/env bash
# Builds the level libraries (levels/; README, Devices: NativeAOT) for this machine's CI steps and checks their code:
#   1. publishes the SIMD backend as a NativeAOT shared library for each x86-64 level (x86-64-v4, x86-64-v3) into
#      artifacts/levels/LEVEL/ (git-ignored), by the runtime's own LevelLibraries target, which its pack runs;
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
rm -rf artifacts/levels
# The same build of the libraries the runtime's pack makes (its LevelLibraries target), into artifacts/levels/.
dotnet msbuild runtime/DenseNetGen.Runtime.csproj -t:LevelLibraries -p:Configuration=Release \
  -p:DenseNetGenLevelsDir="$PWD/artifacts/levels/" -v:quiet -nologo
declare -A width=([x86-64-v4]=Vector512 [x86-64-v3]=Vector256)
failed=()
for level in x86-64-v4 x86-64-v3; do
  library=artifacts/levels/$level/libdensenetgen-simd-$level.so
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

# predict and test print the JIT build's figures, from the library and in-process (tools/same-figures.sh).
source tools/same-figures.sh
left() { env "$setting" "$aot/densenet" "$@"; }
right() { dotnet cli/bin/Release/net10.0/densenet.dll "$@"; }
right_name="the JIT build"
for setting in DENSENET_LEVEL_LIBRARY=on DENSENET_LEVEL_LIBRARY=off; do
  same_figures level-check "predict ($setting)" '^ +[0-9]+\. .* score ' predict samples/fashion-mnist/ankle-boot.png --device cpu
  same_figures level-check "test ($setting)" '^accuracy/' test --data samples/fashion-mnist --limit 500 --device cpu
done

if ((${#failed[@]})); then
  echo "level-check: FAIL: $(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
echo "level-check: PASS (both libraries built, their register tiles make no call; the AOT densenet runs in one and prints the JIT's figures)"
