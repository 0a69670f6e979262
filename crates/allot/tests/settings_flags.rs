//! Solve settings out of range (`--time-limit`, `--mip-gap`) in every command that solves: exit
//! 2 with a message naming the flag, the value and the accepted range, and a hint; never a
//! panic (HiGHS refusing an option used to abort with exit 101) and never a misleading "no plan
//! found before the time limit".

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Each command that solves, with the arguments it needs besides the flags.
const COMMANDS: [&[&str]; 4] = [
    &["plan", "testdata/explain/tiny.toml"],
    &[
        "explain",
        "testdata/explain/tiny.toml",
        "--why-not",
        "ft on alpha/x1",
    ],
    &["finance", "testdata/finance/risk.toml"],
    &["risk", "testdata/finance/risk.toml", "--samples", "2"],
];

/// Bad values: the flag, its value, and the value as the message shows it.
const BAD: [(&str, &str, &str); 8] = [
    ("--time-limit", "-1", "-1"),
    ("--time-limit", "0", "0"),
    ("--time-limit", "nan", "NaN"),
    ("--time-limit", "-inf", "-inf"),
    ("--mip-gap", "-1", "-1"),
    ("--mip-gap", "nan", "NaN"),
    ("--mip-gap", "inf", "inf"),
    ("--mip-gap", "-0.5", "-0.5"),
];

#[test]
fn every_command_refuses_bad_solve_settings_with_exit_2_and_names_the_flag() {
    let mut failures = Vec::new();
    for command in COMMANDS {
        for (flag, value, shown) in BAD {
            let arg = format!("{flag}={value}");
            let out = Command::new(env!("CARGO_BIN_EXE_allot"))
                .args(command)
                .arg(&arg)
                .current_dir(root())
                .output()
                .expect("run allot");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let expected = format!("error: {flag}: must be ");
            let ok = out.status.code() == Some(2)
                && stderr.contains(&expected)
                && stderr.contains(&format!("(got {shown})"))
                && stderr.contains("\nhint: ")
                && !stderr.contains("panicked")
                && !stderr.contains("time limit;")
                && out.stdout.is_empty();
            if !ok {
                failures.push(format!(
                    "allot {} {arg}: exit {:?}\n{stderr}",
                    command.join(" "),
                    out.status.code()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn the_message_says_what_is_accepted() {
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["plan", "testdata/explain/tiny.toml", "--time-limit=-1"])
        .current_dir(root())
        .output()
        .expect("run allot");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --time-limit: must be a positive number of seconds (got -1)\n\
         hint: the default is 60 seconds; `inf` means no limit\n"
    );
}

/// An infinite time limit is no limit, not an error.
#[test]
fn an_infinite_time_limit_plans() {
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["plan", "testdata/explain/tiny.toml", "--time-limit=inf"])
        .current_dir(root())
        .output()
        .expect("run allot");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn allot(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run allot");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Several bad settings in one command line: each is named, with its hint, in the order of the
/// settings, in every command that solves (not only the first, which made a user fix one flag
/// per run).
#[test]
fn every_bad_setting_is_reported_not_only_the_first() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.extend(["--time-limit=-1", "--mip-gap=nan"]);
        let (code, stdout, stderr) = allot(&args);
        let expected = "error: --time-limit: must be a positive number of seconds (got -1)\n\
             hint: the default is 60 seconds; `inf` means no limit\n\
             error: --mip-gap: must be a finite number from 0 up (got NaN)\n\
             hint: a relative gap: 0.001 (the default) stops within 0.1% of the best bound, 0 proves the plan optimal\n";
        assert_eq!(code, Some(2), "allot {}: {stderr}", args.join(" "));
        assert_eq!(stderr, expected, "allot {}", args.join(" "));
        assert!(stdout.is_empty(), "{stdout}");
    }
}

/// `--within` (plan's cost allowance for --objective min-vendor-share or earliest, percent)
/// accepted NaN, -50 and inf and planned (exit 0); now each is refused with exit 2, naming the
/// flag, the value and the range, whatever the objective.
#[test]
fn plan_refuses_a_bad_cost_allowance_with_exit_2() {
    for (value, shown) in [
        ("nan", "NaN"),
        ("-50", "-50"),
        ("inf", "inf"),
        ("-inf", "-inf"),
    ] {
        for objective in ["min-vendor-share", "earliest", "cost"] {
            let within = format!("--within={value}");
            let args = [
                "plan",
                "testdata/explain/tiny.toml",
                "--objective",
                objective,
                within.as_str(),
            ];
            let (code, stdout, stderr) = allot(&args);
            assert_eq!(code, Some(2), "allot {}: {stderr}", args.join(" "));
            assert_eq!(
                stderr,
                format!(
                    "error: --within: must be a finite percentage from 0 up (got {shown})\n\
                     hint: the cost increase allowed over the least cost, in percent: 5 (the default) allows 5% more, 0 none\n"
                ),
                "allot {}",
                args.join(" ")
            );
            assert!(stdout.is_empty(), "{stdout}");
        }
    }
    // With the solve settings' problems, in one report.
    let (code, _, stderr) = allot(&[
        "plan",
        "testdata/explain/tiny.toml",
        "--mip-gap=-1",
        "--within=-50",
    ]);
    assert_eq!(code, Some(2));
    let flags: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(flags, ["--mip-gap", "--within"], "{stderr}");
}

/// No allowance (0) is a valid one: the least-cost plan itself.
#[test]
fn a_zero_cost_allowance_plans() {
    let (code, _, stderr) = allot(&[
        "plan",
        "testdata/explain/tiny.toml",
        "--objective",
        "earliest",
        "--within=0",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
}
