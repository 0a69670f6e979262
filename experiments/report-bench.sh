#!/usr/bin/env bash
# BENCHMARKS.md, "allot report": the size of report.html for the frontier example and the time
# from its request to its first view painted in headless Chromium (Debian's chromium), over
# RUNS fresh tabs (default 7), with the median. The report is made by the test binary's
# `allot plan --explain --json` and `allot report --samples 6`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-7}" cargo test -p allot --test cli report_first_view_benchmark -- --ignored --nocapture 2>&1 \
  | grep -E "report.html|SKIPPED|panicked"
