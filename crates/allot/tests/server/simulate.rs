//! `POST /plans/{id}/simulate` over real HTTP: a stored plan simulated with the options of
//! `allot simulate`, answered with exactly what the command writes with `--json` for the same
//! plan and options; bad options refused with a problem naming the field, with a hint.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Server, temp_dir};
use crate::{allot, root, text};

const SCENARIO: &str = "testdata/simulate/scenario.toml";
const BLOCKER: &str = "testdata/simulate/blocker.csv";

/// A server with the simulate test's scenario planned; the plan's job id and its plan file.
fn planned(name: &str) -> (Server, i64, std::path::PathBuf) {
    let dir = temp_dir(name);
    let server = Server::start(dir.join("allot.db"), &[]);
    let scenario = json!({
        "name": "simulate",
        "toml": std::fs::read_to_string(root().join(SCENARIO)).expect("scenario"),
    });
    let created = server.call("POST", "/scenarios", Some(&scenario));
    assert_eq!(created.status, 201, "{}", created.body);
    let scenario_id = created.json()["scenario_id"].as_i64().expect("id");
    let job = server.call(
        "POST",
        "/plans",
        Some(&json!({ "scenario_id": scenario_id })),
    );
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json()["id"].as_i64().expect("job id");
    let done = server.wait(id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    let plan = server.call("GET", &format!("/plans/{id}/result"), None);
    let file = dir.join("plan.json");
    std::fs::write(&file, &plan.body).expect("write the plan");
    (server, id, file)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).expect(path)
}

#[test]
fn simulate_answers_what_the_cli_writes_for_the_same_plan_and_options() {
    let (server, id, plan) = planned("serve-simulate");
    let plan = plan.display().to_string();
    let cases: [(Value, Vec<&str>, i32); 3] = [
        // The run queued behind a trace job that holds every chip for 25 days: missed.
        (
            json!({ "trace": read(BLOCKER) }),
            vec!["--trace", BLOCKER],
            1,
        ),
        // Given chips, generated work and a round-based policy (LPs through HiGHS).
        (
            json!({ "chips": "H100=96", "generate": 150, "rate": 2.5, "seed": 7, "policy": "gavel" }),
            vec![
                "--chips",
                "H100=96",
                "--generate",
                "150",
                "--rate",
                "2.5",
                "--seed",
                "7",
                "--policy",
                "gavel",
            ],
            0,
        ),
        // Defaults: the plan's first period, its run alone.
        (json!({}), vec![], 0),
    ];
    for (body, flags, code) in cases {
        let reply = server.call("POST", &format!("/plans/{id}/simulate"), Some(&body));
        assert_eq!(reply.status, 200, "{body}: {}", reply.body);
        let served = reply.json();
        let mut args = vec!["simulate", plan.as_str(), "--scenario", SCENARIO, "--json"];
        args.extend(flags);
        let out = allot(&args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let cli: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(served, cli, "{body}");
        assert!(
            served["timeline"].as_array().is_some_and(|t| t.len() > 10),
            "{body}: a timeline to draw"
        );
        assert_eq!(served["runs"][0]["name"], "pretrain-8b");
        assert_eq!(served["runs"][0]["missed"], code == 1, "{body}");
    }
}

#[test]
fn simulate_refuses_bad_options_naming_the_field_with_a_hint() {
    let (server, id, _) = planned("serve-simulate-bad");
    let path = format!("/plans/{id}/simulate");
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({ "period": "2031-01" }),
            422,
            "period",
            "one of: 2027-01, 2027-02, 2027-03",
        ),
        (
            json!({ "chips": "H100=lots" }),
            422,
            "chips",
            "e.g. chips H100=512,MI300X=64",
        ),
        (json!({ "chips": "H1000=8" }), 422, "chips", "did you mean"),
        (
            json!({ "chips": "H100=8", "period": "2027-01" }),
            422,
            "chips",
            "give one of period and chips",
        ),
        (
            json!({ "policy": "fastest" }),
            422,
            "policy",
            "one of: fifo, max-min, gavel, finish-time, least-cost",
        ),
        (
            json!({ "generate": 5, "rate": -1 }),
            422,
            "rate",
            "give a number from 0 up",
        ),
        (
            json!({ "generate": 5, "trace": read(BLOCKER) }),
            422,
            "generate",
            "give one of trace and generate",
        ),
        (
            json!({ "generate": 10_001 }),
            422,
            "generate",
            "more than this server simulates under fifo and least-cost, 10000",
        ),
        (
            json!({ "generate": 1_001, "policy": "gavel" }),
            422,
            "generate",
            "round-based policies",
        ),
        (
            json!({ "trace": "id,arrival_s,job_type,gang,duration_s\n".repeat(10_002) }),
            422,
            "trace",
            "a header and 10000 jobs",
        ),
        (
            json!({ "trace": read("testdata/simulate/bad-trace.csv") }),
            422,
            "trace",
            "trace line 3, field gang",
        ),
        (
            json!({ "throughput": "job_type,tpu9\njob,1\n", "generate": 3 }),
            422,
            "throughput",
            "no column is a chip of the fleet",
        ),
        (
            json!({ "chips": "H100=8" }),
            422,
            "generate",
            "nothing to simulate",
        ),
        (json!({ "generate": -1 }), 422, "generate", "invalid value"),
        (
            json!({ "time_limit_s": -1 }),
            422,
            "time_limit_s",
            "must be a positive number of seconds (got -1); the default is 30 s, at most 60 s",
        ),
        (
            json!({ "time_limit_s": 61 }),
            422,
            "time_limit_s",
            "more than this server gives a simulation, 60 s",
        ),
        (json!({ "jobs": 5 }), 422, "", "unknown field `jobs`"),
    ];
    for (body, status, field, detail) in cases {
        let reply = server.call("POST", &path, Some(&body));
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        let p = reply.json();
        let said = p["detail"].as_str().unwrap_or_default();
        assert!(said.contains(detail), "{body}: {said}");
        if !field.is_empty() {
            assert_eq!(p["field"], field, "{body}: {p}");
        }
    }
    // A trace's problem is also listed with its line, as a scenario's diagnostics are.
    let bad = json!({ "trace": read("testdata/simulate/bad-trace.csv") });
    let p = server.call("POST", &path, Some(&bad)).json();
    assert_eq!(p["errors"][0]["file"], "trace", "{p}");
    assert_eq!(p["errors"][0]["line"], 3, "{p}");
    // No such plan; not a number.
    assert_eq!(
        server
            .call("POST", "/plans/999/simulate", Some(&json!({})))
            .status,
        404
    );
    assert_eq!(
        server
            .call("POST", "/plans/x/simulate", Some(&json!({})))
            .status,
        400
    );
}

