#!/usr/bin/env bash
# What a new user does, against the packages `dotnet pack` writes (artifacts/packages), in a scratch folder
# outside the repository:
#   1. `dotnet new console`, `dotnet add package DenseNetGen` (the core only), drop in a spec, `dotnet run`: the
#      generated class loads a checkpoint and runs an input (tests/references/package/,
#      tools/make_package_test_files.py) and prints its parameter count and logits, held to PyTorch's
#      (tests/references/parity/TinyCifarNet.json); the same program against a reference with one logit changed, or an
#      input with a NaN pixel, must fail, so the comparison can fail. The project restores no ILGPU and no SkiaSharp;
#   2. the same app published with NativeAOT at default settings: zero IL2xxx/IL3xxx warnings, the package's level
#      libraries beside it, and the native binary runs at the widest level this CPU has (its device line) with
#      PyTorch's logits; in-process (DENSENET_LEVEL_LIBRARY=off) at Vector128 without FMA with PyTorch's logits too,
#      its register tiles at that width making no call (tools/check_aot_tiles.py); published without the libraries
#      (DenseNetGenLevelLibraries=false), the DNG100 warning that the image will run at Vector128 without FMA;
#   3. a bad spec fails the build with the located DNG error;
#   4. a GPU app (`dotnet add package DenseNetGen.Gpu`): referencing the package is what registers ILGPU's devices,
#      so DENSENET_DEVICE=ilgpu-cpu opens and gives PyTorch's logits;
#   5. a second project with `dotnet add package DenseNetGen.Zoo`: DenseNets.Default() names the sample;
#   6. `dotnet tool install --tool-path DIR --add-source FOLDER DenseNetGen.Cli`, then
#      `DIR/densenet predict samples/fashion-mnist/ankle-boot.png` names the right class.
# Every package must carry its XML documentation (checked where NuGet unpacked it). The sizes of what each app restores (nupkg and unpacked) are
# printed. NuGet restores into a private cache, and the project's nuget.config takes DenseNetGen* only from the
# packed folder; local packs are prereleases stamped with the pack time (Directory.Build.props), so a package in
# the user's cache cannot stand in for the one just packed. Other packages come from the user's cache as a local
# feed (no download once the repository has been restored) or nuget.org. The tool is installed outside that
# project, as README says, with the user's NuGet settings and --add-source.
# Usage: tools/package-test.sh [--no-pack]   (packs first unless --no-pack; then the newest pack is tested)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
packages=$repo/artifacts/packages
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

prefix=$(dotnet msbuild "$repo/runtime/DenseNetGen.Runtime.csproj" -getProperty:VersionPrefix)
if [[ ${1:-} != --no-pack ]]; then
  # One stamp for every package of this pack (each project would otherwise take the time it is evaluated at).
  suffix=dev.$(date -u +%Y%m%d%H%M%S)
  dotnet pack "$repo/DenseNetGen.sln" -c Release --nologo -v quiet -p:VersionSuffix="$suffix"
  version=$prefix-$suffix
else
  version=$(find "$packages" -name "DenseNetGen.$prefix-dev.*.nupkg" -printf '%f\n' | sed -E 's/^DenseNetGen\.(.*)\.nupkg$/\1/' | sort | tail -n 1)
  [[ -n $version ]] || { echo "package-test: no DenseNetGen.$prefix-dev.* package in $packages (dotnet pack first)" >&2; exit 1; }
fi
for id in DenseNetGen DenseNetGen.Gpu DenseNetGen.Vision DenseNetGen.Zoo DenseNetGen.Cli; do
  nupkg=$packages/$id.$version.nupkg
  [[ -f $nupkg ]] || { echo "package-test: $nupkg missing (dotnet pack first)" >&2; exit 1; }
done
user_cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
mkdir -p "$user_cache"  # a local feed must exist, even before the first restore

