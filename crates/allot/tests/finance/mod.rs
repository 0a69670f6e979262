//! `allot finance`, `allot risk` and the `finance` object of the plan JSON
//! (docs/finance.md), on the examples and on `testdata/finance/risk.toml`.

mod agreement;

use super::{allot, json, text};

const RISK: &str = "testdata/finance/risk.toml";

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn plan_json_has_a_finance_object_with_one_object_per_year() {
    let plan = json(&["plan", "examples/startup.toml", "--json"]);
    let finance = &plan["finance"];
    let years = finance["years"].as_array().expect("years");
    assert_eq!(years.len(), 2, "2027 and 2028");
    let mut cash = f(&finance["starting_cash_usd"]);
    let mut result = 0.0;
    for y in years {
        for field in [
            "year",
            "revenue_usd",
            "compute_usd",
            "operating_result_usd",
            "cash_end_usd",
            "cumulative_loss_usd",
        ] {
            assert!(y.get(field).is_some(), "a year lacks {field}");
        }
        cash += f(&y["funding_usd"]) - f(&y["burn_usd"]);
        assert!((f(&y["cash_end_usd"]) - cash).abs() < 1e-3);
        result += f(&y["operating_result_usd"]);
        assert!((f(&y["cumulative_loss_usd"]) + result).abs() < 1e-3);
    }
    // Startup commitments are paid as used: compute cost is the plan's total cost.
    let compute: f64 = years.iter().map(|y| f(&y["compute_usd"])).sum();
    assert!((compute - f(&plan["total_cost_usd"])).abs() < 1e-3);
    let schema = json(&["schema", "plan"]);
    assert!(schema["properties"].get("finance").is_some());
    assert!(schema["properties"].get("capacity").is_some());
}

