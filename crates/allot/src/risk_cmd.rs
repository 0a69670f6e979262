//! `allot risk`: sample the scenario's `[[uncertainty]]` entries, re-plan every sample in
//! parallel, and print the quantiles of total cost, cumulative loss and funding gap with the
//! sensitivity ranking. A progress bar on a terminal, plain log lines otherwise.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use allot_finance::risk::{Measures, Quantiles};
use allot_finance::{Replanner, RiskReport, RiskSettings};
use allot_plan::SolveSettings;
use allot_plan::replan::{FullReplan, WarmReplan};
use allot_scenario::Scenario;
use clap::Args;
use serde::Serialize;

use crate::files::load_scenario;
use crate::plan_cmd::money;
use crate::table::{Align, Table};

/// Arguments of `allot risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The scenario file (with [[uncertainty]] entries).
    pub scenario: PathBuf,
    /// Samples to draw and re-plan.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Seed: the same seed gives the same report whatever the thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// How each sample is re-planned. `fixed` (default): a recourse plan, the placements of the
    /// plan as written kept and everything else (capacity, serving, cluster sizes) re-optimised;
    /// when they no longer fit, the placements of the first stress plan that fits (each input
    /// alone at its P10, P90 and P99), then a re-plan. `warm`: a full plan of each sample, its
    /// LP relaxation started from the optimal basis of the scenario as written. `cold`: a full
    /// plan from scratch.
    #[arg(long, value_parser = ["fixed", "warm", "cold"], default_value = "fixed")]
    pub replan: String,
    /// Skip the one-at-a-time swing (two extra plans per uncertain input).
    #[arg(long = "no-swing")]
    pub no_swing: bool,
    /// Solver time limit per plan, seconds.
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop (1% by default: the inputs' spread is far
    /// wider, and a tighter gap can cost a branch and bound per sample).
    #[arg(long = "mip-gap", default_value_t = 1e-2)]
    pub mip_gap: f64,
    /// Print the report as JSON (with every sample).
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct QuantilesJson {
    p10: f64,
    p50: f64,
    p90: f64,
    mean: f64,
}

impl From<&Quantiles> for QuantilesJson {
    fn from(q: &Quantiles) -> Self {
        QuantilesJson {
            p10: q.p10,
            p50: q.p50,
            p90: q.p90,
            mean: q.mean,
        }
    }
}

#[derive(Serialize)]
struct MeasuresJson {
    total_cost_usd: f64,
    cumulative_loss_usd: f64,
    funding_gap_usd: f64,
}

impl From<&Measures> for MeasuresJson {
    fn from(m: &Measures) -> Self {
        MeasuresJson {
            total_cost_usd: m.total_cost_usd,
            cumulative_loss_usd: m.cumulative_loss_usd,
            funding_gap_usd: m.funding_gap_usd,
        }
    }
}

#[derive(Serialize)]
struct InputJson {
    name: String,
    kind: String,
    p10: f64,
    p50: f64,
    p90: f64,
}

#[derive(Serialize)]
struct SwingJson {
    measure: String,
    at_p10: f64,
    at_p90: f64,
}

#[derive(Serialize)]
struct SensitivityJson {
    name: String,
    rank_correlation_total_cost: f64,
    rank_correlation_cumulative_loss: f64,
    rank_correlation_funding_gap: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    swing: Vec<SwingJson>,
}

#[derive(Serialize)]
struct SampleJson {
    index: usize,
    values: Vec<f64>,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    measures: Option<MeasuresJson>,
}

#[derive(Serialize)]
struct RiskJson {
    scenario: String,
    samples: usize,
    seed: u64,
    failed: usize,
    inputs: Vec<InputJson>,
    as_written: Option<MeasuresJson>,
    total_cost_usd: Option<QuantilesJson>,
    cumulative_loss_usd: Option<QuantilesJson>,
    funding_gap_usd: Option<QuantilesJson>,
    sensitivity: Vec<SensitivityJson>,
    sample: Vec<SampleJson>,
}

fn to_json(name: &str, seed: u64, r: &RiskReport) -> RiskJson {
    let q = |k: usize| r.quantiles.as_ref().map(|q| QuantilesJson::from(&q[k]));
    RiskJson {
        scenario: name.to_string(),
        samples: r.samples.len(),
        seed,
        failed: r.failed,
        inputs: r
            .inputs
            .iter()
            .map(|i| InputJson {
                name: i.name.clone(),
                kind: i.kind.as_str().to_string(),
                p10: i.distribution.quantile(0.1),
                p50: i.distribution.quantile(0.5),
                p90: i.distribution.quantile(0.9),
            })
            .collect(),
        as_written: r.base.as_ref().map(MeasuresJson::from),
        total_cost_usd: q(0),
        cumulative_loss_usd: q(1),
        funding_gap_usd: q(2),
        sensitivity: r
            .sensitivity
            .iter()
            .map(|s| SensitivityJson {
                name: s.name.clone(),
                rank_correlation_total_cost: s.rank_correlation[0],
                rank_correlation_cumulative_loss: s.rank_correlation[1],
                rank_correlation_funding_gap: s.rank_correlation[2],
                swing: s
                    .swing
                    .iter()
                    .flat_map(|w| {
                        w.iter()
                            .zip(Measures::NAMES)
                            .map(|((lo, hi), m)| SwingJson {
                                measure: m.to_string(),
                                at_p10: *lo,
                                at_p90: *hi,
                            })
                    })
                    .collect(),
            })
            .collect(),
        sample: r
            .samples
            .iter()
            .map(|s| SampleJson {
                index: s.index,
                values: s.values.clone(),
                status: s.status.to_string(),
                measures: s.measures.as_ref().map(MeasuresJson::from),
            })
            .collect(),
    }
}

fn text(name: &str, args: &RiskArgs, r: &RiskReport, seconds: f64) -> String {
    let mut out = String::new();
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    };
    let _ = writeln!(
        out,
        "risk of '{name}': {} samples (seed {}), {} without a plan; {threads} threads, {seconds:.1} s\n",
        r.samples.len(),
        args.seed,
        r.failed
    );
    let mut t = Table::new(&[
        ("UNCERTAIN INPUT", Align::Left),
        ("KIND", Align::Left),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
    ]);
    for i in &r.inputs {
        let d = &i.distribution;
        t.row(vec![
            i.name.clone(),
            i.kind.as_str().to_string(),
            format!("{:.3}", d.quantile(0.1)),
            format!("{:.3}", d.quantile(0.5)),
            format!("{:.3}", d.quantile(0.9)),
        ]);
    }
    out.push_str(&t.render());
    out.push('\n');
    let mut t = Table::new(&[
        ("MEASURE", Align::Left),
        ("AS WRITTEN", Align::Right),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
        ("MEAN", Align::Right),
    ]);
    for (k, m) in Measures::NAMES.iter().enumerate() {
        let base = r.base.map_or("-".to_string(), |b| money(b.get(k)));
        match &r.quantiles {
            Some(q) => t.row(vec![
                m.to_string(),
                base,
                money(q[k].p10),
                money(q[k].p50),
                money(q[k].p90),
                money(q[k].mean),
            ]),
            None => t.row(vec![m.to_string(), base]),
        }
    }
    out.push_str(&t.render());
    out.push('\n');
    let mut t = Table::new(&[
        ("SENSITIVITY (most first)", Align::Left),
        ("RANK CORR. COST", Align::Right),
        ("LOSS", Align::Right),
        ("GAP", Align::Right),
        ("COST AT P10 / P90", Align::Right),
        ("LOSS AT P10 / P90", Align::Right),
    ]);
    for s in &r.sensitivity {
        let swing = |k: usize| {
            s.swing.map_or("-".to_string(), |w| {
                format!("{} / {}", money(w[k].0), money(w[k].1))
            })
        };
        t.row(vec![
            s.name.clone(),
            format!("{:+.2}", s.rank_correlation[0]),
            format!("{:+.2}", s.rank_correlation[1]),
            format!("{:+.2}", s.rank_correlation[2]),
            swing(0),
            swing(1),
        ]);
    }
    out.push_str(&t.render());
    out
}