scratch=$(mktemp -d /tmp/densenet-package-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export NUGET_PACKAGES=$scratch/nuget-cache
cat > "$scratch/nuget-config.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$packages" />
    <add key="user-cache" value="$user_cache" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="packed"><package pattern="DenseNetGen*" /></packageSource>
    <packageSource key="user-cache"><package pattern="*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

fail() { echo "package-test: $*" >&2; exit 1; }
step() { echo "package-test: $*"; }
# sizes NAME: what the project in the current folder restored (its packages in obj/project.assets.json), as NuGet
# downloads it (.nupkg) and unpacked.
sizes() {
  local count=0 nupkg=0 unpacked=0 path folder bytes
  for path in $(grep -o '"path": "[^"]*/[^"]*"' obj/project.assets.json | cut -d'"' -f4); do
    folder=$NUGET_PACKAGES/$path
    [[ -d $folder ]] || continue
    count=$((count + 1))
    bytes=$(find "$folder" -type f -name '*.nupkg' -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }')
    nupkg=$((nupkg + bytes))
    bytes=$(find "$folder" -type f ! -name '*.nupkg' ! -name '*.sha512' ! -name '.nupkg.metadata' ! -name '.signature.p7s' -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }')
    unpacked=$((unpacked + bytes))
  done
  awk -v name="$1" -v c=$count -v n=$nupkg -v u=$unpacked \
    'BEGIN { printf "package-test: %s: %d packages, %.1f MiB of nupkg, %.1f MiB unpacked\n", name, c, n / 2^20, u / 2^20 }'
}

# documented ID DLL: the restored package ID carries DLL's XML documentation next to it (what IntelliSense reads).
documented() {
  local id=${1,,}
  compgen -G "$NUGET_PACKAGES/$id/$version/lib/net10.0/$2.xml" >/dev/null \
    || compgen -G "$NUGET_PACKAGES/$id/$version/tools/net10.0/any/$2.xml" >/dev/null \
    || fail "$1 $version carries no XML documentation ($2.xml)"
}

# new_app DIR PACKAGE: a console project in DIR with PACKAGE added, the spec, the program and its files.
new_app() {
  mkdir "$1"
  cp "$scratch/nuget-config.xml" "$1/nuget.config"
  cd "$1"
  dotnet new console --name "$(basename "$1")" --output . --framework net10.0 >/dev/null
  dotnet add package "$2" --version "$version" >/dev/null
  cp "$repo/tools/package-test/Program.cs" Program.cs
  cp "$repo/tests/specs/tiny-cifar.densenet.json" .
  cp "$repo/tests/references/parity/TinyCifarNet.json" pytorch.json
  cp "$repo/tests/references/package/tiny-cifar.safetensors" "$repo/tests/references/package/tiny-cifar.input.f32" .
}

step "DenseNetGen $version (the core alone) into a new console project"
new_app "$scratch/app" DenseNetGen
dotnet run -c Release -- pytorch.json tiny-cifar.safetensors tiny-cifar.input.f32 | tee run.txt || fail "the generated class does not give PyTorch's logits"
grep -q "^device: Cpu device 'SIMD CPU backend' .*chosen by auto (no GPU backend: DenseNetGen.Gpu is not referenced)" run.txt \
  || fail "the core alone should run on the SIMD backend and say the GPU package is not referenced"
# The same run against a reference whose first logit is off by 90 must fail.
sed -E 's/"logits":\[\[(-?)/"logits":[[\19/' pytorch.json > changed.json
cmp -s pytorch.json changed.json && fail "could not change the reference"
if dotnet run -c Release --no-build -- changed.json tiny-cifar.safetensors tiny-cifar.input.f32 | tail -n 1; then fail "a changed reference still passed"; fi
# So must an input whose first pixel is NaN (float32 0x7fc00000, little-endian): NaN logits are not "close".
{ printf '\x00\x00\xc0\x7f'; tail -c +5 tiny-cifar.input.f32; } > nan.input.f32
if dotnet run -c Release --no-build -- pytorch.json tiny-cifar.safetensors nan.input.f32 | tail -n 1; then fail "NaN logits passed"; fi
grep -Eqi '"(ILGPU|SkiaSharp)[^"]*/' obj/project.assets.json && fail "the core package brought ILGPU or SkiaSharp"
documented DenseNetGen DenseNetGen.Runtime
sizes "a CPU-only app (DenseNetGen)"

step "the same app as NativeAOT"
publish=$(dotnet publish -c Release -r linux-x64 -p:PublishAot=true -o aot 2>&1) || fail "the NativeAOT publish failed: $publish"
if grep -E 'warning IL[23][0-9]{3}' <<<"$publish"; then fail "the NativeAOT publish warned (above)"; fi
# At the default instruction set (x86-64-v2) the package puts its level libraries beside the app, and has nothing
# to warn about.
grep -q 'warning DNG100' <<<"$publish" && fail "the NativeAOT publish with the level libraries warned DNG100"
for level in x86-64-v4 x86-64-v3; do
  [[ -f aot/libdensenetgen-simd-$level.so ]] || fail "the NativeAOT publish did not copy the $level level library"
done
ls -l aot/app aot/libdensenetgen-simd-*.so | awk '{ printf "package-test: %s %.1f MiB\n", $NF, $5 / 2^20 }'
# The widest level this CPU has, as the kernel reports its flags (the app reads CPUID itself).
expected="Vector128, no FMA"
case $("$repo/tools/cpu_level.py" || true) in
  x86-64-v4) expected="Vector512 from the x86-64-v4 level library" ;;
  x86-64-v3) expected="Vector256 from the x86-64-v3 level library" ;;
esac
aot_out=$(aot/app pytorch.json tiny-cifar.safetensors tiny-cifar.input.f32) || fail "the NativeAOT build does not give PyTorch's logits: $aot_out"
echo "$aot_out"
grep -q "^device: Cpu device 'SIMD CPU backend' ($expected, " <<<"$aot_out" || fail "the NativeAOT build does not run at '$expected'"
# In-process, the image's own width: PyTorch's logits too, and its register tiles make no call: a call would spill
# their accumulators on every step, which only an AOT image shows (tools/check_aot_tiles.py; the libraries' own
# tiles are checked where they are built, tools/level-check.sh).
aot_out=$(DENSENET_LEVEL_LIBRARY=off aot/app pytorch.json tiny-cifar.safetensors tiny-cifar.input.f32) \
  || fail "the NativeAOT build in-process does not give PyTorch's logits: $aot_out"