#[test]
fn finance_prints_years_periods_contracts_and_reported_figures() {
    let out = allot(&["finance", RISK, "--monthly"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        "funding gap",
        "CUM. LOSS",
        "2026-07",
        "monthly_minimum",
        "burn this year (test figure)",
        "https://example.com/report",
    ] {
        assert!(stdout.contains(needle), "no '{needle}' in:\n{stdout}");
    }
    let st = json(&["finance", RISK, "--json"]);
    assert_eq!(st["periods"].as_array().expect("periods").len(), 12);
    let deal = &st["contracts"][0];
    assert_eq!(deal["payment"], "monthly_minimum");
    assert!((f(&deal["obligation_usd"]) - 4e6).abs() < 1e-3);
    let r = &st["references"][0];
    assert_eq!(r["metric"], "cash_burn");
    assert!((f(&r["projected_usd"]) - f(&st["years"][0]["burn_usd"])).abs() < 1e-3);
}

#[test]
fn finance_projects_a_saved_plan_as_it_projects_a_new_one() {
    let dir = std::env::temp_dir().join(format!("allot-finance-test-{}", std::process::id()));
    let run = allot(&["plan", RISK, "--out", dir.to_str().expect("path")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let saved = dir.join("plan.json");
    let a = json(&["finance", RISK, "--json"]);
    let b = json(&[
        "finance",
        RISK,
        "--json",
        "--plan",
        saved.to_str().expect("path"),
    ]);
    assert_eq!(a, b);
    let verified = allot(&["verify", RISK, saved.to_str().expect("path")]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn risk_is_the_same_for_one_and_two_threads() {
    let args = |threads: &'static str| {
        vec![
            "risk",
            RISK,
            "--samples",
            "24",
            "--seed",
            "5",
            "--threads",
            threads,
            "--json",
        ]
    };
    let one = allot(&args("1"));
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    let two = allot(&args("2"));
    assert_eq!(text(&one.stdout), text(&two.stdout));
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json");
    assert_eq!(report["sample"].as_array().expect("samples").len(), 24);
    let cost = &report["total_cost_usd"];
    assert!(f(&cost["p10"]) <= f(&cost["p50"]) && f(&cost["p50"]) <= f(&cost["p90"]));
    assert_eq!(report["sensitivity"].as_array().expect("ranking").len(), 3);
    // Not a terminal: plain progress lines.
    assert!(
        text(&one.stderr).contains("risk: 31/31 plans"),
        "{}",
        text(&one.stderr)
    );
}

/// A split run with one shard cut short by its time limit (each task has `--time-limit` for its
/// own samples): the merge takes it, names it, and the report says the run was cut short and
/// counts the samples the limit stopped, rather than passing for the seed's complete run.
#[test]
fn a_merge_says_which_shard_its_time_limit_cut_short() {
    let dir = super::root().join(format!("target/tmp/risk-cut-short-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    // The run, as the shards and the merge both name it.
    let run = ["risk", RISK, "--samples", "8", "--seed", "4"];
    let shard = |k: &str, limit: &str| {
        let file = dir.join(format!("shard-{}.json", &k[..1]));
        let file = file.display().to_string();
        let mut args = run.to_vec();
        args.extend([
            "--threads",
            "1",
            "--shard",
            k,
            "--out",
            &file,
            "--time-limit",
            limit,
        ]);
        let out = allot(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("shard")).expect("json");
        json["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["status"] == "time_limit_no_solution")
            .count()
    };
    // Shard 0 with a millisecond: its samples are not even started.
    let stopped = shard("0/2", "0.001");
    assert!(stopped > 0, "a millisecond planned every sample");
    assert_eq!(shard("1/2", "60"), 0);
    let folder = dir.display().to_string();
    let merge = |extra: &[&str]| {
        let mut args = run.to_vec();
        args.extend(["--merge", &folder]);
        args.extend(extra);
        let out = allot(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (report, said) = merge(&[]);
    assert!(
        said.contains(&format!(
            "warning: {folder}/shard-0.json: shard 0 was cut short by its time limit: {stopped} of its 4 samples have no plan"
        )),
        "{said}"
    );
    assert!(!said.contains("shard-1.json"), "{said}");
    assert!(
        report.contains(&format!("({stopped} stopped by the run's time limit)"))
            && report.contains(&format!(
                "cut short: the time limit left {stopped} of 8 samples"
            )),
        "{report}"
    );
    let (json, _) = merge(&["--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(json["stopped_by_time_limit"], stopped);
    // A complete run says nothing of the kind.
    let complete = super::json(&["risk", RISK, "--samples", "8", "--seed", "4", "--json"]);
    assert_eq!(complete["stopped_by_time_limit"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn risk_text_ranks_the_inputs_and_needs_uncertainty() {
    let out = allot(&["risk", RISK, "--samples", "12", "--threads", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in ["SENSITIVITY", "h100 price", "P90", "funding gap"] {
        assert!(stdout.contains(needle), "no '{needle}' in:\n{stdout}");
    }
    let out = allot(&["risk", "examples/owned-datacenter.toml", "--samples", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no [[uncertainty]] entries"));
}

#[test]
fn risk_with_fixed_placements_gives_recourse_plans() {
    // The default: placements kept, the stress plans' when they break; the same report on one
    // thread and on two.
    let args = |threads: &'static str| {
        vec![
            "risk",
            "examples/startup.toml",
            "--samples",
            "6",
            "--threads",
            threads,
            "--no-swing",
            "--json",
        ]
    };
    let report = json(&args("1"));
    assert_eq!(report, json(&args("2")));
    let samples = report["sample"].as_array().expect("samples");
    assert_eq!(samples.len(), 6);
    // The fine-tune's placement is kept: each sample is a recourse plan (status feasible).
    assert!(
        samples.iter().all(|s| s["status"] == "feasible"),
        "{samples:?}"
    );
}

/// A shard file's name reaches the terminal in the merge's errors and warnings: a name holding
/// an escape sequence is shown escaped, not run by the terminal.
#[test]
fn a_shard_files_name_reaches_the_terminal_escaped() {
    let dir = super::root().join(format!("target/tmp/risk-shard-name-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("shard-\u{1b}[2J.json"), "{}").expect("shard");
    let folder = dir.display().to_string();
    let out = allot(&[
        "risk",
        RISK,
        "--samples",
        "8",
        "--seed",
        "4",
        "--merge",
        &folder,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("shard-"), "{said}");
    assert!(!said.contains('\u{1b}'), "{said:?}");
}
