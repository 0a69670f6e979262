#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and SanitizerCoverage (no sanitizer, the flags
# `cargo fuzz build -s none` passes) and runs one: docs/fuzzing.md.
#   fuzz/fuzz.sh build                  build every target
#   fuzz/fuzz.sh run TARGET SECONDS     fuzz TARGET for SECONDS on fuzz/corpus/TARGET
#   fuzz/fuzz.sh cmin TARGET            minimise fuzz/corpus/TARGET in place (libFuzzer -merge=1)
set -euo pipefail
cd "$(dirname "$0")"
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
bin=target/$triple/release
case "${1:-}" in
build)
    cargo +nightly build --release --target "$triple" --bins ;;
run)
    target=$2 seconds=$3
    mkdir -p "corpus/$target" "artifacts/$target"
    "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="artifacts/$target/" "corpus/$target" ;;
cmin)
    target=$2
    rm -rf "corpus/$target.min" && mkdir -p "corpus/$target.min"
    "$bin/$target" -merge=1 -timeout=10 -max_len=16384 "corpus/$target.min" "corpus/$target"
    rm -rf "corpus/$target" && mv "corpus/$target.min" "corpus/$target" ;;
*)
    sed -n '2,7p' "$0"; exit 2 ;;
esac
