//! `allot simulate PLAN.json --scenario S`: the plan's training runs on one period's fleet (or
//! given chips) under queueing, job by job, against their deadlines (`allot_sim::plan_check`).

use std::path::{Path, PathBuf};

use allot_sim::Policy;
use allot_sim::plan_check::{Checked, Options, TIME_LIMIT_S};
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_scenario, read_plan, read_text};

/// Arguments of `allot simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The plan, as written by `allot plan --json` or `--out`.
    pub plan: PathBuf,
    /// The scenario the plan was made for.
    #[arg(long)]
    pub scenario: PathBuf,
    /// The fleet: the chips the plan holds in this period (default: the first in which a
    /// training run starts, else its first).
    #[arg(long, conflicts_with = "chips")]
    pub period: Option<String>,
    /// The fleet: chips per type instead, e.g. H100=512,MI300X=64.
    #[arg(long)]
    pub chips: Option<String>,
    /// Other work, from a CSV trace (docs/simulate.md).
    #[arg(long, conflicts_with = "generate")]
    pub trace: Option<PathBuf>,
    /// Other work: this many jobs from Gavel's distributions.
    #[arg(long)]
    pub generate: Option<usize>,
    /// Arrivals per hour of the generated jobs.
    #[arg(long, default_value_t = 1.0)]
    pub rate: f64,
    /// Seed of the generated jobs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scheduling policy.
    #[arg(long, default_value = "fifo", value_parser = Policy::ALL.map(Policy::name))]
    pub policy: String,
    /// Throughput matrix of the trace's job types (CSV: job_type,CHIP,...).
    #[arg(long)]
    pub throughput: Option<PathBuf>,
    /// Wall-clock limit of the simulation, seconds (`inf`: none); reached, it stops with a
    /// message and exit status 1.
    #[arg(long = "time-limit", default_value_t = TIME_LIMIT_S)]
    pub time_limit: f64,
    /// Write the result as JSON.
    #[arg(long)]
    pub json: bool,
}

fn text(path: &Path) -> anyhow::Result<(String, String)> {
    let name = path.display().to_string();
    let text = read_text(path).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok((name, text))
}

pub fn run(args: &SimulateArgs) -> anyhow::Result<Exit> {
    let (Some(plan), Some(scenario)) = (read_plan(&args.plan), load_scenario(&args.scenario))
    else {
        return Ok(Exit::Invalid);
    };
    let options = Options {
        period: args.period.clone(),
        chips: args.chips.clone(),
        trace: args.trace.as_deref().map(text).transpose()?,
        generate: args.generate,
        rate: args.rate,
        seed: args.seed,
        policy: args.policy.clone(),
        throughput: args.throughput.as_deref().map(text).transpose()?,
        time_limit_s: args.time_limit,
    };
    let check = match options.check(&plan, &scenario) {
        Ok(Checked::Complete(c)) => c,
        Ok(Checked::Stopped(stopped)) => {
            eprintln!("{}", Checked::stopped_text(&stopped));
            return Ok(Exit::Failure);
        }
        Err(e) => {
            eprintln!("{e}");
            return Ok(Exit::Invalid);
        }
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&check)?);
    } else {
        out!("{}", check.text());
    }
    Ok(if check.deadlines_missed > 0 {
        Exit::Failure
    } else {
        Exit::Success
    })
}
