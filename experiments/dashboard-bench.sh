#!/usr/bin/env bash
# BENCHMARKS.md, "allot serve: the dashboard's first view": on a warm server (the frontier plan
# stored through the page, the page requested once before), the time from the request of `/` to
# the first view of the plan painted in headless Chromium (Debian's chromium), over RUNS fresh
# tabs (default 9), alternating with the same plan's report.html (`--samples 0`, the same data)
# opened from file://, with both medians and their ratio; first, one run in a fresh browser with
# nothing cached. PROFILE=release (default) or debug.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-release}"
flag=()
[ "$PROFILE" = release ] && flag=(--release)
RUNS="${RUNS:-9}" cargo test "${flag[@]}" -p allot --test dashboard dashboard_first_view_benchmark \
  -- --ignored --nocapture 2>&1 | grep -E "dashboard at|report.html|ratio|SKIPPED|panicked"
