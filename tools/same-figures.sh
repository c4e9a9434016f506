# Sourced by tools/arm64-check.sh and tools/level-check.sh: the figures two builds of `densenet` print must agree.
#   same_figures PREFIX NAME FIGURES ARGS...
# runs `left ARGS` (the build under test) and `right ARGS` (the reference), functions the caller defines, and
# $right_name names the reference in messages. Prints the left output, then holds the lines of each that match the
# regex FIGURES to each other; there must be some. A failure is added to the caller's `failed` array.
same_figures() {
  local prefix=$1 name=$2 figures=$3 left_out right_out
  shift 3
  echo "$prefix: $name: densenet $*"
  left_out=$(left "$@" 2>/dev/null) || { failed+=("$name exited non-zero"); return; }
  right_out=$(right "$@" 2>/dev/null) || { failed+=("$name exited non-zero on $right_name"); return; }
  echo "$left_out"
  left_out=$(grep -E "$figures" <<<"$left_out") || { failed+=("$name printed no figures"); return; }
  right_out=$(grep -E "$figures" <<<"$right_out") || { failed+=("$name printed no figures on $right_name"); return; }
  if [[ $left_out != "$right_out" ]]; then
    echo "$prefix: $name differs from $right_name, which printed:"
    echo "$right_out"
    failed+=("$name")
  fi
}
