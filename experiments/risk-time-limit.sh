#!/bin/sh
# Issue 22, item 6: `allot risk --time-limit T` is one budget for the whole run. Runs BIN's risk
# of SCENARIO with many samples under a small limit and prints the wall time, peak RSS and the
# report's first line (how many samples were planned and how many the limit stopped).
#
#   experiments/risk-time-limit.sh BIN [SCENARIO] [SAMPLES] [LIMIT]
#
# Defaults: examples/startup.toml, 400 samples, 0.5 s, two threads. Run from the workspace root.
set -e
BIN=$1
SCENARIO=${2:-examples/startup.toml}
SAMPLES=${3:-400}
LIMIT=${4:-0.5}
/usr/bin/time -f "--time-limit $LIMIT, $SAMPLES samples: wall %e s, peak RSS %M KB" \
    "$BIN" risk "$SCENARIO" --samples "$SAMPLES" --time-limit "$LIMIT" --threads 2 2>&1 |
    grep -E "^risk of|wall" || true
