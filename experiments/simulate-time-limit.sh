#!/bin/sh
# Issue 23: how far past `allot simulate --time-limit T` a stopped simulation runs, in wall
# time. The case is the long one of docs/server.md: 1,000 generated jobs arriving at once on 32
# chips of four types, under the round-based policies (an LP over every waiting job each round,
# a bisection of LPs under finish-time), which without a limit take tens of seconds to minutes.
#
#   [CHIPS=H100=8,...] experiments/simulate-time-limit.sh BIN [LIMIT] [RUNS]     (defaults 2 and 3)
#
# BIN is an `allot` binary. Prints, per policy, each run's wall time and exit status, the
# median, and what the command said. Run from the workspace root.
set -e
BIN=$1
LIMIT=${2:-2}
RUNS=${3:-3}
CHIPS=${CHIPS:-H100=8,A100=8,MI300X=8,TPU-v5e=8}
echo "fleet $CHIPS; $(date -u +%Y-%m-%dT%H:%MZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), load $(cut -d' ' -f1-3 /proc/loadavg)"
for POLICY in gavel finish-time; do
    TIMES=""
    for i in $(seq "$RUNS"); do
        START=$(date +%s.%N)
        set +e
        "$BIN" simulate testdata/simulate/plan.json --scenario testdata/simulate/scenario.toml \
            --chips "$CHIPS" --generate 1000 --rate 0 --policy "$POLICY" --time-limit "$LIMIT" \
            >/dev/null 2>/tmp/simulate-time-limit.$$
        CODE=$?
        set -e
        WALL=$(echo "$(date +%s.%N) - $START" | bc)
        SAID=$(head -1 /tmp/simulate-time-limit.$$)
        TIMES="$TIMES $WALL"
        echo "$POLICY run $i: wall $WALL s, exit $CODE"
    done
    MEDIAN=$(echo $TIMES | tr ' ' '\n' | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    echo "$POLICY --time-limit $LIMIT: median wall $MEDIAN s of $RUNS; $SAID"
done
rm -f /tmp/simulate-time-limit.$$