pub fn run(args: &RiskArgs) -> anyhow::Result<ExitCode> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    };
    if scenario.file.uncertainty.is_empty() {
        eprintln!(
            "{}: error: no [[uncertainty]] entries to sample; docs/finance.md shows how to write them",
            args.scenario.display()
        );
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    }
    let solve = SolveSettings {
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        ..SolveSettings::default()
    };
    let replanner: Box<dyn Replanner> = match args.replan.as_str() {
        "cold" => {
            let cold = FullReplan { settings: solve };
            Box::new(move |s: &Scenario| cold.replan(s))
        }
        "fixed" => {
            let stress = allot_finance::stress_scenarios(&scenario)?;
            let fixed = WarmReplan::recourse_with(&scenario, &solve, &stress, args.threads)?.0;
            Box::new(move |s: &Scenario| fixed.replan(s))
        }
        _ => {
            let warm = WarmReplan::new(&scenario, &solve).0;
            Box::new(move |s: &Scenario| warm.replan(s))
        }
    };
    let settings = RiskSettings {
        samples: args.samples,
        seed: args.seed,
        threads: args.threads,
        swing: !args.no_swing,
    };
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} plans, {elapsed} elapsed, ~{eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message("risk");
        bar
    });
    let logged = Mutex::new(0usize);
    let progress = |done: usize, total: usize| match &bar {
        Some(bar) => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        None => {
            // Plain lines at every tenth, for logs.
            let step = total.div_ceil(10).max(1);
            let mut last = logged.lock().unwrap_or_else(|e| e.into_inner());
            if done == total || done >= *last + step {
                *last = done;
                eprintln!(
                    "risk: {done}/{total} plans, {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    };
    let report = allot_finance::run_risk(&scenario, replanner.as_ref(), &settings, &progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let name = &scenario.file.scenario.name;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&to_json(name, args.seed, &report))?
        );
    } else {
        out!(
            "{}",
            text(name, args, &report, started.elapsed().as_secs_f64())
        );
    }
    Ok(ExitCode::SUCCESS)
}
