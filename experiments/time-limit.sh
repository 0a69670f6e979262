#!/bin/sh
# Issue 22, item 6: how far `allot plan --time-limit T` overshoots T in wall time, and where the
# time goes (load, build, solve, as `allot plan` prints them).
#
#   experiments/time-limit.sh BIN [PERIODS OFFERINGS WORKLOADS] [LIMITS...]
#
# BIN is an `allot` binary (before or after a change); the scenario is `allot gen` with the
# given size (default 60 periods, 300 offerings, 400 workloads: 635,641 variables). Prints, per
# limit, the wall time, peak RSS and the phase line. Run from the workspace root.
set -e
BIN=$1
P=${2:-60}
O=${3:-300}
W=${4:-400}
shift 4 2>/dev/null || shift $#
LIMITS=${*:-2 5}
TMP=$(mktemp -d)
"$BIN" gen --periods "$P" --offerings "$O" --workloads "$W" --seed 1 --out "$TMP/g" >/dev/null
for T in $LIMITS; do
    /usr/bin/time -f "--time-limit $T: wall %e s, peak RSS %M KB" \
        "$BIN" plan "$TMP/g/scenario.toml" --time-limit "$T" 2>&1 | grep -E "variables|wall" || true
done
rm -rf "$TMP"
