#!/usr/bin/env bash
# BENCHMARKS.md, "allot serve": with a release `allot serve` on a temporary database,
# (1) 20 concurrent clients x 50 reads (the plan list and one plan) while a branch-and-bound
#     solve runs, against the same reads on an idle server (the baseline), median and p99;
# (2) the resident memory (VmRSS) of the idle server holding 100 stored frontier plans, against
#     the same server freshly started on an empty database;
# (3) 50 what-ifs of the stored frontier plan, each with another value (the API's demand), from
#     POST /plans/{id}/what-if to the job done (warm-started from the plan's kept solve; the
#     first, which makes that solve, is reported apart), against the baseline of the same change
#     planned from scratch (a new scenario version, POST /plans), 5 times.
# The reads of (1) are measured better by `cargo bench -p allot --bench serve` (native client
# threads; these Python threads share one interpreter lock and measure the client).
# Usage: experiments/server-bench.sh [path/to/allot] (default target/release/allot).
set -euo pipefail
cd "$(dirname "$0")/.."
ALLOT="${1:-target/release/allot}"
DIR="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$ALLOT" serve --db "$DIR/allot.db" --addr 127.0.0.1:0 --queue 200 > "$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$DIR/out" 2>/dev/null && break; sleep 0.1; done
ADDR="$(sed -n 's|.*http://\([^ ]*\).*|\1|p' "$DIR/out")"
python3 - "$ADDR" "$PID" <<'PY'
import json, sys, time, threading, http.client, statistics
addr, pid = sys.argv[1], sys.argv[2]
host, port = addr.split(":")
def call(method, path, body=None):
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"})
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
fresh = rss_mb()
toml = open("examples/frontier-lab.toml").read()
cat = open("examples/frontier-lab/catalog.toml").read()
s, body = call("POST", "/scenarios", {"name": "frontier", "toml": toml, "files": {"frontier-lab/catalog.toml": cat}})
sid = json.loads(body)["scenario_id"]
def wait(job):
    while True:
        s, b = call("GET", f"/plans/{job}")
        if json.loads(b)["state"] not in ("queued", "running"):
            return
        time.sleep(0.05)
jobs = []
for _ in range(100):
    s, b = call("POST", "/plans", {"scenario_id": sid})
    assert s == 202, b
    jobs.append(json.loads(b)["id"])
for j in jobs: wait(j)
time.sleep(2)
idle = rss_mb()
def reads(label):
    times, errors = [], []
    def client(c):
        for i in range(50):
            path = "/plans?limit=50" if (c + i) % 2 == 0 else f"/plans/{jobs[0]}"
            t = time.perf_counter(); s, _ = call("GET", path); times.append(time.perf_counter() - t)
            if s != 200: errors.append(s)
    ts = [threading.Thread(target=client, args=(c,)) for c in range(20)]
    for t in ts: t.start()
    for t in ts: t.join()
    times.sort()
    print(f"{label}: {len(times)} reads, {len(errors)} errors, median {statistics.median(times)*1e3:.1f} ms, "
          f"p99 {times[int(len(times)*0.99)-1]*1e3:.1f} ms")
    return times
base = reads("20 clients, idle server (baseline)")
s, b = call("POST", "/plans", {"scenario_id": sid, "settings": {"method": "mip", "mip_gap": 0, "time_limit_s": 60}})
solving = json.loads(b)["id"]
time.sleep(0.3)
s, b = call("GET", f"/plans/{solving}")
state = json.loads(b)["state"]
busy = reads(f"20 clients, solve {state} during the reads")
print(f"p99 ratio (during solve / idle): {busy[int(len(busy)*0.99)-1] / base[int(len(base)*0.99)-1]:.2f}x")
call("POST", f"/plans/{solving}/cancel")
print(f"RSS: fresh server {fresh:.1f} MB; idle with 100 stored plans {idle:.1f} MB ({idle/fresh:.2f}x)")
wait(solving)
base_plan = jobs[0]
key = "inference[openai-api].requests_per_day.initial"
def timed(path, body):
    t = time.perf_counter()
    s, b = call("POST", path, body)
    assert s == 202, b
    job = json.loads(b)["id"]
    while True:
        s, b = call("GET", f"/plans/{job}")
        j = json.loads(b)
        if j["state"] not in ("queued", "running"):
            break
        time.sleep(0.005)
    assert j["state"] == "done", j
    return time.perf_counter() - t
first = timed(f"/plans/{base_plan}/what-if", {"changes": [f"{key}=3.0e9"]})
warm = sorted(timed(f"/plans/{base_plan}/what-if", {"changes": [f"{key}={3.1e9 + i * 0.04e9:.4e}"]}) for i in range(50))
cold = []
for i in range(5):
    edited = toml.replace("requests_per_day = { initial = 3.9e9,", f"requests_per_day = {{ initial = {3.2e9 + i * 0.3e9:.4e},")
    assert edited != toml
    s, b = call("POST", f"/scenarios/{sid}/versions", {"toml": edited, "files": {"frontier-lab/catalog.toml": cat}})
    assert s == 201, b
    cold.append(timed("/plans", {"scenario_id": sid}))
cold.sort()
p95 = warm[int(len(warm) * 0.95) - 1]
print(f"what-if: first (makes the kept solve) {first*1e3:.0f} ms; 50 warm: median {statistics.median(warm)*1e3:.0f} ms, "
      f"p95 {p95*1e3:.0f} ms, max {warm[-1]*1e3:.0f} ms")
print(f"baseline, the same change planned from scratch (5): median {statistics.median(cold)*1e3:.0f} ms; "
      f"median ratio warm/cold {statistics.median(warm)/statistics.median(cold):.2f}x")
PY
