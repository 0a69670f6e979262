//! The risk engine's speed: every sample re-planned from scratch (`FullReplan`, "cold") or
//! warm-started from the scenario's own optimal basis (`WarmReplan::new`, "warm"), or with the
//! scenario's placements kept, or those of its stress plans when they do not fit
//! (`WarmReplan::recourse_with`, "fixed", `allot risk`'s default), against a same-session
//! baseline of single plans of the scenario as written.
//!
//! Run with `cargo bench -p allot-finance --bench risk` (release build). Prints, per scenario,
//! the median time of one plan of the scenario as written (the baseline), the median and the
//! slowest time of one sample's re-plan, the set-up time (the base plan, and for "fixed" its
//! stress plans), the wall time of the run, and the projected wall time of
//! `allot risk --samples 1000` on two threads (set-up included), at `allot risk`'s default 1%
//! MIP gap.
//! `RISK_SAMPLES` sets the samples of the frontier-lab run (default 16); `RISK_TIGHT=1` adds a
//! frontier-lab run at `allot plan`'s 0.1% gap.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use allot_finance::{Replanner, RiskSettings, run_risk};
use allot_plan::replan::{FullReplan, WarmReplan};
use allot_plan::{Plan, SolveSettings};
use allot_scenario::Scenario;

fn load(relative: &str) -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join(relative);
    let dir = path.parent().expect("folder").to_path_buf();
    let text = std::fs::read_to_string(&path).expect("read scenario");
    let loaded = allot_scenario::load(relative, &text, &mut |p: &str| {
        let full = dir.join(p);
        std::fs::read_to_string(&full)
            .map(|t| (full.display().to_string(), t))
            .map_err(|e| e.to_string())
    });
    loaded.scenario.expect("valid scenario")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench(name: &str, relative: &str, samples: usize, threads: usize, mip_gap: f64, start: &str) {
    let scenario = load(relative);
    let settings = SolveSettings {
        mip_gap,
        ..SolveSettings::default()
    };
    let baseline = median(
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let _ = allot_plan::plan(&scenario, &settings);
                t.elapsed()
            })
            .collect(),
    );
    let times = Mutex::new(Vec::new());
    let set_up = Instant::now();
    let replanner: Box<dyn Replanner> = match start {
        "warm" => {
            let warm = WarmReplan::new(&scenario, &settings).0;
            Box::new(move |s: &Scenario| warm.replan(s))
        }
        "fixed" => {
            let stress = allot_finance::stress_scenarios(&scenario).expect("stress points");
            let fixed = WarmReplan::recourse_with(&scenario, &settings, &stress, threads)
                .expect("threads")
                .0;
            Box::new(move |s: &Scenario| fixed.replan(s))
        }
        _ => {
            let cold = FullReplan {
                settings: settings.clone(),
            };
            Box::new(move |s: &Scenario| cold.replan(s))
        }
    };
    let set_up = set_up.elapsed();
    let replan = |s: &Scenario| -> Plan {
        let t = Instant::now();
        let plan = replanner.replan(s);
        times.lock().expect("lock").push(t.elapsed());
        plan
    };
    let risk = RiskSettings {
        samples,
        seed: 1,
        threads,
        swing: false,
    };
    let t = Instant::now();
    let report = run_risk(&scenario, &replan, &risk, &|_, _| {}).expect("risk run");
    let wall = t.elapsed();
    let times = times.into_inner().expect("lock");
    let per_sample = median(times.clone());
    let slowest = times.iter().max().copied().unwrap_or_default();
    let projected = set_up.as_secs_f64() + wall.as_secs_f64() / (samples + 1) as f64 * 1001.0;
    println!(
        "{name:<13} {:<5} {mip_gap:>7} {samples:>7} {threads:>7} {:>10.3} {:>10.3} {:>9.2} {:>8.2} {:>9.1} {:>12.0} {:>6.2}x {:>6}",
        start,
        baseline.as_secs_f64(),
        per_sample.as_secs_f64(),
        slowest.as_secs_f64(),
        set_up.as_secs_f64(),
        wall.as_secs_f64(),
        projected,
        per_sample.as_secs_f64() / baseline.as_secs_f64(),
        report.failed
    );
}

fn main() {
    let samples: usize = std::env::var("RISK_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    println!(
        "{:<13} {:<5} {:>7} {:>7} {:>7} {:>10} {:>10} {:>9} {:>8} {:>9} {:>12} {:>7} {:>6}",
        "scenario",
        "start",
        "gap",
        "samples",
        "threads",
        "plan s",
        "sample s",
        "slowest s",
        "set-up s",
        "wall s",
        "1000 proj. s",
        "ratio",
        "failed"
    );
    // `allot risk` solves to a 1% gap by default; 0.1% is `allot plan`'s default.
    let frontier = "examples/frontier-lab.toml";
    for start in ["cold", "warm", "fixed"] {
        bench(
            "risk-test",
            "testdata/finance/risk.toml",
            1000,
            2,
            1e-2,
            start,
        );
        bench("frontier-lab", frontier, samples, 2, 1e-2, start);
        if std::env::var_os("RISK_TIGHT").is_some() {
            bench("frontier-lab", frontier, samples, 2, 1e-3, start);
        }
    }
}
