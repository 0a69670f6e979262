//! Questions about a stored plan over real HTTP: explain, finance, export (a tar archive),
//! what-if, why-not and risk (jobs), each answer compared with the CLI command of the same name
//! on the same scenario, and every response checked against the OpenAPI document.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Server, temp_dir};
use crate::{allot, root, text};

const STARTUP: &str = "examples/startup.toml";

/// The files of a ustar archive, by path.
fn untar(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut at = 0;
    while at + 512 <= bytes.len() && bytes[at] != 0 {
        let header = &bytes[at..at + 512];
        let field = |from: usize, to: usize| {
            String::from_utf8_lossy(&header[from..to])
                .trim_end_matches('\0')
                .trim()
                .to_string()
        };
        let (prefix, name) = (field(345, 500), field(0, 100));
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = usize::from_str_radix(&field(124, 136), 8).expect("octal size");
        let body = &bytes[at + 512..at + 512 + size];
        files.insert(path, String::from_utf8(body.to_vec()).expect("text file"));
        at += 512 + size.div_ceil(512) * 512;
    }
    files
}

/// The files under `dir`, by path relative to it.
fn files_under(dir: &std::path::Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under").display().to_string();
                out.insert(rel, std::fs::read_to_string(&path).expect("read"));
            }
        }
    }
    out
}

