//! `allot simulate` (docs/simulate.md) on `testdata/simulate/`: a hand-written plan holding 64
//! H100 in January 2027 for one 8B pre-training run due at the end of the month.

use super::{allot, text};

const PLAN: &str = "testdata/simulate/plan.json";
const SCENARIO: &str = "testdata/simulate/scenario.toml";

fn simulate(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["simulate", PLAN, "--scenario", SCENARIO];
    args.extend_from_slice(extra);
    allot(&args)
}

#[test]
fn the_plans_run_meets_its_deadline_on_an_idle_fleet() {
    let out = simulate(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("simulate_idle", text(&out.stdout));
}

#[test]
fn a_run_queued_behind_other_work_is_reported_as_missed() {
    let out = simulate(&["--trace", "testdata/simulate/blocker.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    insta::assert_snapshot!("simulate_blocked", text(&out.stdout));
    let out = simulate(&["--trace", "testdata/simulate/blocker.csv", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["deadlines_missed"], 1);
    assert_eq!(v["runs"][0]["name"], "pretrain-8b");
    assert_eq!(v["runs"][0]["missed"], true);
    let start_days = v["runs"][0]["start_h"].as_f64().expect("start") / 24.0;
    assert!(
        (start_days - 25.0).abs() < 1e-6,
        "starts after the blocker: {start_days}"
    );
}

#[test]
fn bad_input_names_the_flag_or_the_file_line_and_field() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--period", "2031-01"],
            "error: --period: the plan has no period \"2031-01\"\nhint: one of: 2027-01, 2027-02, 2027-03\n",
        ),
        (
            &["--chips", "H100=lots"],
            "error: --chips: \"H100=lots\" is not CHIP=COUNT with a count above 0\nhint: e.g. --chips H100=512,MI300X=64\n",
        ),
        (
            &["--chips", "H1000=8"],
            "error: --chips: unknown accelerator \"H1000\"\nhint: did you mean",
        ),
        (
            &["--period", "2027-02"],
            "error: --period: the plan holds no chips beyond serving in 2027-02\n",
        ),
        (
            &["--trace", "testdata/simulate/bad-trace.csv"],
            "testdata/simulate/bad-trace.csv:3: error: field gang: ",
        ),
    ];
    for (args, expected) in cases {
        let out = simulate(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
    }
}