/// A simulation its time limit stops (1,000 jobs arriving at once under `finish-time`, a
/// bisection over LPs each round: seconds in a debug build, far beyond 10 ms) is answered 422
/// saying where it stopped, with no partial result, and gives its place back: more of them
/// than the server runs at once, one after another, are each stopped (none refused with 429),
/// and a request after them is served. No wall time is asserted.
#[test]
fn a_simulation_stopped_by_its_time_limit_is_a_problem_and_frees_its_place() {
    let (server, id, _) = planned("serve-simulate-limit");
    let path = format!("/plans/{id}/simulate");
    let long =
        json!({ "generate": 1000, "rate": 0, "policy": "finish-time", "time_limit_s": 0.01 });
    for _ in 0..3 {
        let reply = server.call("POST", &path, Some(&long));
        assert_eq!(reply.status, 422, "{}", reply.body);
        let p = reply.json();
        assert_eq!(p["type"], "/problems/simulation-time-limit", "{p}");
        assert_eq!(p["field"], "time_limit_s", "{p}");
        let said = p["detail"].as_str().unwrap_or_default();
        assert!(
            said.starts_with("the simulation stopped at its time limit of 0.01 s, at "),
            "{said}"
        );
        assert!(said.contains(" of 1001 jobs finished"), "{said}");
        assert!(said.contains("no partial result"), "{said}");
        assert!(p.get("runs").is_none(), "{p}");
    }
    let served = server.call("POST", &path, Some(&json!({ "generate": 50, "rate": 2 })));
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(served.json()["trace_jobs"], 50);
}
