//! `allot report`: one self-contained HTML file with the plan's views; `allot_web::assemble`
//! computes the finance, risk and explanation it shows, `allot_web::report` writes it.

use std::path::PathBuf;

use allot_plan::SolveSettings;
use allot_web::assemble::{Explain, Options, RiskRun, Step};
use anyhow::Context;
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_scenario, read_plan};

/// Arguments of `allot report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The plan (plan.json from `allot plan --out` or `--json`).
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// The scenario the plan was made for.
    #[arg(long, short = 's')]
    pub scenario: PathBuf,
    /// The HTML file to write.
    #[arg(long, short = 'o', default_value = "report.html")]
    pub out: PathBuf,
    /// Risk samples to draw and re-plan for the risk view (0: no risk view).
    #[arg(long, default_value_t = 24)]
    pub samples: usize,
    /// Seed of the risk sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads for the risk run (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Time limit of the whole command, seconds: the plan, its explanation and every risk
    /// sample draw from one deadline.
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<Exit> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    let Some(plan) = read_plan(&args.plan) else {
        return Ok(Exit::Invalid);
    };
    let solve = SolveSettings {
        time_limit_s: args.time_limit,
        deadline: allot_plan::solver::Deadline::after(args.time_limit),
        ..SolveSettings::default()
    };
    solve.check()?;

    let options = Options {
        solve,
        explain: Explain::Resolve,
        risk: match args.samples {
            0 => RiskRun::Skip("risk was not run (--samples 0)".into()),
            samples => RiskRun::Run {
                samples,
                seed: args.seed,
                threads: args.threads,
            },
        },
    };
    let assembled = allot_web::assemble(&scenario, &plan, &options, &mut |step| match step {
        Step::Explaining => {
            eprintln!("report: explaining the plan (the plan file has no explanations)");
        }
        Step::Risk { samples } => eprintln!("report: risk, {samples} samples"),
    });
    let generator = format!("allot {}", env!("CARGO_PKG_VERSION"));
    let html = allot_web::report(&assembled.input(&scenario, &plan, &generator));
    std::fs::write(&args.out, &html).with_context(|| format!("writing {}", args.out.display()))?;
    outln!(
        "wrote {} ({:.1} MB): views of '{}'",
        args.out.display(),
        html.len() as f64 / 1e6,
        scenario.file.scenario.name
    );
    Ok(Exit::Success)
}
