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

/// The time limit stops a simulation that would run long (1,000 jobs arriving at once under
/// `gavel`, an LP over every waiting job each round): exit 1, a message saying where it
/// stopped, nothing on standard output, not even with `--json`. The limit, a microsecond, is
/// spent before the first event (reading and checking 1,000 jobs takes longer); no wall time
/// is asserted.
#[test]
fn the_time_limit_stops_a_long_simulation_with_exit_1_and_says_so() {
    for json in [false, true] {
        let mut args = vec![
            "--generate",
            "1000",
            "--rate",
            "0",
            "--policy",
            "gavel",
            "--time-limit",
            "0.000001",
        ];
        if json {
            args.push("--json");
        }
        let out = simulate(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        assert!(
            stderr.starts_with(
                "error: the simulation stopped at its time limit of 0.000001 s, at 0.0 h of simulated time, with 0 of 1001 jobs finished"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("\nhint: a longer --time-limit (inf: none)"),
            "{stderr}"
        );
    }
}

/// `--time-limit` is checked as every other command's: a positive number of seconds, `inf` for
/// none; anything else is refused with exit 2, naming the flag and the value.
#[test]
fn a_bad_time_limit_is_refused_as_every_command_refuses_it() {
    for (value, shown) in [("-1", "-1"), ("0", "0"), ("nan", "NaN"), ("-inf", "-inf")] {
        let arg = format!("--time-limit={value}");
        let out = simulate(&[arg.as_str()]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert_eq!(
            text(&out.stderr),
            format!(
                "error: --time-limit: must be a positive number of seconds (got {shown})\n\
                 hint: the default is 60 seconds; `inf` means no limit\n"
            ),
            "{arg}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = simulate(&["--time-limit=inf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Without --period, the fleet is the period in which a training run starts: the startup
/// example's first month holds serving alone, so defaulting to it ("the plan holds no chips
/// beyond serving in 2027-01") made a plain `allot simulate` on it fail.
#[test]
fn the_default_period_is_the_first_in_which_a_training_run_starts() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("simulate-default-period");
    let out = allot(&[
        "plan",
        "examples/startup.toml",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = dir.join("plan.json");
    let args = [
        "simulate",
        plan.to_str().unwrap(),
        "--scenario",
        "examples/startup.toml",
        "--json",
    ];
    let out = allot(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let periods = written["periods"].as_array().expect("periods");
    let start = periods
        .iter()
        .find(|p| {
            written["training"]
                .as_array()
                .expect("training runs")
                .iter()
                .any(|t| &t["start"] == *p)
        })
        .and_then(|p| p.as_str())
        .expect("a run's start");
    assert_ne!(start, periods[0], "{written}");
    assert_eq!(v["fleet"], format!("period {start}"), "{v}");
}
