#!/usr/bin/env bash
# OpenCL on a CPU-only Debian 12 machine. Debian 12's PoCL (3.1) lacks the generic address space
# that ILGPU's OpenCL backend requires, so ILGPU ignores it; PoCL 6 from Debian trixie has it, but
# needs trixie's glibc. So it lives in a minimal trixie root, and commands run inside it with the
# repository, the .NET SDK and the NuGet cache bound at their own paths.
#
#   tools/opencl-env.sh setup          create the root (.opencl-root/, about 20 s; needs root)
#   tools/opencl-env.sh run CMD...     run CMD inside it, in the current directory
#
# Bind mounts are released on every exit path: a /dev left bound inside a folder that something
# later removes with rm -rf takes the machine's own /dev with it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=${OPENCL_ROOT:-$repo/.opencl-root}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}

mounted=()
release() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
trap release EXIT INT TERM

bind() { # bind SRC: mount SRC at the same path inside the root
  local src=$1 dst=$root$1
  mkdir -p "$dst"
  mount --bind "$src" "$dst"
  mounted+=("$dst")
}

bind_system() {
  bind /proc
  bind /sys
  bind /dev
}

setup() {
  if [[ -e $root/.ready ]]; then
    echo "opencl-env: $root is ready"
    return
  fi
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
  rm -rf "$root"
  debootstrap --variant=minbase trixie "$root" >/dev/null
  bind_system
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" apt-get install -y -q --no-install-recommends pocl-opencl-icd ocl-icd-libopencl1 libicu76 >/dev/null
  # ILGPU loads "OpenCL" by that name only.
  ln -sf libOpenCL.so.1 "$root/usr/lib/x86_64-linux-gnu/libOpenCL.so"
  release
  touch "$root/.ready"
  echo "opencl-env: $root is ready"
}

run() {
  [[ -e $root/.ready ]] || setup
  bind_system
  bind "$repo"
  bind "$dotnet_root"
  mkdir -p "$nuget"
  bind "$nuget"
  [[ -d /tmp ]] && bind /tmp
  # Debian's dataset packages (Fashion-MNIST) live on the host.
  [[ -d /usr/share/datasets ]] && bind /usr/share/datasets
  local cwd=$PWD
  chroot "$root" /usr/bin/env -i \
    PATH="$dotnet_root:/usr/local/bin:/usr/bin:/bin" HOME="$HOME" NUGET_PACKAGES="$nuget" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    DENSENET_DEVICE="${DENSENET_DEVICE:-opencl}" DENSENET_KERNELS="${DENSENET_KERNELS:-}" CI="${CI:-}" \
    /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"
}

case ${1:-} in
  setup) setup ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 setup | run CMD..." >&2; exit 2 ;;
esac