fn cli_json(args: &[&str]) -> Value {
    let out = allot(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn close(a: &Value, b: &Value, tolerance: f64) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= tolerance * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

/// examples/startup.toml uploaded and planned with the default settings: the plan job's id.
fn planned_startup(server: &Server) -> i64 {
    let scenario = json!({
        "name": "startup",
        "toml": std::fs::read_to_string(root().join(STARTUP)).expect("example"),
    });
    let sid = server.call("POST", "/scenarios", Some(&scenario)).json()["scenario_id"]
        .as_i64()
        .expect("id");
    let job = server.call("POST", "/plans", Some(&json!({ "scenario_id": sid })));
    let base = job.json()["id"].as_i64().expect("id");
    assert_eq!(server.wait(base, Duration::from_secs(120))["state"], "done");
    base
}

#[test]
fn questions_about_a_stored_plan_answer_as_the_cli_does() {
    let dir = temp_dir("serve-questions");
    let server = Server::start(dir.join("allot.db"), &[]);
    let scenario = json!({
        "name": "startup",
        "toml": std::fs::read_to_string(root().join(STARTUP)).expect("example"),
    });
    let created = server.call("POST", "/scenarios", Some(&scenario));
    assert_eq!(created.status, 201, "{}", created.body);
    let sid = created.json()["scenario_id"].as_i64().expect("id");
    let plan_job = |explain: bool| {
        let job = server.call(
            "POST",
            "/plans",
            Some(&json!({ "scenario_id": sid, "settings": { "explain": explain } })),
        );
        assert_eq!(job.status, 202, "{}", job.body);
        let id = job.json()["id"].as_i64().expect("job id");
        let done = server.wait(id, Duration::from_secs(120));
        assert_eq!(done["state"], "done", "{done}");
        id
    };
    let explained = plan_job(true);
    let plain = plan_job(false);
    let stored = server.call("GET", &format!("/plans/{explained}/result"), None);
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, &stored.body).expect("write plan");
    let plan_path = plan_file.display().to_string();

    // What binds: the stored plan's explanations; a plan made without them says how to get them.
    let why = server.call("GET", &format!("/plans/{explained}/explain"), None);
    assert_eq!(why.status, 200, "{}", why.body);
    assert_eq!(why.json()["bindings"], stored.json()["explanations"]);
    assert!(
        why.json()["bindings"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    let unexplained = server.call("GET", &format!("/plans/{plain}/explain"), None);
    assert_eq!(unexplained.status, 409, "{}", unexplained.body);
    assert!(unexplained.body.contains("explain"), "{}", unexplained.body);

    // Finance: `allot finance --json --plan` of the same plan.
    let finance = server.call("GET", &format!("/plans/{explained}/finance"), None);
    assert_eq!(finance.status, 200, "{}", finance.body);
    let cli = cli_json(&["finance", STARTUP, "--plan", &plan_path, "--json"]);
    assert_eq!(finance.json(), cli);

    // Export: the files `allot export` writes, byte for byte, as one archive.
    for target in ["skypilot", "kubernetes", "kueue", "slurm"] {
        let archive = server.call(
            "GET",
            &format!("/plans/{explained}/export?to={target}"),
            None,
        );
        assert_eq!(archive.status, 200, "{target}: {}", archive.body);
        assert_eq!(archive.header("content-type"), Some("application/x-tar"));
        let out = dir.join(format!("export-{target}"));
        let written = allot(&[
            "export",
            &plan_path,
            "--to",
            target,
            "--scenario",
            STARTUP,
            "--out",
            &out.display().to_string(),
        ]);
        assert!(written.status.success(), "{}", text(&written.stderr));
        let served = untar(archive.body.as_bytes());
        assert!(!served.is_empty(), "{target}: an empty archive");
        assert_eq!(served, files_under(&out), "{target}");
    }

    // What-if: a job whose result is `allot explain --what-if --json`'s comparison.
    let change = "policy.provider_cap[aws].max_share=0.3";
    let job = server.call(
        "POST",
        &format!("/plans/{explained}/what-if"),
        Some(&json!({ "changes": [change] })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json()["id"].as_i64().expect("id");
    assert_eq!(job.json()["kind"], "what_if");
    assert_eq!(job.json()["base_job_id"], explained);
    let done = server.wait(id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    let answer = server
        .call("GET", &format!("/plans/{id}/result"), None)
        .json();
    let cli = cli_json(&["explain", STARTUP, "--what-if", change, "--json"]);
    for key in ["question", "kind", "change", "notes"] {
        assert_eq!(answer[key], cli[key], "{key}");
    }
    assert_eq!(answer["warm_start"], true);
    assert_eq!(
        answer["base"]["objective_usd"],
        stored.json()["objective_usd"]
    );
    for side in ["base", "changed"] {
        assert_eq!(answer[side]["status"], cli[side]["status"], "{side}");
        assert!(
            close(
                &answer[side]["objective_usd"],
                &cli[side]["objective_usd"],
                2e-3
            ),
            "{side}: {} against the CLI's {}",
            answer[side]["objective_usd"],
            cli[side]["objective_usd"]
        );
    }
    // A second what-if of the same plan starts from the kept solve.
    let again = server.call(
        "POST",
        &format!("/plans/{explained}/what-if"),
        Some(&json!({ "changes": ["policy.provider_cap[aws].max_share=0.35"] })),
    );
    let again = server.wait(
        again.json()["id"].as_i64().expect("id"),
        Duration::from_secs(120),
    );
    assert_eq!(again["state"], "done", "{again}");

    // Why-not: the same, forced.
    let choice = "provider aws <= 20%";
    let job = server.call(
        "POST",
        &format!("/plans/{explained}/why-not"),
        Some(&json!({ "choice": choice })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json()["id"].as_i64().expect("id");
    let done = server.wait(id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    let answer = server
        .call("GET", &format!("/plans/{id}/result"), None)
        .json();
    let cli = cli_json(&["explain", STARTUP, "--why-not", choice, "--json"]);
    for key in ["question", "kind", "change", "answer"] {
        assert_eq!(answer[key], cli[key], "{key}");
    }

    // Risk: a job with progress whose result is `allot risk --json`'s.
    let job = server.call(
        "POST",
        &format!("/plans/{explained}/risk"),
        Some(&json!({ "samples": 6, "seed": 3 })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json()["id"].as_i64().expect("id");
    let done = server.wait(id, Duration::from_secs(300));
    assert_eq!(done["state"], "done", "{done}");
    let risk = server
        .call("GET", &format!("/plans/{id}/result"), None)
        .json();
    let cli = cli_json(&["risk", STARTUP, "--samples", "6", "--seed", "3", "--json"]);
    assert_eq!(risk, cli);
    // The dashboard's report data with that risk run; refused for another plan or no such job.
    let data = server.call(
        "GET",
        &format!("/plans/{explained}/report-data?risk={id}"),
        None,
    );
    assert_eq!(data.status, 200, "{}", data.body);
    assert!(data.json()["risk"].is_object(), "no risk section");
    let other = server.call(
        "GET",
        &format!("/plans/{plain}/report-data?risk={id}"),
        None,
    );
    assert_eq!(other.status, 409, "{}", other.body);
    let none = server.call(
        "GET",
        &format!("/plans/{explained}/report-data?risk=999"),
        None,
    );
    assert_eq!(none.status, 404, "{}", none.body);

    // The list by kind; a question's result is no plan to compare or ask about.
    let plans = server.call("GET", "/plans?kind=plan", None).json();
    let kinds: Vec<&str> = plans
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|j| j["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["plan", "plan"]);
    let diff = server.call("GET", &format!("/plans/{id}/diff/{explained}"), None);
    assert_eq!(diff.status, 409, "{}", diff.body);
    let asked = server.call("GET", &format!("/plans/{id}/finance"), None);
    assert_eq!(asked.status, 409, "{}", asked.body);

    // Bad questions get problem documents naming the field.
    let bad = [
        (
            "POST",
            format!("/plans/{explained}/what-if"),
            json!({ "changes": ["policy.provider_cap[aws].max_shar=0.5"] }),
            422,
            "changes",
        ),
        (
            "POST",
            format!("/plans/{explained}/what-if"),
            json!({ "changes": [] }),
            422,
            "changes",
        ),
        (
            "POST",
            format!("/plans/{explained}/why-not"),
            json!({ "choice": "finetune-70b somewhere" }),
            422,
            "choice",
        ),
        (
            "POST",
            format!("/plans/{explained}/risk"),
            json!({ "samples": 0 }),
            422,
            "samples",
        ),
        (
            "POST",
            format!("/plans/{explained}/risk"),
            json!({ "replan": "hot" }),
            422,
            "replan",
        ),
        (
            "POST",
            format!("/plans/{explained}/risk"),
            json!({ "time_limit_s": -1 }),
            422,
            "time_limit_s",
        ),
        (
            "POST",
            "/plans/999/what-if".to_string(),
            json!({ "changes": ["a=1"] }),
            404,
            "",
        ),
    ];
    for (method, path, body, status, field) in bad {
        let reply = server.call(method, &path, Some(&body));
        assert_eq!(reply.status, status, "{path} {body}: {}", reply.body);
        if !field.is_empty() {
            assert_eq!(
                reply.json()["field"],
                field,
                "{path} {body}: {}",
                reply.body
            );
        }
    }
    let bad_target = server.call(
        "GET",
        &format!("/plans/{explained}/export?to=nomad%0a"),
        None,
    );
    assert_eq!(bad_target.status, 422, "{}", bad_target.body);
    assert_eq!(bad_target.json()["field"], "to");
    assert!(!bad_target.body.contains('\n'), "{}", bad_target.body);
}

#[test]
fn a_cancelled_risk_job_stops_without_a_result() {
    let dir = temp_dir("serve-risk-cancel");
    let server = Server::start(dir.join("allot.db"), &["--workers", "1"]);
    let base = planned_startup(&server);
    let job = server.call(
        "POST",
        &format!("/plans/{base}/risk"),
        Some(&json!({ "samples": 2000, "replan": "cold" })),
    );
    let id = job.json()["id"].as_i64().expect("id");
    // Wait until it reports risk progress, then cancel.
    let start = std::time::Instant::now();
    loop {
        let shown = server.call("GET", &format!("/plans/{id}"), None).json();
        if shown["progress"]["phase"] == "risk" {
            assert!(shown["progress"]["total"].as_u64() > Some(2000), "{shown}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no progress: {shown}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let cancelled = server.call("POST", &format!("/plans/{id}/cancel"), None);
    assert_eq!(cancelled.status, 202, "{}", cancelled.body);
    let done = server.wait(id, Duration::from_secs(60));
    assert_eq!(done["state"], "cancelled", "{done}");
    let result = server.call("GET", &format!("/plans/{id}/result"), None);
    assert_eq!(result.status, 409, "{}", result.body);
}

/// A job's `time_limit_s` is one deadline for the whole job, as `--time-limit` is for a
/// command: a risk job with a millisecond ends with its samples counted as stopped by the
/// job's time limit, not with a millisecond per sample; and a what-if after an earlier one on
/// the same base, once the earlier job's deadline has passed, still plans from the kept base.
#[test]
fn a_jobs_time_limit_is_one_deadline_for_all_its_solves() {
    let dir = temp_dir("serve-job-deadline");
    let server = Server::start(dir.join("allot.db"), &["--workers", "1"]);
    let base = planned_startup(&server);

    let job = server.call(
        "POST",
        &format!("/plans/{base}/risk"),
        Some(&json!({ "samples": 40, "seed": 2, "time_limit_s": 0.001 })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json()["id"].as_i64().expect("id");
    let done = server.wait(id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    let risk = server
        .call("GET", &format!("/plans/{id}/result"), None)
        .json();
    let samples = risk["sample"].as_array().expect("samples");
    assert_eq!(samples.len(), 40);
    let stopped = samples
        .iter()
        .filter(|s| s["status"] == "time_limit_no_solution")
        .count();
    assert!(stopped > 0, "a millisecond planned all 40 samples: {risk}");
    assert_eq!(risk["stopped_by_time_limit"], stopped, "{risk}");
    assert!(risk["failed"].as_u64() >= Some(stopped as u64), "{risk}");

    // Two what-ifs with the same settings: the first makes the kept base solve; the second
    // starts after the first's deadline has passed and still plans from it.
    let limit = 4.0;
    let what_if = |change: &str| {
        let job = server.call(
            "POST",
            &format!("/plans/{base}/what-if"),
            Some(&json!({ "changes": [change], "settings": { "time_limit_s": limit } })),
        );
        assert_eq!(job.status, 202, "{}", job.body);
        let id = job.json()["id"].as_i64().expect("id");
        let done = server.wait(id, Duration::from_secs(120));
        assert_eq!(done["state"], "done", "{done}");
        let answer = server
            .call("GET", &format!("/plans/{id}/result"), None)
            .json();
        (done, answer)
    };
    let (first, answer) = what_if("policy.provider_cap[aws].max_share=0.3");
    assert_eq!(answer["changed"]["status"], "optimal", "{answer}");
    let ran = first["timings"]["total_s"].as_f64().expect("total_s");
    std::thread::sleep(Duration::from_secs_f64((limit - ran).max(0.0) + 0.2));
    let (_, answer) = what_if("policy.provider_cap[aws].max_share=0.35");
    assert_eq!(answer["changed"]["status"], "optimal", "{answer}");
}
