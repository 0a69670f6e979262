//! `allot report` in a real headless Chromium: the frontier example's report opened from
//! `file://` with name resolution disabled, every view shown in turn and checked (its charts
//! drawn as SVG with content, no error), the header's numbers compared with the plan JSON, a
//! screenshot of every view saved under `target/tmp/report-screenshots/`, and any console
//! error, uncaught exception or request to a host a failure.
//!
//! Chromium is driven over the DevTools protocol (a WebSocket, `tungstenite`). The test skips,
//! with a message, when `chromium` is missing, unless `ALLOT_REQUIRE_CHROMIUM=1`, which makes
//! it fail instead (`.ci/run` sets it).

mod cdp;
pub mod views;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::{allot, text};
use views::{chromium, temp_dir};

/// The frontier example's plan (with --explain) and report, written into `dir`.
fn frontier_report(dir: &Path) -> (Value, PathBuf) {
    let out = allot(&["plan", "examples/frontier-lab.toml", "--explain", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan_path = dir.join("plan.json");
    std::fs::write(&plan_path, &out.stdout).expect("write plan");
    let report = dir.join("report.html");
    let out = allot(&[
        "report",
        plan_path.to_str().unwrap(),
        "--scenario",
        "examples/frontier-lab.toml",
        "-o",
        report.to_str().unwrap(),
        "--samples",
        "6",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&std::fs::read(&plan_path).unwrap()).unwrap();
    (plan, report)
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn report_renders_every_view_in_chromium_offline() {
    let dir = temp_dir("report-browser");
    let Some(mut browser) = chromium("report_renders_every_view_in_chromium_offline", &dir) else {
        return;
    };
    let (plan, report) = frontier_report(&dir);
    let size = std::fs::metadata(&report).unwrap().len();
    assert!(size <= 3_000_000, "report.html is {size} bytes");

    let mut page = browser.open_page().expect("page");
    page.navigate(&file_url(&report)).expect("navigate");
    page.wait_for("window.allotReport && window.allotReport.rendered.overview > 0")
        .expect("first view");
    views::check_key_numbers(&mut page, &plan);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    views::check_views(&mut page, &shots, &[]);
    views::check_csv(&mut page, &plan, 14);

    std::thread::sleep(Duration::from_millis(200));
    let problems = page.problems(None);
    assert!(
        problems.is_empty(),
        "console errors or requests: {problems:#?}"
    );
    eprintln!("screenshots in {}", shots.display());
}

/// Time from the request of the report to its first view drawn (the overview's charts set and
/// painted), in a fresh tab each time; `cargo test -p allot --test cli report_first_view --
/// --ignored --nocapture` (experiments/report-bench.sh) prints the runs and their median.
#[test]
#[ignore = "benchmark: run with --ignored"]
fn report_first_view_benchmark() {
    let dir = temp_dir("report-bench");
    let Some(mut browser) = chromium("report_first_view_benchmark", &dir) else {
        return;
    };
    let (_, report) = frontier_report(&dir);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let times = views::first_view_times(
        &mut browser,
        &file_url(&report),
        "window.allotReport && allotReport.firstViewPaintedMs",
        None,
        runs,
    );
    let size = std::fs::metadata(&report).unwrap().len();
    println!(
        "report.html {size} bytes; first view painted after (ms): {times:.0?}; median {:.0} ms",
        views::median(&times)
    );
}
