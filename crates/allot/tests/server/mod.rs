//! `allot serve` over real HTTP on 127.0.0.1: the real binary on a temporary database, driven
//! through scenarios → plan job → result, every response checked against the server's own
//! OpenAPI document (its path, method and status listed, its body valid against the schema).

mod docs;
pub mod http;
mod openapi;
mod questions;
mod simulate;

pub use http::{Reply, parse, request};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{allot, root, text};

/// A running `allot serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    token: Option<String>,
    api: Option<Value>,
    /// The database file.
    pub db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh temporary folder under target/tmp.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = root()
        .join("target/tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl Server {
    /// Starts `allot serve --db DB --addr 127.0.0.1:0 EXTRA...` and waits for its address.
    pub fn start(db: PathBuf, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
            .arg("serve")
            .arg("--db")
            .arg(&db)
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start allot serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        let token = extra
            .iter()
            .position(|a| *a == "--token")
            .map(|i| extra[i + 1].to_string());
        let mut server = Server {
            child,
            addr,
            token,
            api: None,
            db,
        };
        let api = server.raw("GET", "/openapi.json", None, true);
        assert_eq!(api.status, 200, "{}", api.body);
        server.api = Some(api.json());
        server
    }

    /// Kills the server at once (SIGKILL).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// One request; `auth` sends the server's token, if it has one.
    pub fn raw(&self, method: &str, path: &str, body: Option<&str>, auth: bool) -> Reply {
        request(
            &self.addr,
            method,
            path,
            body,
            self.token.as_deref().filter(|_| auth),
        )
    }

    /// One request, its response checked against the OpenAPI document.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let body = body.map(Value::to_string);
        let reply = self.raw(method, path, body.as_deref(), true);
        if let Some(api) = &self.api {
            if let Err(e) = openapi::check(api, method, path, &reply) {
                panic!(
                    "{method} {path}: the response does not match the OpenAPI document: {e}\n{}",
                    reply.body
                );
            }
        }
        reply
    }

    /// Polls a job until it ends; panics after `limit`.
    pub fn wait(&self, id: i64, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let job = self.call("GET", &format!("/plans/{id}"), None).json();
            let state = job["state"].as_str().unwrap_or("").to_string();
            if !matches!(state.as_str(), "queued" | "running") {
                return job;
            }
            assert!(start.elapsed() < limit, "job {id} still {state}: {job}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The frontier example and its catalog file, as a scenario upload.
pub fn frontier(name: &str) -> Value {
    let dir = root().join("examples");
    json!({
        "name": name,
        "toml": std::fs::read_to_string(dir.join("frontier-lab.toml")).expect("example"),
        "files": {
            "frontier-lab/catalog.toml":
                std::fs::read_to_string(dir.join("frontier-lab/catalog.toml")).expect("catalog"),
        },
    })
}

#[test]
fn scenario_plan_and_result_over_http_match_the_cli_and_the_openapi_document() {
    let dir = temp_dir("serve-e2e");
    let server = Server::start(dir.join("allot.db"), &[]);
    let api = server.api.clone().expect("document");
    assert!(api["openapi"].as_str().unwrap_or("").starts_with("3.1"));

    // A scenario with its catalog file uploaded; an edit is a new version.
    let created = server.call("POST", "/scenarios", Some(&frontier("frontier")));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["scenario_id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("/scenarios/{id}/versions/1").as_str())
    );
    let again = server.call("POST", "/scenarios", Some(&frontier("frontier")));
    assert_eq!(again.status, 409, "{}", again.body);
    let mut edit = frontier("");
    edit.as_object_mut().expect("object").remove("name");
    edit["note"] = json!("same text, second version");
    let v2 = server.call("POST", &format!("/scenarios/{id}/versions"), Some(&edit));
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.json()["version"], 2);
    let shown = server.call("GET", &format!("/scenarios/{id}"), None).json();
    assert_eq!(shown["versions"].as_array().map(Vec::len), Some(2));
    let v1 = server.call("GET", &format!("/scenarios/{id}/versions/1"), None);
    assert_eq!(v1.json()["toml"], frontier("")["toml"]);

    // A plan as a job: queued at once, then done; its result is `allot plan --json`'s output.
    let job = server.call(
        "POST",
        "/plans",
        Some(&json!({ "scenario_id": id, "version": 1 })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let job_id = job.json()["id"].as_i64().expect("job id");
    let done = server.wait(job_id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["version"], 1);
    assert_eq!(done["settings"]["time_limit_s"], 60.0);
    assert!(
        done["allot_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(done["timings"]["solve_s"].as_f64().is_some(), "{done}");
    let result = server.call("GET", &format!("/plans/{job_id}/result"), None);
    assert_eq!(result.status, 200);
    let cli = allot(&["plan", "--json", "examples/frontier-lab.toml"]);
    assert!(cli.status.success(), "{}", text(&cli.stderr));
    assert!(
        result.body == text(&cli.stdout),
        "the server's plan JSON differs from `allot plan --json`"
    );
    let listed = server.call("GET", &format!("/plans?scenario_id={id}"), None);
    assert_eq!(listed.json()[0]["id"], job_id);
    let finished = server.call("POST", &format!("/plans/{job_id}/cancel"), None);
    assert_eq!(finished.status, 409, "{}", finished.body);

    // Two stored plans compared; the same database read by `allot history`.
    let diff = server.call("GET", &format!("/plans/{job_id}/diff/{job_id}"), None);
    assert_eq!(diff.status, 200, "{}", diff.body);
    assert_eq!(diff.json()["difference"]["objective_usd"], 0.0);
    let db = server.db.display().to_string();
    let listed = allot(&["history", "list", "--db", &db]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(
        text(&listed.stdout).contains("frontier"),
        "{}",
        text(&listed.stdout)
    );
    let id_text = job_id.to_string();
    let shown = allot(&["history", "show", "--db", &db, &id_text, "--json"]);
    assert!(
        shown.stdout == cli.stdout,
        "allot history show --json differs from allot plan --json"
    );
    let diffed = allot(&["history", "diff", "--db", &db, &id_text, &id_text]);
    assert!(diffed.status.success(), "{}", text(&diffed.stderr));
    assert!(
        text(&diffed.stdout).contains("does not change the cost"),
        "{}",
        text(&diffed.stdout)
    );
    let missing = allot(&["history", "list", "--db", "no/such.db"]);
    assert!(!missing.status.success());
}

#[test]
fn bad_requests_get_problem_documents_naming_the_field() {
    let dir = temp_dir("serve-problems");
    let server = Server::start(dir.join("allot.db"), &["--max-body", "1"]);
    let problem = |r: &Reply, status: u16| -> Value {
        assert_eq!(r.status, status, "{}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let p = r.json();
        assert_eq!(p["status"], status);
        p
    };
    // A scenario with errors: every diagnostic, with its line and column; nothing stored.
    let mut bad = frontier("bad");
    let toml =
        bad["toml"]
            .as_str()
            .expect("toml")
            .replacen("horizon_months = ", "horizon_monts = ", 1);
    bad["toml"] = json!(toml);
    let p = problem(&server.call("POST", "/scenarios", Some(&bad)), 422);
    assert_eq!(p["field"], "toml");
    let first = &p["errors"][0];
    assert_eq!(first["file"], "scenario.toml");
    let line = 1 + toml[..toml.find("horizon_monts").expect("edit")]
        .matches('\n')
        .count();
    assert!(
        p["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["line"] == line && e["column"] == 1),
        "no diagnostic at line {line}: {p}"
    );
    assert_eq!(server.call("GET", "/scenarios", None).json(), json!([]));
    // A catalog file the scenario names but the request lacks.
    let mut missing = frontier("missing");
    missing["files"] = json!({});
    let p = problem(&server.call("POST", "/scenarios", Some(&missing)), 422);
    assert!(
        p["detail"]
            .as_str()
            .expect("detail")
            .contains("not uploaded"),
        "{p}"
    );
    // The same check without storing.
    let checked = server.call("POST", "/validate", Some(&json!({ "toml": toml })));
    assert_eq!(checked.json()["valid"], false);
    // Request bodies: wrong type, unknown field, malformed JSON, too large, not JSON.
    let p = problem(
        &server.call("POST", "/plans", Some(&json!({ "scenario_id": "one" }))),
        422,
    );
    assert_eq!(p["field"], "scenario_id");
    let p = problem(
        &server.call(
            "POST",
            "/plans",
            Some(&json!({ "scenario_id": 1, "settings": { "time_limt_s": 5 } })),
        ),
        422,
    );
    assert_eq!(p["field"], "settings.time_limt_s");
    let created = server.call("POST", "/scenarios", Some(&frontier("ok")));
    let id = created.json()["scenario_id"].as_i64().expect("id");
    for (settings, field) in [
        (json!({ "time_limit_s": -1 }), "settings.time_limit_s"),
        (json!({ "time_limit_s": 3600 }), "settings.time_limit_s"),
        (json!({ "mip_gap": -0.5 }), "settings.mip_gap"),
        (json!({ "method": "simplex" }), "settings.method"),
    ] {
        let body = json!({ "scenario_id": id, "settings": settings });
        let p = problem(&server.call("POST", "/plans", Some(&body)), 422);
        assert_eq!(p["field"], field, "{p}");
    }
    let p = problem(
        &server.call(
            "POST",
            "/plans",
            Some(&json!({ "scenario_id": id, "version": 9 })),
        ),
        404,
    );
    assert_eq!(p["field"], "version");
    problem(
        &server.raw("POST", "/plans", Some("{\"scenario_id\": "), true),
        400,
    );
    let huge = json!({ "toml": "#".repeat(1 << 21) });
    problem(&server.call("POST", "/validate", Some(&huge)), 413);
    let p = problem(&server.call("GET", "/plans/abc", None), 400);
    assert_eq!(p["field"], "id");
    problem(&server.call("GET", "/plans/999", None), 404);
    problem(&server.call("GET", "/plans?limit=many", None), 400);
    problem(&server.raw("GET", "/nowhere", None, true), 404);
    problem(&server.raw("DELETE", "/scenarios", None, true), 405);
}

#[test]
fn a_full_queue_refuses_with_429_and_cancel_stops_jobs() {
    let dir = temp_dir("serve-queue");
    let server = Server::start(dir.join("allot.db"), &["--workers", "1", "--queue", "1"]);
    let created = server.call("POST", "/scenarios", Some(&frontier("f")));
    let id = created.json()["scenario_id"].as_i64().expect("id");
    let plan = json!({ "scenario_id": id, "settings": { "method": "mip", "mip_gap": 0 } });
    let mut ids = Vec::new();
    let mut refused = 0;
    for _ in 0..4 {
        let r = server.call("POST", "/plans", Some(&plan));
        match r.status {
            202 => ids.push(r.json()["id"].as_i64().expect("id")),
            429 => refused += 1,
            s => panic!("status {s}: {}", r.body),
        }
    }
    assert!(refused >= 1, "a queue of 1 with one worker took 4 jobs");
    for id in &ids {
        let r = server.call("POST", &format!("/plans/{id}/cancel"), None);
        assert!(r.status == 202 || r.status == 409, "{}", r.body);
    }
    for id in &ids {
        let job = server.wait(*id, Duration::from_secs(60));
        let state = job["state"].as_str().expect("state");
        assert!(state == "cancelled" || state == "done", "{job}");
        if job["result"].is_string() {
            let r = server.call("GET", &format!("/plans/{id}/result"), None);
            assert_eq!(r.status, 200);
        }
    }
}

#[test]
fn beyond_loopback_the_server_needs_a_token_and_then_every_request_carries_it() {
    let dir = temp_dir("serve-token");
    let refused = allot(&[
        "serve",
        "--db",
        &dir.join("a.db").display().to_string(),
        "--addr",
        "0.0.0.0:0",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--token"),
        "{}",
        text(&refused.stderr)
    );
    let server = Server::start(dir.join("b.db"), &["--token", "s3cret"]);
    let without = server.raw("GET", "/scenarios", None, false);
    assert_eq!(without.status, 401);
    assert_eq!(without.header("www-authenticate"), Some("Bearer"));
    let wrong = request(&server.addr, "GET", "/openapi.json", None, Some("guess"));
    assert_eq!(wrong.status, 401);
    assert_eq!(server.call("GET", "/scenarios", None).status, 200);
}

#[test]
fn kill_9_during_a_burst_of_writes_loses_no_acknowledged_plan() {
    let dir = temp_dir("serve-kill");
    let server = Server::start(dir.join("allot.db"), &["--queue", "1000"]);
    let created = server.call("POST", "/scenarios", Some(&frontier("f")));
    let id = created.json()["scenario_id"].as_i64().expect("id");
    let db = server.db.clone();
    let addr = server.addr.clone();
    // Writes from another thread while this one kills the server.
    let writer = std::thread::spawn(move || {
        let mut acknowledged = Vec::new();
        let body = json!({ "scenario_id": id }).to_string();
        for _ in 0..400 {
            let Ok(mut stream) = TcpStream::connect(&addr) else {
                break;
            };
            let head = format!(
                "POST /plans HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(head.as_bytes()).is_err() {
                break;
            }
            let mut raw = Vec::new();
            let _ = stream.read_to_end(&mut raw);
            if raw.windows(4).any(|w| w == b"\r\n\r\n") && raw.starts_with(b"HTTP/1.1 202") {
                acknowledged.push(parse(&raw).json()["id"].as_i64().expect("id"));
            }
        }
        acknowledged
    });
    std::thread::sleep(Duration::from_millis(400));
    server.kill();
    let acknowledged = writer.join().expect("writer");
    assert!(
        !acknowledged.is_empty(),
        "no write was acknowledged before the kill"
    );
    let server = Server::start(db, &[]);
    for id in &acknowledged {
        let job = server.call("GET", &format!("/plans/{id}"), None);
        assert_eq!(job.status, 200, "acknowledged job {id} lost: {}", job.body);
        let job = job.json();
        if job["state"] == "done" {
            let plan = server.call("GET", &format!("/plans/{id}/result"), None);
            assert_eq!(plan.json()["status"], job["status"]);
        } else {
            assert!(
                ["interrupted", "cancelled"].contains(&job["state"].as_str().unwrap_or("")),
                "{job}"
            );
        }
    }
    // The database takes writes again.
    let again = server.call("POST", "/plans", Some(&json!({ "scenario_id": id })));
    assert_eq!(again.status, 202, "{}", again.body);
}

/// A bounded load test (loopback only, 20 clients x 25 requests): every read of the plan list
/// and of a plan succeeds while a solve runs. Latencies are printed, not asserted (targets are
/// measured in experiments/server-bench.sh).
#[test]
fn twenty_clients_read_plans_while_a_solve_runs() {
    let dir = temp_dir("serve-load");
    let server = Server::start(dir.join("allot.db"), &[]);
    let created = server.call("POST", "/scenarios", Some(&frontier("f")));
    let id = created.json()["scenario_id"].as_i64().expect("id");
    let first = server.call("POST", "/plans", Some(&json!({ "scenario_id": id })));
    let first = first.json()["id"].as_i64().expect("id");
    server.wait(first, Duration::from_secs(120));
    let solving = json!({ "scenario_id": id, "settings": { "method": "mip", "mip_gap": 0 } });
    let running = server.call("POST", "/plans", Some(&solving));
    assert_eq!(running.status, 202, "{}", running.body);
    let addr = server.addr.clone();
    let clients: Vec<_> = (0..20)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                for i in 0..25 {
                    let path = if (c + i) % 2 == 0 {
                        "/plans?limit=50".to_string()
                    } else {
                        format!("/plans/{first}")
                    };
                    let t = Instant::now();
                    let r = request(&addr, "GET", &path, None, None);
                    times.push(t.elapsed());
                    assert_eq!(r.status, 200, "{path}: {}", r.body);
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("client"))
        .collect();
    times.sort();
    assert_eq!(times.len(), 500);
    eprintln!(
        "500 reads by 20 clients during a solve: median {:?}, p99 {:?}",
        times[250], times[494]
    );
    server.call(
        "POST",
        &format!("/plans/{}/cancel", running.json()["id"]),
        None,
    );
}
