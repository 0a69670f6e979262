#!/bin/sh
# Issue 22, item 6: where HiGHS's interior-point solve (IPX) spends the time it overshoots
# `--time-limit` by on a large relaxation. Plans `allot gen` of the given size (default 60
# periods, 300 offerings, 2000 workloads: the 3,140,665-variable case, about 3.2 GB)
# under --time-limit T with --solver-log, each log line prefixed with the seconds since the
# command started, then the wall time and peak RSS.
#
#   experiments/ipx-overshoot.sh BIN [T] [PERIODS OFFERINGS WORKLOADS]
#
# BIN is a release `allot` binary. Run from the workspace root.
set -e
BIN=$1
T=${2:-10}
P=${3:-60}
O=${4:-300}
W=${5:-2000}
TMP=$(mktemp -d)
"$BIN" gen --periods "$P" --offerings "$O" --workloads "$W" --seed 1 --out "$TMP/g" >/dev/null
/usr/bin/time -f "--time-limit $T: wall %e s, peak RSS %M KB" \
    "$BIN" plan "$TMP/g/scenario.toml" --time-limit "$T" --solver-log 2>&1 |
    python3 -c '
import sys, time
t0 = time.monotonic()
for line in sys.stdin:
    sys.stdout.write("%7.2f  %s" % (time.monotonic() - t0, line))
    sys.stdout.flush()
'
rm -rf "$TMP"
