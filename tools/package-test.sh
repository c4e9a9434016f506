#!/usr/bin/env bash
# What a new user does, against the packages `dotnet pack` writes (artifacts/packages), in a scratch folder
# outside the repository:
#   1. `dotnet new console`, `dotnet add package DenseNetGen`, drop in a spec, `dotnet run`: the generated class
#      loads a checkpoint and runs an input (tests/references/package/, tools/make_package_test_files.py) and
#      prints its parameter count and logits, held to PyTorch's (tests/references/parity/TinyCifarNet.json);
#      the same program against a reference with one logit changed, or an input with a NaN pixel, must fail, so the
#      comparison can fail;
#   2. a bad spec fails the build with the located DNG error;
#   3. a second project with `dotnet add package DenseNetGen.Zoo`: DenseNets.Default() names the sample;
#   4. `dotnet tool install --tool-path DIR --add-source FOLDER DenseNetGen.Cli`, then
#      `DIR/densenet predict samples/fashion-mnist/ankle-boot.png` names the right class.
# NuGet restores into a private cache, and the project's nuget.config takes DenseNetGen* only from the packed
# folder, so a stale package in the user's cache cannot stand in for the one just packed. Other packages come
# from the user's cache as a local feed (no download once the repository has been restored) or nuget.org. The
# tool is installed outside that project, as README says, with the user's NuGet settings and --add-source.
# Usage: tools/package-test.sh [--no-pack]   (packs first unless --no-pack)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
packages=$repo/artifacts/packages
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ ${1:-} != --no-pack ]]; then
  dotnet pack "$repo/DenseNetGen.sln" -c Release --nologo -v quiet
fi
version=$(dotnet msbuild "$repo/runtime/DenseNetGen.Runtime.csproj" -getProperty:PackageVersion)
for id in DenseNetGen DenseNetGen.Zoo DenseNetGen.Cli; do
  [[ -f $packages/$id.$version.nupkg ]] || { echo "package-test: $packages/$id.$version.nupkg missing (dotnet pack first)" >&2; exit 1; }
done
user_cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
mkdir -p "$user_cache"  # a local feed must exist, even before the first restore

scratch=$(mktemp -d /tmp/densenet-package-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export NUGET_PACKAGES=$scratch/nuget-cache
mkdir "$scratch/app"
cat > "$scratch/app/nuget.config" <<XML
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

step "DenseNetGen $version into a new console project"
cd "$scratch/app"
dotnet new console --name app --output . --framework net10.0 >/dev/null
dotnet add package DenseNetGen --version "$version" >/dev/null
cp "$repo/tools/package-test/Program.cs" Program.cs
cp "$repo/tests/specs/tiny-cifar.densenet.json" .
cp "$repo/tests/references/parity/TinyCifarNet.json" pytorch.json
cp "$repo/tests/references/package/tiny-cifar.safetensors" "$repo/tests/references/package/tiny-cifar.input.f32" .
dotnet run -c Release -- pytorch.json tiny-cifar.safetensors tiny-cifar.input.f32 || fail "the generated class does not give PyTorch's logits"
# The same run against a reference whose first logit is off by 90 must fail.
sed -E 's/"logits":\[\[(-?)/"logits":[[\19/' pytorch.json > changed.json
cmp -s pytorch.json changed.json && fail "could not change the reference"
if dotnet run -c Release --no-build -- changed.json tiny-cifar.safetensors tiny-cifar.input.f32 | tail -n 1; then fail "a changed reference still passed"; fi
# So must an input whose first pixel is NaN (float32 0x7fc00000, little-endian): NaN logits are not "close".
{ printf '\x00\x00\xc0\x7f'; tail -c +5 tiny-cifar.input.f32; } > nan.input.f32
if dotnet run -c Release --no-build -- pytorch.json tiny-cifar.safetensors nan.input.f32 | tail -n 1; then fail "NaN logits passed"; fi

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

step "DenseNetGen.Zoo $version: the embedded net"
mkdir "$scratch/zoo"
cp "$scratch/app/nuget.config" "$scratch/zoo/"
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

step "the densenet tool"
cd "$scratch"
dotnet tool install --tool-path "$scratch/tool" --add-source "$packages" DenseNetGen.Cli --version "$version" >/dev/null
prediction=$("$scratch/tool/densenet" predict "$repo/samples/fashion-mnist/ankle-boot.png")
echo "$prediction"
grep -q '^  1\. Ankle boot ' <<<"$prediction" || fail "densenet predict did not name Ankle boot first"
step "passed"
