#!/usr/bin/env bash
# Coverage-guided fuzzing of each reader (AFL++ driving SharpFuzz's instrumentation of DenseNetGen.Runtime.dll).
#
#   tools/fuzz.sh TARGET [EXECS] [SECONDS]   fuzz TARGET until EXECS executions (default 1000000) or SECONDS
#                                            (default 1800), whichever comes first, then print the figures
#   tools/fuzz.sh replay TARGET FILE         run one input through TARGET and show what it throws
#   FUZZ_REBUILD=0 tools/fuzz.sh ...         reuse the builds in artifacts/fuzz/bin/ (instrumented) and plain/
#
# TARGET: pickle (the unpickler alone), each checkpoint format's reader alone under the format's name (the list
# CheckpointFormats.All: torch-zip, torch-legacy, safetensors; `dotnet artifacts/fuzz/plain/DenseNetGen.Fuzz.dll
# targets` prints them), checkpoint (every format by content, then the binder), image (ImageDecoder), idx (IdxFile,
# plain or gzipped, then each image cut out) or spec (the generator's SpecParser: every problem a diagnostic). The
# target (tests/DenseNetGen.Fuzz) treats the reader's documented refusal as the answer to a bad input; afl-fuzz
# counts anything else: another exception, a crash, a hang, or memory use past the limits below. Everything goes
# to artifacts/fuzz/ (git-ignored): bin/ (the instrumented build), plain/ (the same build, uninstrumented),
# seeds-TARGET/ and findings-TARGET/ (afl-fuzz's output, fuzzer_stats in findings-TARGET/default/).
#
# Memory limits, both on. afl-fuzz -m caps the child's address space (RLIMIT_AS). The .NET runtime maps about
# 1.4 GB of address space before Main (code heaps, GC bookkeeping, libcoreclr; measured: the target aborts at
# start-up under -m 1280 and runs under -m 1408), so -m 2048 leaves about 600 MB for what a reader allocates,
# managed or native (Skia's buffers). DOTNET_GCHeapHardLimit bounds the managed heap more tightly, at 256 MiB: a
# managed allocation past it is an OutOfMemoryException, which the target does not catch, so a finding. Every
# seed is under 64 KB, so either limit means amplification of thousands of times. The image target decodes
# with a 16-megapixel cap (about 10 bytes a pixel at the peak, 160 MB), so a genuine image under the cap fits.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$repo/artifacts/fuzz
bin=$work/bin
plain=$work/plain
address_limit_mb=2048
export DOTNET_GCHeapHardLimit=0x10000000 DENSENET_MAX_IMAGE_PIXELS=16000000

build() {
  command -v afl-fuzz >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends afl++; }
  [[ -x $work/tools/sharpfuzz ]] ||
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
  rm -rf "$bin" "$plain"
  dotnet build "$repo/tests/DenseNetGen.Fuzz" -c Release -o "$bin" >/dev/null
  # An uninstrumented copy answers the script's questions (targets, which seeds a format recognises): instrumented
  # code writes afl's bitmap, which exists only inside a fuzzing run.
  cp -r "$bin" "$plain"
  # Only the product's readers are instrumented: their branches are what afl-fuzz should explore.
  for dll in DenseNetGen.Runtime DenseNetGen.Vision DenseNetGen.Generator; do "$work/tools/sharpfuzz" "$bin/$dll.dll"; done
}

# recognised FORMAT FILE...: the files whose header FORMAT recognises, as the reader decides it (never by extension).
recognised() {
  local format=$1
  shift
  dotnet "$plain/DenseNetGen.Fuzz.dll" recognise "$@" | awk -F'\t' -v format="$format" '$1 == format { print $2 }'
}

# seeds TARGET DIR: the inputs each target starts from: the reference checkpoints and the small tiny_* files
# (tools/make_fuzz_seeds.py) and tools/make_checkpoint_corpus.py's files of its format, data.pkl of each zip for
# the unpickler, tiny images for the decoder (tools/make_image_fuzz_seeds.py).
seeds() {
  local target=$1 dir=$2 checkpoints
  # The corpus's files under 200 KB: its real-world training outputs and hostile cases, not its megabyte-sized bombs.
  mapfile -t checkpoints < <(ls "$repo"/tests/references/checkpoints/*.{pth,safetensors} "$repo"/tests/DenseNetGen.Fuzz/seeds/*.*
    find "$repo"/tests/references/checkpoints/corpus -type f -size -200k 2>/dev/null)
  rm -rf "$dir"
  mkdir -p "$dir"
  case $target in
    checkpoint) cp "${checkpoints[@]}" "$dir" ;;
    pickle)
      recognised torch-zip "${checkpoints[@]}" | while read -r f; do
        unzip -p "$f" '*/data.pkl' > "$dir/$(basename "$f").data.pkl"
      done
      ;;
    image) cp "$repo"/tests/DenseNetGen.Fuzz/seeds/images/* "$dir" ;;
    idx) cp "$repo"/tests/DenseNetGen.Fuzz/seeds/idx/* "$dir" ;;
    spec) cp "$repo"/specs/*.densenet.json "$repo"/tests/specs/*.densenet.json "$dir" ;;
    *) recognised "$target" "${checkpoints[@]}" | while read -r f; do cp "$f" "$dir"; done ;;
  esac
}

case ${1:-} in
  replay)
    [[ -f $bin/DenseNetGen.Fuzz.dll ]] || build
    dotnet "$bin/DenseNetGen.Fuzz.dll" "$2" < "$3"
    echo "fuzz: no finding (a documented refusal or a clean read)"
    ;;
  *)
    target=${1:?usage: tools/fuzz.sh TARGET [EXECS] [SECONDS] (TARGET: pickle, checkpoint, image or a checkpoint format)}
    execs=${2:-1000000}
    seconds=${3:-1800}
    [[ -f $plain/DenseNetGen.Fuzz.dll && ${FUZZ_REBUILD:-1} == 0 ]] || build
    targets=$(dotnet "$plain/DenseNetGen.Fuzz.dll" targets)
    [[ " $targets " == *" $target "* ]] || { echo "fuzz: unknown target '$target' (one of: $targets)" >&2; exit 2; }
    seeds "$target" "$work/seeds-$target"
    out=$work/findings-$target
    rm -rf "$out"
    AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      afl-fuzz -E "$execs" -V "$seconds" -i "$work/seeds-$target" -o "$out" -t 10000 -m "$address_limit_mb" \
      -- dotnet "$bin/DenseNetGen.Fuzz.dll" "$target" > "$work/afl-$target.log" 2>&1 || { tail -30 "$work/afl-$target.log"; exit 1; }
    stats=$out/default/fuzzer_stats
    echo "fuzz $target: $(awk -F' *: ' '$1 ~ /^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs)$/ { printf "%s=%s ", $1, $2 }' "$stats")"
    found=$(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' | sort)
    if [[ -n $found ]]; then
      echo "fuzz: findings (replay each with: tools/fuzz.sh replay $target FILE):"
      echo "$found"
      exit 1
    fi
    echo "fuzz $target: no crash or hang"
    ;;
esac
