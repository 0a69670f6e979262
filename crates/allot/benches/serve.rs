//! `cargo bench -p allot --bench serve`: `allot serve` (this build) under read load, in
//! BENCHMARKS.md. With the frontier example stored and planned, 20 client threads each make 50
//! reads (the plan list of 50 and one plan, alternately; one connection per request) on an idle
//! server (the baseline), then the same while a branch-and-bound solve of the frontier example
//! runs (`method: mip`, `mip_gap: 0`). Prints the median and p99 of each and their ratio.
//! Clients are native threads, so the client does not limit the figures.

#[path = "../tests/server/http.rs"]
#[allow(dead_code)]
mod http;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("allot-serve-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.join("allot.db"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("start allot serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("address")
        .to_string();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("example");
    let upload = json!({
        "name": "frontier",
        "toml": read("examples/frontier-lab.toml"),
        "files": { "frontier-lab/catalog.toml": read("examples/frontier-lab/catalog.toml") },
    });
    let post = |path: &str, body: &serde_json::Value| {
        http::request(&addr, "POST", path, Some(&body.to_string()), None).json()
    };
    let id = post("/scenarios", &upload)["scenario_id"].clone();
    let first = post("/plans", &json!({ "scenario_id": id }))["id"]
        .as_i64()
        .expect("job");
    let wait = |job: i64| loop {
        let shown = http::request(&addr, "GET", &format!("/plans/{job}"), None, None).json();
        if !matches!(shown["state"].as_str(), Some("queued" | "running")) {
            return shown;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    wait(first);

    let reads = |label: &str| {
        let clients: Vec<_> = (0..20)
            .map(|c| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| {
                            let path = if (c + i) % 2 == 0 {
                                "/plans?limit=50".to_string()
                            } else {
                                format!("/plans/{first}")
                            };
                            let t = Instant::now();
                            let r = http::request(&addr, "GET", &path, None, None);
                            (t.elapsed(), r.status)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let all: Vec<(Duration, u16)> = clients
            .into_iter()
            .flat_map(|c| c.join().expect("client"))
            .collect();
        let errors = all.iter().filter(|(_, s)| *s != 200).count();
        let mut times: Vec<Duration> = all.into_iter().map(|(t, _)| t).collect();
        times.sort();
        let (median, p99) = (times[times.len() / 2], times[times.len() * 99 / 100 - 1]);
        println!(
            "{label}: {} reads, {errors} errors, median {:.1} ms, p99 {:.1} ms",
            times.len(),
            median.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
        p99
    };
    let idle = reads("20 clients, idle server (baseline)");
    let solving = post(
        "/plans",
        &json!({ "scenario_id": id, "settings": { "method": "mip", "mip_gap": 0, "time_limit_s": 120 } }),
    )["id"]
        .as_i64()
        .expect("job");
    std::thread::sleep(Duration::from_millis(200));
    let state =
        http::request(&addr, "GET", &format!("/plans/{solving}"), None, None).json()["state"]
            .clone();
    let busy = reads(&format!("20 clients, solve {state} during the reads"));
    let after =
        http::request(&addr, "GET", &format!("/plans/{solving}"), None, None).json()["state"]
            .clone();
    println!(
        "p99 ratio (during solve / idle): {:.2}x; the solve was {after} when the reads ended",
        busy.as_secs_f64() / idle.as_secs_f64()
    );
    http::request(
        &addr,
        "POST",
        &format!("/plans/{solving}/cancel"),
        None,
        None,
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
