#!/usr/bin/env bash
# Mutation testing (Stryker.NET 5.1.0, pinned in .config/dotnet-tools.json) of the modules whose bugs would be
# silent: a checkpoint reader that mis-decodes a tensor, a memory plan that overlaps two live buffers, a fusion that
# drops an op, a SIMD kernel that skips a border pixel, a spec parser that accepts a wrong value. Stryker changes the
# code one operator at a time and runs the tests that cover it; a change no test notices is a survivor.
#
#   tools/mutation.sh [MODULE...]      mutate each MODULE (default: all, in the order below), print the scores
#   MUTATION_CONCURRENCY=N ...         test runs at once (default 1: the build machine is shared)
#   MUTATION_FILTER=EXPR ...           test only with the tests EXPR selects instead of the module's filter: a quicker
#                                      lower bound on the score (more tests can only kill more mutants)
#   MUTATION_FILES=GLOBS ...           mutate only these files (comma-separated globs, as in the table) instead of the
#                                      module's: a slow module run file by file
#   MUTATION_ALL_KILLERS=1 ...         run every covering test on each mutant (Stryker's disable-bail), so the report's
#                                      killedBy lists every test that kills it: the score of a subset of the tests
#                                      (say, before some were added) can then be read from the same report
#
# Stryker builds the test project and overwrites the assembly under test with its mutated build, so it runs on a
# copy of the working tree (tracked and untracked-but-not-ignored files) in artifacts/mutation/src, leaving this
# tree's bin/ folders alone. Each module's reports go to artifacts/mutation/MODULE/ (mutation-report.html to read
# the survivors, mutation-report.json), and its scores, one line per file, to artifacts/mutation/MODULE/scores.md.
# Score = killed / (killed + survived + no coverage), as README's table states it; timeouts count as killed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$repo/artifacts/mutation
src=$work/src
concurrency=${MUTATION_CONCURRENCY:-1}
all_killers=$([[ ${MUTATION_ALL_KILLERS:-0} == 1 ]] && echo true || echo false)

# MODULE  PROJECT-UNDER-TEST  TEST-PROJECT  FILES-TO-MUTATE (comma-separated globs)  TEST FILTER
modules=(
  "pickle      runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Checkpoints/PickleReader.cs,**/Checkpoints/PickleValues.cs,**/Checkpoints/TorchGlobals.cs FullyQualifiedName~Checkpoint|FullyQualifiedName~Pickle|FullyQualifiedName~Safetensors|FullyQualifiedName~Hostile|FullyQualifiedName~FuzzSeed"
  "safetensors runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Checkpoints/SafetensorsReader.cs FullyQualifiedName~Safetensors|FullyQualifiedName~HostileCheckpoint|FullyQualifiedName~FuzzSeed"
  "containers  runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Checkpoints/TorchZipReader.cs,**/Checkpoints/ZipArchiveReader.cs,**/Checkpoints/LegacyTorchReader.cs,**/Checkpoints/ByteCursor.cs FullyQualifiedName~Checkpoint|FullyQualifiedName~Pickle|FullyQualifiedName~Safetensors|FullyQualifiedName~Hostile|FullyQualifiedName~FuzzSeed"
  "binder      runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Checkpoints/CheckpointBinder.cs,**/Checkpoints/NonFinite.cs,**/Checkpoints/KeyConvention.cs,**/Checkpoints/MmpretrainConvention.cs,**/Checkpoints/TorchvisionLegacyConvention.cs FullyQualifiedName~Checkpoint|FullyQualifiedName~Hostile"
  "memory-plan runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Backends/MemoryPlan.cs FullyQualifiedName~MemoryPlan|FullyQualifiedName~BatchSlicing"
  "planning    runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Planning/PlanFusion.cs,**/Planning/PlanGeometry.cs FullyQualifiedName~MemoryPlan|FullyQualifiedName~KernelSetSelection|FullyQualifiedName~PlanFusion|FullyQualifiedName~PlanGeometry"
  "simd        runtime/DenseNetGen.Runtime.csproj tests/DenseNetGen.Runtime.Tests **/Simd/Blocked.cs,**/Simd/WeightRange.cs,**/Simd/Kernels/*.cs,**/Simd/Gemm/*.cs,**/Simd/Winograd/WinogradConv.cs,**/Simd/Winograd/WinogradTiles.cs,**/Simd/Winograd/WinogradWeights.cs FullyQualifiedName~DirectConv|FullyQualifiedName~MaxPool|FullyQualifiedName~SimdNetwork|FullyQualifiedName~Pointwise|FullyQualifiedName~WinogradConv|FullyQualifiedName~InputReorder|FullyQualifiedName~NormReluPool|FullyQualifiedName~MicroKernel|FullyQualifiedName~PanelTiling|FullyQualifiedName~ConvShape|FullyQualifiedName~PinnedFloats|FullyQualifiedName~PrefetchCursor"
  "parser      generator/DenseNetGen.Generator.csproj tests/DenseNetGen.Generator.Tests **/Parsing/*.cs FullyQualifiedName~DenseNetGen.Generator.Tests"
)

