//! End-to-end tests of the `allot` binary: one test binary for the whole command line.
//!
//! The malformed-scenario corpus lives in `testdata/invalid/`: each `NAME.toml` has a snapshot
//! `NAME.snap` (insta) with the exact expected diagnostics. After an intended change, review and
//! accept the new output with `cargo insta review` (or run the tests with
//! `INSTA_UPDATE=always` and review `git diff`).

mod explain;
mod export;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod finance;
mod hardening;
mod report;
mod server;
mod simulate;
mod skypilot;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A real service a test needs (Slurm, Chromium), or the reason it skips, printed; with
/// `{require}=1` in the environment a skip is a failure instead.
fn started_or_skip<T>(
    test: &str,
    require: &str,
    what: &str,
    started: Result<T, String>,
) -> Option<T> {
    let why = match started {
        Ok(service) => return Some(service),
        Err(why) => why,
    };
    let required = std::env::var(require).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{test}: {require}=1 but {what} cannot start: {why}"
    );
    eprintln!("SKIPPED {test}: {why} (set {require}=1 to make this an error)");
    None
}

fn allot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run allot")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

fn files_in(dir: &str, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(ext))
        .collect();
    out.sort();
    out
}

#[test]
fn invalid_corpus_gives_the_expected_diagnostics() {
    let names = files_in("testdata/invalid", ".toml");
    assert!(
        names.len() >= 40,
        "the corpus must hold at least 40 malformed scenarios, found {}",
        names.len()
    );
    // Each file's expected stderr is the snapshot `testdata/invalid/NAME.snap`, beside it.
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("testdata/invalid"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for name in &names {
            let rel = format!("testdata/invalid/{name}");
            let out = allot(&["check", &rel]);
            let stderr = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{rel} should exit 2; stderr:\n{stderr}"
            );
            assert!(
                out.stdout.is_empty(),
                "{rel} printed to stdout: {}",
                text(&out.stdout)
            );
            assert!(stderr.contains(": error: "), "{rel} reported no error");
            insta::assert_snapshot!(name.trim_end_matches(".toml"), stderr);
        }
    });
}

