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

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::{allot, text};
use cdp::Browser;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The views, in the page's order.
const VIEWS: [&str; 8] = allot_web::VIEW_IDS;

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

/// The header's money format: `$38.0B`.
fn money(x: f64) -> String {
    let (a, sign) = (x.abs(), if x < 0.0 { "−" } else { "" });
    match a {
        a if a >= 1e12 => format!("{sign}${:.2}T", a / 1e12),
        a if a >= 1e9 => format!("{sign}${:.1}B", a / 1e9),
        a if a >= 1e6 => format!("{sign}${:.1}M", a / 1e6),
        a if a >= 1e3 => format!("{sign}${:.1}K", a / 1e3),
        a => format!("{sign}${a:.0}"),
    }
}

/// Starts Chromium, or explains the skip; with `ALLOT_REQUIRE_CHROMIUM=1` a skip is a failure.
fn browser_or_skip(test: &str, dir: &Path) -> Option<Browser> {
    let started = if Path::new(CHROMIUM).exists() {
        Browser::start(CHROMIUM, &dir.join("profile"))
    } else {
        Err(format!("{CHROMIUM} is missing (apt-get install chromium)"))
    };
    crate::started_or_skip(test, "ALLOT_REQUIRE_CHROMIUM", "Chromium", started)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn report_renders_every_view_in_chromium_offline() {
    let dir = temp_dir("report-browser");
    let Some(mut browser) = browser_or_skip("report_renders_every_view_in_chromium_offline", &dir)
    else {
        return;
    };
    let (plan, report) = frontier_report(&dir);
    let size = std::fs::metadata(&report).unwrap().len();
    assert!(size <= 3_000_000, "report.html is {size} bytes");

    let mut page = browser.open_page().expect("page");
    page.navigate(&file_url(&report)).expect("navigate");
    page.wait_for("window.allotReport && window.allotReport.rendered.overview > 0")
        .expect("first view");

    // The header's numbers are the plan's.
    let keys = page
        .eval(
            "Array.from(document.querySelectorAll('#key-numbers [data-key]')).map(e => \
             ({key: e.dataset.key, usd: e.dataset.usd || null, text: e.textContent}))",
        )
        .unwrap();
    for key in ["total_cost_usd", "objective_usd"] {
        let shown = keys
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == key)
            .unwrap_or_else(|| panic!("{key} not in the header: {keys}"));
        let usd: f64 = shown["usd"].as_str().unwrap().parse().unwrap();
        let want = plan[key].as_f64().unwrap();
        // The same number (serde_json may read the plan's last digit differently).
        assert!(
            (usd - want).abs() <= 1e-14 * want.abs(),
            "{key}: {usd} vs {want}"
        );
        assert_eq!(shown["text"], money(want), "{key}");
    }
    let status = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == "status");
    assert!(
        status.unwrap()["text"]
            .as_str()
            .unwrap()
            .starts_with(plan["status"].as_str().unwrap())
    );

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (i, view) in VIEWS.iter().enumerate() {
        page.eval(&format!("location.hash = '#{view}'")).unwrap();
        page.wait_for(&format!(
            "document.getElementById('view-{view}').getAttribute('data-rendered') === 'true'"
        ))
        .unwrap_or_else(|e| panic!("view {view} not rendered: {e}"));
        let state = page
            .eval(&format!(
                "(() => {{ const v = document.getElementById('view-{view}'); \
                 const charts = Array.from(v.querySelectorAll('.chart')); \
                 return {{ shown: v.classList.contains('shown'), charts: charts.length, \
                 drawn: charts.filter(c => {{ const s = c.querySelector('svg'); \
                 return s && s.querySelectorAll('path, rect, text').length > 5; }}).length, \
                 tables: v.querySelectorAll('table').length, \
                 errors: v.querySelectorAll('.error').length, \
                 empty: Array.from(v.querySelectorAll('.empty')).map(e => e.textContent) }}; }})()"
            ))
            .unwrap();
        assert_eq!(state["shown"], true, "{view}: {state}");
        assert_eq!(state["errors"], 0, "{view}: {state}");
        assert_eq!(
            state["empty"],
            json!([]),
            "{view} says it is empty: {state}"
        );
        assert!(state["charts"].as_u64().unwrap() >= 1, "{view}: {state}");
        assert_eq!(state["charts"], state["drawn"], "{view}: {state}");
        assert_eq!(state["charts"], state["tables"], "{view}: {state}");
        let png = page.screenshot().expect("screenshot");
        std::fs::write(shots.join(format!("{}-{view}.png", i + 1)), png).unwrap();
    }

    // Every panel's CSV has a header and rows; the cost CSV adds up to the plan's cost.
    let panels = page.eval("allotReport.panels()").unwrap();
    assert!(panels.as_array().unwrap().len() >= 14, "{panels}");
    for p in panels.as_array().unwrap() {
        let csv = page
            .eval(&format!("allotReport.csv({p})"))
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(csv.lines().count() >= 2, "CSV of {p}: {csv}");
    }
    page.eval("allotReport.show('overview')").unwrap();
    let csv = page.eval("allotReport.csv('cost-by-year')").unwrap();
    let total: f64 = csv
        .as_str()
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let want = plan["total_cost_usd"].as_f64().unwrap();
    assert!((total - want).abs() <= 1e-6 * want, "{total} vs {want}");

    std::thread::sleep(Duration::from_millis(200));
    let problems = page.problems();
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
    let Some(mut browser) = browser_or_skip("report_first_view_benchmark", &dir) else {
        return;
    };
    let (_, report) = frontier_report(&dir);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut page = browser.open_page().expect("page");
        page.navigate(&file_url(&report)).expect("navigate");
        page.wait_for("window.allotReport && window.allotReport.firstViewPaintedMs > 0")
            .expect("first view");
        let ms = page
            .eval("allotReport.firstViewPaintedMs")
            .unwrap()
            .as_f64()
            .unwrap();
        times.push(ms);
        assert!(page.problems().is_empty(), "{:?}", page.problems());
        page.close();
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let size = std::fs::metadata(&report).unwrap().len();
    println!(
        "report.html {size} bytes; first view painted after (ms): {times:.0?}; median {:.0} ms",
        sorted[sorted.len() / 2]
    );
}
