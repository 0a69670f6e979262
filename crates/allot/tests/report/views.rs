//! Checks of views 1–8 as a browser shows them, shared by the report test (`report.html` from
//! `file://`) and the dashboard test (the same views served by `allot serve`): the header's
//! numbers against the plan JSON, each view shown, drawn and screenshotted, every panel's CSV.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::cdp::{Browser, Page};

/// Where Debian's Chromium is.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The views, in the page's order.
pub const VIEWS: [&str; 8] = allot_web::VIEW_IDS;

/// Starts Chromium for `test` with its profile under `dir`, or says why it cannot: the test
/// then skips, unless `ALLOT_REQUIRE_CHROMIUM=1` (set by `.ci/run`) makes that a failure.
pub fn chromium(test: &str, dir: &Path) -> Option<Browser> {
    let why = if Path::new(CHROMIUM).exists() {
        match Browser::start(CHROMIUM, &dir.join("profile")) {
            Ok(browser) => return Some(browser),
            Err(e) => e,
        }
    } else {
        format!("{CHROMIUM} is missing (apt-get install chromium)")
    };
    if std::env::var("ALLOT_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        panic!("{test}: ALLOT_REQUIRE_CHROMIUM=1 but Chromium cannot start: {why}");
    }
    eprintln!("SKIPPED {test}: {why} (set ALLOT_REQUIRE_CHROMIUM=1 to make this an error)");
    None
}

/// A fresh folder `name` under the test target's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The header's money format: `$38.0B`.
pub fn money(x: f64) -> String {
    let (a, sign) = (x.abs(), if x < 0.0 { "−" } else { "" });
    match a {
        a if a >= 1e12 => format!("{sign}${:.2}T", a / 1e12),
        a if a >= 1e9 => format!("{sign}${:.1}B", a / 1e9),
        a if a >= 1e6 => format!("{sign}${:.1}M", a / 1e6),
        a if a >= 1e3 => format!("{sign}${:.1}K", a / 1e3),
        a => format!("{sign}${a:.0}"),
    }
}

/// The header's total and discounted cost are the plan's (the number and its text), and its
/// status is the plan's.
pub fn check_key_numbers(page: &mut Page<'_>, plan: &Value) {
    let keys = page
        .eval(
            "Array.from(document.querySelectorAll('#key-numbers [data-key]')).map(e => \
             ({key: e.dataset.key, usd: e.dataset.usd || null, text: e.textContent}))",
        )
        .unwrap();
    let keys = keys.as_array().expect("key numbers");
    let find = |key: &str| {
        keys.iter()
            .find(|k| k["key"] == key)
            .unwrap_or_else(|| panic!("{key} not in the header: {keys:?}"))
    };
    for key in ["total_cost_usd", "objective_usd"] {
        let shown = find(key);
        let usd: f64 = shown["usd"].as_str().unwrap().parse().unwrap();
        let want = plan[key].as_f64().unwrap();
        // The same number (serde_json may read the plan's last digit differently).
        assert!(
            (usd - want).abs() <= 1e-14 * want.abs(),
            "{key}: {usd} vs {want}"
        );
        assert_eq!(shown["text"], money(want), "{key}");
    }
    let status = find("status")["text"].as_str().unwrap_or_default();
    assert!(
        status.starts_with(plan["status"].as_str().unwrap()),
        "{status}"
    );
}

/// Shows each of views 1–8 through the address (`#view`), checks that it is shown, drawn (every
/// chart an SVG with content, one table per chart, no error) and not empty unless listed in
/// `may_be_empty`, and saves a screenshot `N-VIEW.png` in `shots`.
pub fn check_views(page: &mut Page<'_>, shots: &Path, may_be_empty: &[&str]) {
    std::fs::create_dir_all(shots).unwrap();
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
        if may_be_empty.contains(view) && state["charts"] == 0 {
            assert_eq!(state["empty"].as_array().map(Vec::len), Some(1), "{view}");
        } else {
            assert_eq!(
                state["empty"],
                json!([]),
                "{view} says it is empty: {state}"
            );
            assert!(state["charts"].as_u64().unwrap() >= 1, "{view}: {state}");
            assert_eq!(state["charts"], state["drawn"], "{view}: {state}");
            assert_eq!(state["charts"], state["tables"], "{view}: {state}");
        }
        let png = page.screenshot().expect("screenshot");
        std::fs::write(shots.join(format!("{}-{view}.png", i + 1)), png).unwrap();
    }
}

/// Every panel's CSV has a header and rows, at least `panels` of them, and the cost CSV adds up
/// to the plan's total cost.
pub fn check_csv(page: &mut Page<'_>, plan: &Value, panels: usize) {
    let ids = page.eval("allotReport.panels()").unwrap();
    assert!(ids.as_array().unwrap().len() >= panels, "{ids}");
    for p in ids.as_array().unwrap() {
        let csv = page.eval(&format!("allotReport.csv({p})")).unwrap();
        let csv = csv.as_str().unwrap_or_default();
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
}

/// Opens `url` in `runs` fresh tabs of `browser`, one after another, and returns, for each, the
/// page's own clock (milliseconds from the navigation's start) when its first view was painted:
/// the value of `painted` once it is set. Fails on any console error or request beyond
/// `origin` (and local files).
pub fn first_view_times(
    browser: &mut Browser,
    url: &str,
    painted: &str,
    origin: Option<&str>,
    runs: usize,
) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut page = browser.open_page().expect("page");
        page.navigate(url).expect("navigate");
        page.wait_for(&format!("({painted}) > 0"))
            .expect("first view");
        times.push(page.eval(painted).unwrap().as_f64().unwrap());
        let problems = page.problems(origin);
        assert!(problems.is_empty(), "{problems:?}");
        page.close();
    }
    times
}

/// The median of `times`.
pub fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
