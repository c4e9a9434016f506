#!/usr/bin/env bash
# The SIMD backend on ARM64 (NEON, Vector128 with FMLA, the 32-register tiles), under QEMU user emulation on an
# x86-64 machine:
#   1. installs what it needs when missing: qemu-user-static, and Debian's arm64 libc, libgcc, libstdc++ and zlib
#      by multiarch (dpkg --add-architecture arm64), so `qemu-aarch64-static -L /` finds an arm64 loader;
#   2. publishes `densenet` and `densenet-bench` self-contained for linux-arm64 (artifacts/arm64/, git-ignored);
#   3. under emulation, `densenet-bench parity --device cpu` over every spec with a PyTorch reference (the zoo and
#      the two test specs: relative |Δ| ≤ 1e-4 and the same top-1, exit 1 otherwise);
#   4. `densenet predict` on the ankle boot and a 500-image `densenet test` on Fashion-MNIST, each run here on
#      x86-64 too: the ARM64 figures must be the x86-64 figures, line for line (predict's five classes and scores
#      to 4 decimals; test's top-1 and top-5 accuracy and counts; not the device line, which names Vector128 there
#      and this machine's width here, nor test's throughput).
# DOTNET_EnableWriteXorExecute=0: the JIT's double mapping of code pages crashes at random under QEMU.
# About 5 minutes on 2 cores (the parity pass is most of it). Exit status 1 on any failure.
# Usage: tools/arm64-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

packages=(qemu-user-static libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 zlib1g:arm64)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  dpkg --add-architecture arm64
  # Another apt run on the machine holds the lock for a while: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${packages[@]}"
fi

out=artifacts/arm64
rm -rf "$out"
for project in cli/DenseNetGen.Cli.csproj benchmarks/DenseNetGen.Benchmarks/DenseNetGen.Benchmarks.csproj; do
  dotnet publish "$project" -c Release -r linux-arm64 --self-contained -o "$out/$(basename "$(dirname "$project")")" \
    -v quiet -nologo
done
dotnet build cli/DenseNetGen.Cli.csproj -c Release -v quiet -nologo >/dev/null

arm() { DOTNET_EnableWriteXorExecute=0 qemu-aarch64-static -L / "$@"; }
x86_densenet() { dotnet cli/bin/Release/net10.0/densenet.dll "$@"; }
failed=()

echo "arm64: $(arm "$out/cli/densenet" info --devices | grep -m1 Cpu)"
[[ $(arm "$out/cli/densenet" info --devices) == *Vector128* ]] || failed+=("the device line does not name Vector128")

echo "arm64: densenet-bench parity --device cpu, every spec with a reference"
arm "$out/DenseNetGen.Benchmarks/densenet-bench" parity --device cpu || failed+=(parity)

# predict and test print x86-64's figures (tools/same-figures.sh).
source tools/same-figures.sh
left() { arm "$out/cli/densenet" "$@"; }
right() { x86_densenet "$@"; }
right_name=x86-64
same_figures arm64 predict '^ +[0-9]+\. .* score ' predict samples/fashion-mnist/ankle-boot.png --device cpu
same_figures arm64 test '^accuracy/' test --data samples/fashion-mnist --limit 500 --device cpu

if ((${#failed[@]})); then
  echo "arm64: FAIL: $(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
echo "arm64: PASS (parity on every spec; predict and a 500-image test as on x86-64)"
