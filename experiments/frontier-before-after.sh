#!/usr/bin/env bash
# Times `allot plan examples/frontier-lab.toml` with two release binaries in one session,
# alternating them run by run so that both see the same machine load, and prints each run,
# the medians and their ratio (after / before).
#
#   experiments/frontier-before-after.sh BEFORE_BINARY AFTER_BINARY [RUNS]   (default 5 runs)
#
# Build the old commit in its own worktree and target directory, e.g.
#   git worktree add --detach ../before OLD && (cd ../before && cargo build --release -p allot)
# Used for BENCHMARKS.md's "Training work at the rate the plan runs" section.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
before=$1
after=$2
runs=${3:-5}
scenario="$repo/examples/frontier-lab.toml"
time_one() {
  local start end
  start=$(date +%s.%N)
  "$1" plan "$scenario" --json >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
b=()
a=()
for _ in $(seq "$runs"); do
  b+=("$(time_one "$before")")
  a+=("$(time_one "$after")")
done
mb=$(printf '%s\n' "${b[@]}" | median)
ma=$(printf '%s\n' "${a[@]}" | median)
echo "before: ${b[*]} (median $mb s)"
echo "after:  ${a[*]} (median $ma s)"
echo "ratio after/before: $(echo "scale=3; $ma / $mb" | bc)"
