#!/bin/sh
# Solver seam: frontier plan solve time before and after, in one session.
#
#   experiments/seam-bench.sh BEFORE_BIN AFTER_BIN [RUNS]
#
# BEFORE_BIN and AFTER_BIN are release builds of `allot` (e.g. `cargo build --release` of the
# commit before the seam in a separate worktree, copied out, and of the seam). The two binaries
# alternate run by run so that load on the machine hits both alike. Reports the median wall
# time and CPU time (user + system) of `allot plan examples/frontier-lab.toml` and the median
# of the solve time it prints,
# then the same for the ladder's medium rung (`allot gen --periods 84 --offerings 100
# --workloads 20 --seed 1`, 3 runs each). Run from the workspace root.
set -e
BEFORE=$1
AFTER=$2
RUNS=${3:-21}
TMP=$(mktemp -d)
"$AFTER" gen --periods 84 --offerings 100 --workloads 20 --seed 1 --out "$TMP/medium" >/dev/null
python3 - "$BEFORE" "$AFTER" "$RUNS" "$TMP/medium/scenario.toml" <<'PY'
import re, resource, statistics, subprocess, sys, time
before, after, runs, medium = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def run(binary, scenario):
    c, t = cpu(), time.perf_counter()
    out = subprocess.run([binary, "plan", scenario], capture_output=True, text=True, check=True)
    wall, used = time.perf_counter() - t, cpu() - c
    solve = float(re.search(r"solve ([0-9.]+) s", out.stdout).group(1))
    return wall, solve, used, out.stdout

for name, scenario, n in [("frontier-lab", "examples/frontier-lab.toml", runs), ("medium rung", medium, 3)]:
    results = {before: [], after: []}
    outputs = {}
    run(before, scenario), run(after, scenario)  # warm-up
    for _ in range(n):
        for b in (before, after):
            wall, solve, used, text = run(b, scenario)
            results[b].append((wall, solve, used))
            outputs[b] = re.sub(r"build [0-9.]+ s, solve [0-9.]+ s, extract [0-9.]+ s", "", text)
    med = {b: [statistics.median(x[i] for x in r) for i in range(3)] for b, r in results.items()}
    same = "identical" if outputs[before] == outputs[after] else "DIFFERENT"
    print(f"{name}: {n} runs each; plan output {same}")
    print(f"  wall  before {med[before][0]:.3f} s  after {med[after][0]:.3f} s  ratio {med[after][0] / med[before][0]:.2f}")
    print(f"  cpu   before {med[before][2]:.3f} s  after {med[after][2]:.3f} s  ratio {med[after][2] / med[before][2]:.2f}")
    print(f"  solve before {med[before][1]:.2f} s  after {med[after][1]:.2f} s (as printed)")
    for b, label in ((before, "before"), (after, "after ")):
        walls = sorted(x[0] for x in results[b])
        print(f"  wall {label} min {walls[0]:.3f} s, quartiles {walls[len(walls) // 4]:.3f} / {walls[3 * len(walls) // 4]:.3f} s")
PY
rm -rf "$TMP"
