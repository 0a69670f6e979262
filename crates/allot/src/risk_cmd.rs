//! `allot risk`: sample the scenario's `[[uncertainty]]` entries, re-plan every sample in
//! parallel, and print the quantiles of total cost, cumulative loss and funding gap with the
//! sensitivity ranking. A progress bar on a terminal, plain log lines otherwise.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use allot_finance::RiskSettings;
use allot_plan::SolveSettings;
use allot_plan::replan;
use allot_present::risk;
use clap::Args;

use crate::exit::Exit;
use crate::files::load_scenario;

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
    /// Worker threads (default: one per core; at most 256: more only wait for the 2-64 cores a
    /// machine has, and 100,000 used to start thousands of threads and hang).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub threads: u16,
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

pub fn run(args: &RiskArgs) -> anyhow::Result<Exit> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    if scenario.file.uncertainty.is_empty() {
        eprintln!(
            "{}: error: no [[uncertainty]] entries to sample; docs/finance.md shows how to write them",
            args.scenario.display()
        );
        return Ok(Exit::Invalid);
    }
    let solve = SolveSettings {
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        ..SolveSettings::default()
    };
    solve.check()?;
    let method = replan::Method::parse(&args.replan).unwrap_or_default();
    let stress = match method {
        replan::Method::Fixed => allot_finance::stress_scenarios(&scenario)?,
        _ => Vec::new(),
    };
    let replanner = replan::replanner(
        method,
        &scenario,
        &solve,
        &stress,
        usize::from(args.threads),
    )?;
    let settings = RiskSettings {
        samples: args.samples,
        seed: args.seed,
        threads: usize::from(args.threads),
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
    let report = allot_finance::run_risk(&scenario, &replanner, &settings, &progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let name = &scenario.file.scenario.name;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&risk::to_json(name, args.seed, &report))?
        );
    } else {
        let threads = if usize::from(args.threads) == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            usize::from(args.threads)
        };
        let seconds = started.elapsed().as_secs_f64();
        out!("{}", risk::text(name, args.seed, threads, &report, seconds));
    }
    Ok(Exit::Success)
}
