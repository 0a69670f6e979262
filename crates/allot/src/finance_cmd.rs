//! `allot finance`: the financial statement of a scenario's plan (per year, `--monthly` per
//! period), from a plan file or planned here.

use std::path::PathBuf;

use allot_plan::{Plan, SolveSettings, SolveStatus};
use allot_present::finance_json::FinanceJson;
use allot_present::finance_text::statement_text;
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_scenario, read_plan};

/// Arguments of `allot finance`.
#[derive(Debug, Args)]
pub struct FinanceArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Project this plan (plan.json from `allot plan --out` or `--json`) instead of planning.
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Also print the statement per planning period.
    #[arg(long)]
    pub monthly: bool,
    /// Print the statement as JSON.
    #[arg(long)]
    pub json: bool,
    /// Solver time limit, seconds.
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop.
    #[arg(long = "mip-gap", default_value_t = 1e-3)]
    pub mip_gap: f64,
}

pub fn run(args: &FinanceArgs) -> anyhow::Result<Exit> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    let plan: Plan = match &args.plan {
        Some(path) => {
            let Some(plan) = read_plan(path) else {
                return Ok(Exit::Invalid);
            };
            plan
        }
        None => {
            let settings = SolveSettings {
                time_limit_s: args.time_limit,
                deadline: allot_plan::solver::Deadline::after(args.time_limit),
                mip_gap: args.mip_gap,
                ..SolveSettings::default()
            };
            settings.check()?;
            allot_plan::plan(&scenario, &settings).plan
        }
    };
    let statement = match allot_finance::project(&scenario, &plan) {
        Ok(st) => st,
        Err(e) => {
            eprintln!("error: {e}: {}", plan.status_message);
            return Ok(match plan.status {
                SolveStatus::Infeasible => Exit::Infeasible,
                _ => Exit::Failure,
            });
        }
    };
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&FinanceJson::new(&statement, true))?
        );
    } else {
        out!(
            "{}",
            statement_text(
                &scenario.file.scenario.name,
                &plan,
                &statement,
                args.monthly
            )
        );
    }
    Ok(Exit::Success)
}