#[test]
fn every_example_is_valid() {
    let names = files_in("examples", ".toml");
    assert!(
        names.len() >= 3,
        "expected at least three examples, found {names:?}"
    );
    for name in names {
        let rel = format!("examples/{name}");
        let out = allot(&["check", &rel]);
        assert_eq!(out.status.code(), Some(0), "{rel}:\n{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.starts_with(&format!("{rel}: ok")), "{stdout}");
    }
}

#[test]
fn frontier_lab_example_names_its_deals() {
    let out = allot(&["check", "examples/frontier-lab.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let source =
        std::fs::read_to_string(root().join("examples/frontier-lab.toml")).expect("read example");
    for provider in ["aws", "azure", "oci", "coreweave"] {
        assert!(
            source.contains(&format!("provider = \"{provider}\"")),
            "no commitment with {provider}"
        );
    }
    assert!(
        source.contains("38e9") || source.contains("38_000_000_000"),
        "the $38B AWS deal is missing"
    );
    assert!(source.contains("[[exclusivity]]"));
}

#[test]
fn check_accepts_a_catalog_file() {
    let out = allot(&["check", "examples/owned-datacenter/catalog.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("catalog file with"));
}

#[test]
fn check_reports_an_unreadable_file() {
    let out = allot(&["check", "testdata/no-such-file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("testdata/no-such-file.toml: error: cannot read file"));
}

#[test]
fn check_reports_every_file() {
    let out = allot(&[
        "check",
        "examples/startup.toml",
        "testdata/invalid/unknown-chip.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("examples/startup.toml: ok"));
    assert!(text(&out.stderr).contains("unknown accelerator 'H10'"));
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = allot(args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

const CHIP_IDS: [&str; 19] = [
    "a100",
    "h100",
    "h200",
    "b200",
    "gb200",
    "b300",
    "gb300",
    "mi300x",
    "mi325x",
    "mi355x",
    "trainium1",
    "trainium2",
    "trainium3",
    "inferentia2",
    "tpu-v5e",
    "tpu-v5p",
    "tpu-v6e",
    "tpu-v7",
    "gaudi3",
];

#[test]
fn catalog_accelerators_json_has_every_chip_with_sources() {
    let list = json(&["catalog", "accelerators", "--json"]);
    let list = list.as_array().expect("array");
    for id in CHIP_IDS {
        let a = list
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no accelerator {id}"));
        for field in [
            "vendor",
            "name",
            "bf16_tflops",
            "fp8_tflops",
            "hbm_gb",
            "hbm_tb_s",
            "tdp_w",
            "sources",
        ] {
            assert!(a.get(field).is_some(), "{id} lacks {field}");
        }
        assert!(a["bf16_tflops"].as_f64().expect("number") > 0.0);
        let sources = a["sources"].as_array().expect("sources");
        assert!(!sources.is_empty());
        for s in sources {
            assert!(s["url"].as_str().expect("url").starts_with("http"));
            assert!(s["date"].as_str().expect("date").len() >= 4);
        }
    }
    let h100 = list.iter().find(|a| a["id"] == "h100").expect("h100");
    assert_eq!(h100["bf16_tflops"], 989.4);
    assert_eq!(h100["vendor"], "nvidia");
    let a100 = list.iter().find(|a| a["id"] == "a100").expect("a100");
    assert!(a100["fp8_tflops"].is_null(), "A100 has no FP8");
}

#[test]
fn catalog_offerings_json_derives_chip_hour_prices() {
    let list = json(&["catalog", "offerings", "--json"]);
    let list = list.as_array().expect("array");
    assert!(list.len() >= 73, "{} offerings", list.len());
    for o in list {
        for field in [
            "id",
            "provider",
            "instance",
            "chip",
            "chips_per_instance",
            "region",
            "price_model",
            "usd_per_instance_hour",
            "usd_per_chip_hour",
            "sources",
        ] {
            assert!(o.get(field).is_some(), "{} lacks {field}", o["id"]);
        }
        if let (Some(inst), Some(chip)) = (
            o["usd_per_instance_hour"].as_f64(),
            o["usd_per_chip_hour"].as_f64(),
        ) {
            let n = o["chips_per_instance"].as_f64().expect("chips");
            assert!((inst / n - chip).abs() < 1e-9, "{}", o["id"]);
        }
    }
    let p5 = list
        .iter()
        .find(|o| o["id"] == "aws/p5.48xlarge/us-east-1/on-demand")
        .expect("p5");
    assert_eq!(p5["usd_per_chip_hour"], 6.88);
    assert_eq!(p5["chip"], "h100");
    assert_eq!(p5["price_model"], "on_demand");
}

#[test]
fn catalog_filters_by_vendor_provider_chip_and_price_model() {
    let amd = json(&["catalog", "accelerators", "--vendor", "AMD", "--json"]);
    let ids: Vec<&str> = amd
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["mi300x", "mi325x", "mi355x"]);

    let spot = json(&[
        "catalog",
        "offerings",
        "--provider",
        "Amazon",
        "--price-model",
        "spot",
        "--json",
    ]);
    let spot = spot.as_array().expect("array");
    assert!(!spot.is_empty());
    assert!(
        spot.iter()
            .all(|o| o["provider"] == "aws" && o["price_model"] == "spot")
    );

    let h100 = json(&[
        "catalog",
        "offerings",
        "--chip",
        "H100 SXM",
        "--current",
        "--json",
    ]);
    let h100 = h100.as_array().expect("array");
    assert!(
        h100.iter()
            .all(|o| o["chip"] == "h100" && o["historical"] == false && o["priced"] == true)
    );

    let providers = json(&["catalog", "providers", "--chip", "trainium2", "--json"]);
    let ids: Vec<&str> = providers
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["aws"]);

    let table = allot(&["catalog", "offerings", "--vendor", "google"]);
    let table = text(&table.stdout);
    assert!(table.contains("gcp/tpu-v6e/us-central1/on-demand"));
    assert!(!table.contains("h100"));
}

#[test]
fn catalog_filter_typos_get_hints() {
    let out = allot(&["catalog", "offerings", "--chip", "H10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean 'h100'?"),
        "{}",
        text(&out.stderr)
    );
    let out = allot(&["catalog", "accelerators", "--vendor", "nvida"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean 'nvidia'?"));
    let out = allot(&["catalog", "offerings", "--price-model", "reserved-1yr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean 'reserved_1y'?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn catalog_uses_a_scenarios_files_and_overrides() {
    let list = json(&[
        "catalog",
        "offerings",
        "--scenario",
        "examples/owned-datacenter.toml",
        "--json",
    ]);
    let list = list.as_array().expect("array");
    assert!(
        list.iter().any(|o| o["price_model"] == "owned"),
        "owned offerings from the scenario's catalog file"
    );
}

#[test]
fn schema_scenario_is_a_json_schema() {
    let schema = json(&["schema", "scenario"]);
    assert_eq!(schema["type"], "object");
    let props = schema["properties"].as_object().expect("properties");
    for section in [
        "version",
        "scenario",
        "catalog",
        "training",
        "inference",
        "commitment",
        "reservation",
        "exclusivity",
        "availability",
        "policy",
        "finance",
    ] {
        assert!(props.contains_key(section), "schema lacks {section}");
    }
    assert!(schema["$defs"].get("TrainingRun").is_some());
    let catalog = json(&["schema", "catalog"]);
    assert!(catalog["properties"].get("offering").is_some());
}

#[test]
fn version_is_printed() {
    let out = allot(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("allot "));
}

#[test]
fn perf_train_reports_every_chip_with_the_documented_fields() {
    let list = json(&[
        "perf",
        "train",
        "--model",
        "llama3.1-405b",
        "--chip",
        "all",
        "--chips",
        "8",
        "--tokens",
        "1e12",
        "--json",
    ]);
    let list = list.as_array().expect("array");
    assert!(list.len() >= 20);
    for e in list {
        for field in [
            "chip",
            "tokens_per_s_per_chip",
            "mfu",
            "hours",
            "chip_hours",
            "fits",
            "memory_gb_per_chip",
        ] {
            assert!(e.get(field).is_some(), "{} lacks {field}", e["chip"]);
        }
    }
    let h100 = list.iter().find(|e| e["chip"] == "h100").expect("h100");
    assert_eq!(h100["fits"], false, "405B does not train on 8 H100");

    let table = text(
        &allot(&[
            "perf",
            "train",
            "--model",
            "llama3.1-8b",
            "--chip",
            "H100 SXM",
            "--chips",
            "64",
            "--tokens",
            "1e11",
        ])
        .stdout,
    );
    assert!(table.contains("h100") && table.contains("yes"), "{table}");
}

#[test]
fn perf_serve_chooses_batch_and_replica() {
    let list = json(&[
        "perf",
        "serve",
        "--model",
        "llama3.1-70b",
        "--chip",
        "all",
        "--json",
    ]);
    for e in list.as_array().expect("array") {
        for field in [
            "chip",
            "prefill_tokens_per_s_per_chip",
            "decode_tokens_per_s_per_chip",
            "batch",
            "chips_per_replica",
            "chip_hours_per_million_tokens",
        ] {
            assert!(e.get(field).is_some(), "{} lacks {field}", e["chip"]);
        }
    }
    let fixed = json(&[
        "perf",
        "serve",
        "--model",
        "llama3.1-8b",
        "--chip",
        "h100",
        "--batch",
        "4",
        "--json",
    ]);
    assert_eq!(fixed[0]["batch"], 4);
    assert_eq!(fixed[0]["chips_per_replica"], 1);
}

#[test]
fn perf_accepts_an_explicit_architecture_and_rejects_bad_input() {
    let out = json(&[
        "perf",
        "train",
        "--layers",
        "32",
        "--d-model",
        "4096",
        "--heads",
        "32",
        "--vocab",
        "32000",
        "--seq",
        "4096",
        "--chip",
        "b200",
        "--chips",
        "16",
        "--tokens",
        "1e10",
        "--json",
    ]);
    assert_eq!(out[0]["chip"], "b200");
    let out = allot(&[
        "perf",
        "train",
        "--model",
        "llama3.1-70",
        "--chips",
        "8",
        "--tokens",
        "1e9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean 'llama3.1-70b'?"),
        "{}",
        text(&out.stderr)
    );
    let out = allot(&[
        "perf",
        "serve",
        "--layers",
        "32",
        "--d-model",
        "4096",
        "--heads",
        "30",
        "--vocab",
        "1000",
        "--seq",
        "128",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not divisible"),
        "{}",
        text(&out.stderr)
    );
    let out = allot(&["perf", "serve", "--model", "llama3.1-8b", "--chip", "H1000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean 'h100'?"));
}

#[test]
fn every_example_plans_and_every_plan_verifies() {
    let dir = std::env::temp_dir().join(format!("allot-plan-test-{}", std::process::id()));
    for name in ["startup", "owned-datacenter"] {
        let scenario = format!("examples/{name}.toml");
        let out = dir.join(name);
        let run = allot(&["plan", &scenario, "--out", out.to_str().expect("path")]);
        let stdout = text(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{name}: {stdout}\n{}",
            text(&run.stderr)
        );
        assert!(stdout.contains("optimal"), "{stdout}");
        for file in [
            "plan.json",
            "capacity.csv",
            "training.csv",
            "inference.csv",
            "costs.csv",
            "commitments.csv",
        ] {
            assert!(out.join(file).exists(), "{name}: no {file}");
        }
        let plan_path = out.join("plan.json");
        let verified = allot(&["verify", &scenario, plan_path.to_str().expect("path")]);
        assert_eq!(
            verified.status.code(),
            Some(0),
            "{}",
            text(&verified.stdout)
        );
        assert!(text(&verified.stdout).contains("verified"));

        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan_path).expect("plan"))
                .expect("json");
        for field in [
            "status",
            "objective_usd",
            "cost_by_provider",
            "cost_by_vendor",
            "cost_by_period",
            "training",
            "inference",
            "commitments",
        ] {
            assert!(plan.get(field).is_some(), "plan lacks {field}");
        }
        for run in plan["training"].as_array().expect("training") {
            for field in ["name", "provider", "chip", "chips", "start", "finish"] {
                assert!(run.get(field).is_some(), "training lacks {field}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verify_rejects_a_tampered_plan() {
    let dir = std::env::temp_dir().join(format!("allot-verify-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let run = allot(&["plan", "examples/startup.toml", "--json"]);
    assert_eq!(run.status.code(), Some(0));
    let mut plan: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let cost = plan["total_cost_usd"].as_f64().expect("cost");
    plan["total_cost_usd"] = serde_json::json!(cost * 0.9);
    if let Some(lines) = plan["capacity"].as_array_mut() {
        for line in lines {
            let chips = line["chips"].as_f64().expect("chips");
            line["chips"] = serde_json::json!(chips * 0.5);
        }
    }
    let path = dir.join("tampered.json");
    std::fs::write(&path, serde_json::to_string(&plan).expect("json")).expect("write");
    let verified = allot(&[
        "verify",
        "examples/startup.toml",
        path.to_str().expect("path"),
    ]);
    assert_eq!(verified.status.code(), Some(1));
    let out = text(&verified.stdout);
    assert!(out.contains("violated: total cost"), "{out}");
    assert!(out.contains("violated: supply"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_infeasible_scenario_exits_3_and_says_why() {
    let dir = std::env::temp_dir().join(format!("allot-infeasible-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("infeasible.toml");
    std::fs::write(
        &path,
        r#"version = 1
[scenario]
name = "no trainium at azure"
start = "2027-01"
horizon_months = 6
[[training]]
name = "run"
model = "llama3.1-8b"
tokens = 1e11
chips = ["trainium2"]
[[exclusivity]]
name = "azure-only"
workloads = ["run"]
providers = ["azure"]
"#,
    )
    .expect("write");
    let run = allot(&["plan", path.to_str().expect("path")]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stdout));
    let out = text(&run.stdout);
    assert!(out.contains("infeasible"), "{out}");
    assert!(out.contains("training run 'run' has no option"), "{out}");
    // The diagnosis, in words and in the JSON.
    assert!(out.contains("WHY IT IS INFEASIBLE"), "{out}");
    assert!(
        out.contains("drop or widen the exclusivity 'azure-only'"),
        "{out}"
    );
    let json = allot(&["plan", path.to_str().expect("path"), "--json"]);
    assert_eq!(json.status.code(), Some(3));
    let plan: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(plan["relaxations"][0]["changes"][0]["kind"], "exclusivity");
    let dump_to = |file: &Path| {
        allot(&[
            "plan",
            path.to_str().expect("path"),
            "--dump-model",
            file.to_str().expect("path"),
        ])
    };
    let model = dir.join("model.lp");
    assert_eq!(dump_to(&model).status.code(), Some(3));
    assert!(
        std::fs::read_to_string(&model)
            .expect("lp")
            .contains("Subject To")
    );
    let mps = dir.join("model.mps");
    assert_eq!(dump_to(&mps).status.code(), Some(3));
    let written = std::fs::read_to_string(&mps).expect("mps");
    assert!(written.starts_with("NAME allot") && written.ends_with("ENDATA\n"));
    // A name the writers do not know is refused before the solve, and nothing is written.
    let unknown = dir.join("model.txt");
    let refused = dump_to(&unknown);
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(err.contains("must end in .lp (CPLEX LP) or .mps"), "{err}");
    assert!(!text(&refused.stdout).contains("infeasible"));
    assert!(!unknown.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Data-driven planner tests: every scenario under `testdata/plans/` (and the small examples)
/// plans to the objective recorded in its snapshot, `tests/snapshots/objective@NAME.snap` (six
/// significant digits; alternative optima share the objective).
#[test]
fn planned_objectives_match_their_expectations() {
    let mut cases = vec![
        "examples/startup.toml".to_string(),
        "examples/owned-datacenter.toml".to_string(),
    ];
    for entry in std::fs::read_dir(root().join("testdata/plans")).expect("testdata/plans") {
        let path = entry.expect("entry").path();
        if path.join("scenario.toml").exists() {
            let rel = path
                .strip_prefix(root())
                .expect("inside root")
                .join("scenario.toml");
            cases.push(rel.to_string_lossy().to_string());
        }
    }
    cases.sort();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for case in &cases {
            let run = allot(&["plan", case, "--json"]);
            assert_eq!(run.status.code(), Some(0), "{case}: {}", text(&run.stderr));
            let plan: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
            let summary = format!(
                "status {}\nobjective_usd {:.6e}\ntotal_cost_usd {:.6e}\n",
                plan["status"].as_str().expect("status"),
                plan["objective_usd"].as_f64().expect("objective"),
                plan["total_cost_usd"].as_f64().expect("total")
            );
            // examples/startup.toml -> startup; testdata/plans/NAME/scenario.toml -> NAME.
            let name = case
                .trim_end_matches("/scenario.toml")
                .trim_end_matches(".toml")
                .rsplit('/')
                .next()
                .expect("a name");
            insta::assert_snapshot!(format!("objective@{name}"), summary);
        }
    });
}

#[test]
fn explain_ranks_what_binds_in_words_and_in_the_json() {
    let path = root().join("examples/owned-datacenter.toml");
    let run = allot(&["plan", path.to_str().expect("path"), "--explain"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(out.contains("WHAT BINDS AND WHAT IT COSTS"), "{out}");
    let json = allot(&["plan", path.to_str().expect("path"), "--explain", "--json"]);
    let plan: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let list = plan["explanations"].as_array().expect("explanations");
    assert!(!list.is_empty());
    let effects: Vec<f64> = list
        .iter()
        .map(|b| b["effect_usd"].as_f64().expect("effect"))
        .collect();
    assert!(
        effects.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {effects:?}"
    );
    assert!(
        list.iter()
            .all(|b| !b["message"].as_str().unwrap_or("").is_empty())
    );
}

#[test]
fn a_closed_standard_output_neither_panics_nor_loses_files() {
    // `allot plan … --out DIR | head -0`: the reader is gone before the plan is printed.
    let dir = std::env::temp_dir().join(format!("allot-closed-stdout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["plan", "examples/startup.toml", "--out"])
        .arg(&dir)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run allot");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for allot");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.join("plan.json").is_file(), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 22, item 12: `allot … > /dev/full` used to exit 0 with nothing written.
#[test]
fn output_that_cannot_be_written_is_a_failure() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED output_that_cannot_be_written_is_a_failure: no /dev/full");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["schema", "plan"])
        .current_dir(root())
        .stdout(full)
        .output()
        .expect("run allot");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("standard output failed"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 22, item 13: `risk --threads 100000` started thousands of threads and hung.
#[test]
fn risk_threads_are_bounded_with_a_clear_error() {
    let out = allot(&["risk", "examples/startup.toml", "--threads", "100000"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("0..=256"),
        "{}",
        text(&out.stderr)
    );
}