echo "$aot_out"
aot_width=$(grep -o -m1 'Vector[0-9]*\(, no FMA\)\?' <<<"$aot_out") || fail "the NativeAOT build printed no vector width"
[[ $aot_width == "Vector128, no FMA" ]] || fail "the NativeAOT image in-process runs at $aot_width, not its baseline's Vector128 without FMA"
"$repo/tools/check_aot_tiles.py" aot/app "$aot_width" || fail "a register tile of the NativeAOT build makes a call"
# Left out, the libraries are missed where the choice is made: the publish warns DNG100.
publish=$(dotnet publish -c Release -r linux-x64 -p:PublishAot=true -p:DenseNetGenLevelLibraries=false -o aot-alone 2>&1) \
  || fail "the NativeAOT publish without level libraries failed: $publish"
grep -q 'warning DNG100: DenseNetGen: this NativeAOT build targets x86-64-v2 and carries no level library' <<<"$publish" \
  || fail "the NativeAOT publish without level libraries did not warn about the vector width (DNG100)"
compgen -G 'aot-alone/libdensenetgen-simd-*' >/dev/null && fail "DenseNetGenLevelLibraries=false still copied a level library"

step "a bad spec is a located DNG error"
rm tiny-cifar.densenet.json
cat > tiny.densenet.json <<'JSON'
{
  "name": "TinyNet",
  "growthRate": -8,
  "blockConfig": [2, 2],
  "initChannels": 16,
  "bnSize": 4,
  "compression": 0.5,
  "stem": "cifar",
  "inChannels": 3,
  "numClasses": 10,
  "inputSize": 32
}
JSON
if build=$(dotnet build -c Release 2>&1); then fail "a bad spec built"; fi
grep -o 'tiny.densenet.json(3,17): error DNG004: [^[]*' <<<"$build" | head -1 | grep . || fail "no located DNG004 error: $build"

step "DenseNetGen.Gpu $version: its devices join the choice by reference alone"
new_app "$scratch/gpu" DenseNetGen.Gpu
DENSENET_DEVICE=ilgpu-cpu dotnet run -c Release -- pytorch.json tiny-cifar.safetensors tiny-cifar.input.f32 | tee run.txt \
  || fail "the GPU app does not give PyTorch's logits on ilgpu-cpu"
grep -q "^device: IlgpuCpu device" run.txt || fail "DenseNetGen.Gpu's devices were not registered"
documented DenseNetGen.Gpu DenseNetGen.Gpu
sizes "a GPU app (DenseNetGen.Gpu)"

step "DenseNetGen.Zoo $version: the embedded net"
mkdir "$scratch/zoo"
cp "$scratch/nuget-config.xml" "$scratch/zoo/nuget.config"
cd "$scratch/zoo"
dotnet new console --name zoo --output . --framework net10.0 >/dev/null
dotnet add package DenseNetGen.Zoo --version "$version" >/dev/null
cat > Program.cs <<'CS'
using var model = DenseNetGen.Zoo.DenseNets.Default();
var best = model.Predict(args[0], topK: 1).TopK[0];
Console.WriteLine($"{best.Label} {best.Score:0.0000}");
CS
zoo=$(dotnet run -c Release -- "$repo/samples/fashion-mnist/ankle-boot.png") || fail "the zoo project failed: $zoo"
echo "$zoo"
grep -q '^Ankle boot ' <<<"$zoo" || fail "DenseNets.Default() did not name Ankle boot"
documented DenseNetGen.Vision DenseNetGen.Vision
documented DenseNetGen.Zoo DenseNetGen.Zoo
sizes "a Zoo app (DenseNetGen.Zoo: core, vision, the embedded net)"

step "the densenet tool"
cd "$scratch"
dotnet tool install --tool-path "$scratch/tool" --add-source "$packages" DenseNetGen.Cli --version "$version" >/dev/null
[[ -n $(find "$scratch/tool/.store" -name densenet.xml) ]] || fail "DenseNetGen.Cli $version carries no XML documentation (densenet.xml)"
du -sb "$scratch/tool" | awk '{ printf "package-test: the densenet tool: %.1f MiB installed\n", $1 / 2^20 }'
ls -l "$packages/DenseNetGen.Cli.$version.nupkg" | awk '{ printf "package-test: DenseNetGen.Cli nupkg %.1f MiB\n", $5 / 2^20 }'
prediction=$("$scratch/tool/densenet" predict "$repo/samples/fashion-mnist/ankle-boot.png")
echo "$prediction"
grep -q '^  1\. Ankle boot ' <<<"$prediction" || fail "densenet predict did not name Ankle boot first"
step "passed"
