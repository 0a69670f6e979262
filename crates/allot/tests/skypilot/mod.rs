//! `allot place` and `allot catalog import-skypilot` on the checked-in SkyPilot catalog subset
//! (`testdata/skypilot/`): JSON fields, the options table, error paths and exit codes, and a
//! scenario that plans on an imported catalog.

use std::path::PathBuf;

use crate::{allot, text};

const CATALOG: &str = "testdata/skypilot/catalog-v8";

fn place(task: &str, extra: &[&str]) -> std::process::Output {
    let path = format!("testdata/skypilot/tasks/{task}");
    let mut args = vec!["place", path.as_str(), "--catalog", CATALOG];
    args.extend_from_slice(extra);
    allot(&args)
}

fn place_json(task: &str) -> serde_json::Value {
    let out = place(task, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn place_json_names_cloud_region_instance_and_prices() {
    let v = place_json("gcp-h100.yaml");
    let t = &v["tasks"][0];
    assert_eq!(t["cloud"], "gcp");
    assert_eq!(t["region"], "us-west1");
    assert_eq!(t["zone"], "us-west1-b");
    assert_eq!(t["instance"], "a3-highgpu-8g");
    assert_eq!(t["accelerators"], "H100:8");
    let hourly = t["hourly_usd"].as_f64().unwrap();
    assert!(
        (hourly - (9.46006 + 33.60609)).abs() < 1e-9,
        "host plus accelerator"
    );
    assert!(
        (t["total_usd"].as_f64().unwrap() - hourly).abs() < 1e-9,
        "one hour by default"
    );
    assert_eq!(t["options"].as_array().unwrap().len(), 2);
    assert_eq!(v["status"], "placed");
}

#[test]
fn place_pipeline_compares_with_skypilots_rule() {
    let v = place_json("pipeline.yaml");
    let clouds: Vec<&str> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["cloud"].as_str().unwrap())
        .collect();
    assert_eq!(clouds, ["gcp", "gcp", "nebius"]);
    let ours = v["total_usd"].as_f64().unwrap();
    let rule = v["skypilot_rule_total_usd"].as_f64().unwrap();
    // SkyPilot weighs the 500 GB egress too, so it keeps train on GCP as allot does.
    assert!((ours - rule).abs() < 1e-6, "{ours} vs {rule}");
    assert_eq!(v["edges"][0]["gb"], 500.0);
    let out = place("pipeline.yaml", &[]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("options for 'train' (15 considered"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SkyPilot's rule (an hour of each task at its node price, plus egress, chosen jointly) costs $196: the same"),
        "{stdout}"
    );
}

#[test]
fn place_ordered_spot_and_time() {
    let v = place_json("ordered.yaml");
    assert_eq!(v["tasks"][0]["accelerators"], "H200:8");
    assert_eq!(v["tasks"][0]["request_used"], "H200:8");
    let v = place_json("spot.yaml");
    assert_eq!(v["tasks"][0]["use_spot"], true);
    assert_eq!(v["tasks"][0]["zone"], "use1-atl2-az1");
    let out = place("model.yaml", &["--minimize", "time", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["minimize"], "time");
    assert_eq!(v["tasks"][0]["accelerators"], "B200:8");
}

#[test]
fn place_reports_bad_input_and_impossible_tasks() {
    let dir = std::env::temp_dir().join(format!("allot-place-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "resources:\n  accelerators: H10:8\n").unwrap();
    let out = allot(&["place", bad.to_str().unwrap(), "--catalog", CATALOG]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.yaml:2:17: error: task 'task': unknown accelerator 'H10'"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: did you mean 'H100'?"), "{stderr}");
    let typo = dir.join("typo.yaml");
    std::fs::write(
        &typo,
        "resources:\n  accelerators: H100:8\n  use_spto: true\n",
    )
    .unwrap();
    let out = allot(&["place", typo.to_str().unwrap(), "--catalog", CATALOG]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("typo.yaml:3:3: error: unknown field 'use_spto' in resources"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean 'use_spot'?"), "{stderr}");
    let none = dir.join("none.yaml");
    std::fs::write(
        &none,
        "resources:\n  accelerators: H100:8\n  max_hourly_cost: 5\n",
    )
    .unwrap();
    let out = allot(&["place", none.to_str().unwrap(), "--catalog", CATALOG]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stdout).contains("cost more than max_hourly_cost $5"),
        "{}",
        text(&out.stdout)
    );
    let out = allot(&["place", none.to_str().unwrap(), "--catalog", "testdata"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no CLOUD/vms.csv in this folder"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_imported_catalog_serves_a_scenario_that_plans() {
    let dir: PathBuf = std::env::temp_dir().join(format!("allot-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = dir.join("skypilot.toml");
    let out = allot(&[
        "catalog",
        "import-skypilot",
        CATALOG,
        "--out",
        catalog.to_str().unwrap(),
        "--seen",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("declared providers: nebius"),
        "{}",
        text(&out.stderr)
    );
    let listed = allot(&[
        "catalog",
        "offerings",
        "--file",
        catalog.to_str().unwrap(),
        "--provider",
        "nebius",
        "--json",
    ]);
    let offerings: serde_json::Value =
        serde_json::from_slice(&listed.stdout).expect("offerings JSON");
    assert!(offerings.as_array().unwrap().len() >= 10);
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        r#"version = 1

[scenario]
name = "Serving on an imported SkyPilot catalog"
start = "2027-01"
horizon_months = 3

[catalog]
files = ["skypilot.toml"]

[[inference]]
name = "chat"
model = "llama3.1-8b"
input_tokens = 1155
output_tokens = 211
requests_per_day = 1e6
latency = "interactive"
providers = ["nebius"]
"#,
    )
    .unwrap();
    let out = allot(&["plan", scenario.to_str().unwrap(), "--json"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{stdout}",
        text(&out.stderr)
    );
    assert!(stdout.contains("skypilot/nebius/"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}
