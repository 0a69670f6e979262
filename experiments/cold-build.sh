#!/usr/bin/env bash
# Times a cold `cargo build --release` of one commit of this repository: a fresh clone in a
# temporary folder, an empty target directory, no compiler cache (CC, CXX, RUSTC_WRAPPER unset),
# and the crates already downloaded (run `cargo fetch` once first so the network is not timed).
#
#   experiments/cold-build.sh [COMMIT]      (default: HEAD)
#
# Prints the wall time, CPU time and peak memory of the build (from /usr/bin/time). Used for
# BENCHMARKS.md's "Cold build" section; before 438127c the build also needs cmake and libclang.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=${1:-HEAD}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git clone -q "$repo" "$dir/allot"
git -C "$dir/allot" checkout -q "$commit"
cd "$dir/allot"
env -u CC -u CXX -u RUSTC_WRAPPER -u CCACHE_BASEDIR \
  /usr/bin/time -f 'wall %e s, user %U s, system %S s, peak %M KB' \
  cargo build --release --quiet
