#!/bin/sh
# Issue 23: Gavel's Figure 8 (continuous-single, 36 V100 + 36 P100 + 36 K80, Gavel's own seed-0
# trace, average JCT of jobs 4,000-5,000 under max_min_fairness and max_min_fairness_perf) at
# every input rate for which Gavel's continuous_jobs.ipynb (at c4fa400, docs/simulate.md)
# prints both published values: 0.4 to 5.6 jobs/hour in steps of 0.4 (at 6.0 it prints the
# aware policy's alone).
#
#   experiments/gavel-figure8.sh [RATES]     (default 0.4,0.8,...,5.6)
#
# Release build (the bench profile); prints one line per rate with both JCTs and the ratio,
# and the wall time of each rate. Run from the workspace root; nice'd, it shares the machine.
# The highest rates take longest (5.2: 30 min on a shared 2-core machine): the two policies of
# one rate can run as two processes, `GAVEL_POLICY=agnostic|aware` with the bench binary.
set -e
RATES=${1:-0.4,0.8,1.2,1.6,2,2.4,2.8,3.2,3.6,4,4.4,4.8,5.2,5.6}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work} CC=${CC:-"ccache cc"} CXX=${CXX:-"ccache c++"}
# Built once; the binary is run directly, so that edits meanwhile do not rebuild it.
BIN=$(cargo bench -p allot-sim --bench gavel_lambda --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*gavel_lambda[^"]*\)".*/\1/p' | tail -1)
test -x "$BIN"
echo "$(date -u +%Y-%m-%dT%H:%MZ) $(uname -m) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores)"
for RATE in $(echo "$RATES" | tr ',' ' '); do
    START=$(date +%s)
    GAVEL_RATES=$RATE GAVEL_SEEDS=0 nice -n 19 "$BIN" --bench | grep -v 'mean ratio'
    echo "rate $RATE: $(( $(date +%s) - START )) s wall"
done