names=()
for row in "${modules[@]}"; do names+=("${row%% *}"); done
selected=("$@")
((${#selected[@]})) || selected=("${names[@]}")

copy_tree() { # a copy of the working tree, without git metadata; the copy's bin/ and obj/ are kept for an incremental build
  mkdir -p "$src"
  find "$src" -type f -not -path '*/bin/*' -not -path '*/obj/*' -delete
  git -C "$repo" ls-files -z --cached --others --exclude-standard | (cd "$repo" && tar --null -T - -cf -) | tar -C "$src" -xf -
}

check_globs() { # check_globs PROJECT MUTATE: every glob must name at least one file, else a module mutates nothing
  local dir glob ok=0
  dir=$(dirname "$repo/$1")
  IFS=, read -ra globs <<<"$2"
  for glob in "${globs[@]}"; do
    # Stryker matches the globs against paths relative to the project's folder, '**/' matching any depth.
    if ! (cd "$dir" && shopt -s globstar nullglob && files=($glob) && ((${#files[@]}))); then
      echo "mutation: '$glob' matches no file under ${dir#"$repo"/}/" >&2
      ok=1
    fi
  done
  return $ok
}

run_module() { # run_module MODULE PROJECT TEST_PROJECT MUTATE FILTER
  local name=$1 project=$2 tests=$3 mutate=$4 filter=$5 out=$work/$1
  rm -rf "$out"
  mkdir -p "$out"
  # The config file carries the filter: test-case-filter has no command-line option in 5.1.0.
  jq -n --arg project "$(basename "$project")" --arg tests "$src/$tests/$(basename "$tests").csproj" --arg filter "$filter" \
    --argjson mutate "$(jq -cn --arg m "$mutate" '$m | split(",")')" --argjson concurrency "$concurrency" --argjson bail "$all_killers" '{
      "stryker-config": {
        project: $project, "test-projects": [$tests], mutate: $mutate, "test-case-filter": $filter,
        configuration: "Release", concurrency: $concurrency, reporters: ["html", "json", "progress"],
        "disable-bail": $bail, "additional-timeout": 30000
      } }' >"$out/stryker-config.json"
  reap_hung_hosts &
  local reaper=$!
  (cd "$src/$tests" && dotnet stryker -f "$out/stryker-config.json" -O "$out/stryker" >"$out/stryker.log" 2>&1) ||
    { kill "$reaper"; echo "mutation: $name: Stryker failed, see $out/stryker.log" >&2; return 1; }
  kill "$reaper"
  cp "$out"/stryker/reports/mutation-report.* "$out/"
  scores "$out/mutation-report.json" | tee "$out/scores.md"
}

reap_hung_hosts() { # Stryker 5.1.0 marks a mutant that loops forever as a timeout but leaves its test host running:
  # six such hosts held the two cores for 45 minutes here. A host of this copy's tests older than 5 minutes (runs take
  # seconds; the timeout is the first run's time plus 30 s) is one of those.
  while sleep 30; do
    ps -eo pid=,etimes=,args= | awk -v src="$src/" '$2 > 300 && index($0, src) && /testhost|Tests.runtimeconfig/ {print $1}' |
      xargs -r kill -9 2>/dev/null || true
  done
}

scores() { # one markdown row per mutated file: killed, survived, no coverage, score; then the module's total
  jq -r '
    def count(s): [.mutants[] | select(.status == s)] | length;
    def row(name): (count("Killed") + count("Timeout")) as $k | count("Survived") as $s | count("NoCoverage") as $n
      | "| `\(name)` | \($k) | \($s) | \($n) | \(if $k + $s + $n == 0 then "–" else "\(($k * 1000 / ($k + $s + $n) | round) / 10) %" end) |";
    (.files | to_entries[] | select(.value.mutants | map(select(.status != "Ignored" and .status != "CompileError")) | length > 0)
      | (.key | split("/") | .[-2:] | join("/")) as $name | .value | row($name)),
    ({mutants: [.files[].mutants[]]} | row("total"))' "$1"
}

stale=0 # every module's globs, checked before any run: a stale path (a file moved) would silently mutate nothing
for row in "${modules[@]}"; do
  read -r m project tests mutate filter <<<"$row"
  check_globs "$project" "$mutate" || { echo "mutation: module $m has a glob that matches nothing" >&2; stale=1; }
done
if [[ -n ${MUTATION_FILES:-} ]]; then
  for row in "${modules[@]}"; do
    read -r m project tests mutate filter <<<"$row"
    for name in "$@"; do
      [[ $m == "$name" ]] || continue
      check_globs "$project" "$MUTATION_FILES" || { echo "mutation: MUTATION_FILES has a glob that matches nothing" >&2; stale=1; }
    done
  done
fi
((stale == 0)) || exit 2

(cd "$repo" && dotnet tool restore >/dev/null)
copy_tree
(cd "$src" && dotnet tool restore >/dev/null)
status=0
for name in "${selected[@]}"; do
  found=
  for row in "${modules[@]}"; do
    read -r m project tests mutate filter <<<"$row"
    [[ $m == "$name" ]] || continue
    found=1
    echo "== $name (${MUTATION_FILES:-$mutate})"
    run_module "$m" "$project" "$tests" "${MUTATION_FILES:-$mutate}" "${MUTATION_FILTER:-$filter}" || status=1
  done
  [[ -n $found ]] || { echo "mutation: unknown module '$name' (modules: ${names[*]})" >&2; exit 2; }
done
exit $status
