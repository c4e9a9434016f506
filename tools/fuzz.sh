#!/usr/bin/env bash
# Coverage-guided fuzzing of the checkpoint readers and binder (AFL++ driving SharpFuzz's instrumentation).
#
#   tools/fuzz.sh [SECONDS]      fuzz for SECONDS (default 600), then list what was found
#   tools/fuzz.sh replay FILE    run one input through the target and show what it throws
#
# The target (tests/DenseNetGen.Fuzz) reads each input as a checkpoint of any format and binds it to OddImageNet;
# the seeds are the reference checkpoints in tests/references/checkpoints/ and the small tiny_* files of every container
# in tests/DenseNetGen.Fuzz/seeds/ (tools/make_fuzz_seeds.py). A CheckpointException is the
# documented answer to a bad file, so afl-fuzz counts only other exceptions, crashes and hangs. Everything goes
# to artifacts/fuzz/ (git-ignored): bin/ (the instrumented build), findings/ (afl-fuzz's output).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$repo/artifacts/fuzz
bin=$work/bin

build() {
  command -v afl-fuzz >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends afl++; }
  [[ -x $work/tools/sharpfuzz ]] ||
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
  rm -rf "$bin"
  dotnet build "$repo/tests/DenseNetGen.Fuzz" -c Release -o "$bin" >/dev/null
  # Only the runtime is instrumented: its branches are what afl-fuzz should explore.
  "$work/tools/sharpfuzz" "$bin/DenseNetGen.Runtime.dll"
}

case ${1:-} in
  replay)
    [[ -f $bin/DenseNetGen.Fuzz.dll ]] || build
    dotnet "$bin/DenseNetGen.Fuzz.dll" < "$2"
    echo "fuzz: no finding (a CheckpointException or a clean read)"
    ;;
  *)
    seconds=${1:-600}
    build
    rm -rf "$work/seeds" "$work/findings"
    mkdir -p "$work/seeds"
    cp "$repo"/tests/references/checkpoints/*.pth "$repo"/tests/references/checkpoints/*.safetensors \
      "$repo"/tests/DenseNetGen.Fuzz/seeds/* "$work/seeds/"
    AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      afl-fuzz -V "$seconds" -i "$work/seeds" -o "$work/findings" -t 10000 -m none -- dotnet "$bin/DenseNetGen.Fuzz.dll" \
      > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log"; exit 1; }
    grep -E "execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg" "$work/findings/default/fuzzer_stats"
    found=$(find "$work/findings/default/crashes" "$work/findings/default/hangs" -type f -name 'id:*' | sort)
    if [[ -n $found ]]; then
      echo "fuzz: findings (replay each with: tools/fuzz.sh replay FILE):"
      echo "$found"
      exit 1
    fi
    echo "fuzz: no crash or hang in ${seconds} s"
    ;;
esac
