//! `allot report`: one self-contained HTML file with the plan's views (`allot-web`), the
//! finance, risk and explanation it shows computed here by the library crates.

use std::path::PathBuf;

use allot_finance::{RiskReport, RiskSettings};
use allot_plan::replan::WarmReplan;
use allot_plan::{Plan, SolveSettings};
use allot_scenario::Scenario;
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
    /// Solver time limit per plan (the explanation, each risk sample), seconds.
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
        ..SolveSettings::default()
    };
    solve.check()?;

    let statement = allot_finance::project(&scenario, &plan).map_err(|e| e.to_string());
    let (bindings, bindings_note) = bindings(&scenario, &plan, &solve);
    let risk = risk(&scenario, &plan, &solve, args);
    let method = format!(
        "seed {}, each sample a recourse plan: the plan's placements kept, the rest re-optimised",
        args.seed
    );
    let generator = format!("allot {}", env!("CARGO_PKG_VERSION"));
    let html = allot_web::report(&allot_web::ReportInput {
        scenario: &scenario,
        plan: &plan,
        statement: statement.as_ref().map_err(String::as_str),
        risk: risk.as_ref().map_err(String::as_str),
        risk_method: &method,
        bindings: &bindings,
        bindings_note: &bindings_note,
        generator: &generator,
    });
    std::fs::write(&args.out, &html).with_context(|| format!("writing {}", args.out.display()))?;
    outln!(
        "wrote {} ({:.1} MB): views of '{}'",
        args.out.display(),
        html.len() as f64 / 1e6,
        scenario.file.scenario.name
    );
    Ok(Exit::Success)
}

/// What binds: the plan's own explanation, or one computed by re-solving the scenario with
/// `--explain` when the plan file has none.
fn bindings(
    scenario: &Scenario,
    plan: &Plan,
    solve: &SolveSettings,
) -> (Vec<allot_plan::plan::Binding>, String) {
    if !plan.explanations.is_empty() {
        return (
            plan.explanations.clone(),
            "From the plan file (allot plan --explain).".into(),
        );
    }
    if !plan.status.has_solution() {
        return (Vec::new(), "The plan has no solution to explain.".into());
    }
    eprintln!("report: explaining the plan (the plan file has no explanations)");
    let explained = allot_plan::plan_explained(scenario, solve).plan;
    let gap =
        (explained.objective_usd - plan.objective_usd).abs() / plan.objective_usd.abs().max(1.0);
    let note = if gap <= 1e-6 {
        "Computed for this report by re-solving the scenario with --explain (same cost as the plan)."
            .to_string()
    } else {
        format!(
            "Computed for this report by re-solving the scenario with --explain; that plan's discounted cost differs from this plan's by {:.2}%.",
            gap * 100.0
        )
    };
    (explained.explanations, note)
}

/// The risk run for the risk view, or why there is none.
fn risk(
    scenario: &Scenario,
    plan: &Plan,
    solve: &SolveSettings,
    args: &ReportArgs,
) -> Result<RiskReport, String> {
    if scenario.file.uncertainty.is_empty() {
        return Err("the scenario has no [[uncertainty]] entries (docs/finance.md)".into());
    }
    if args.samples == 0 {
        return Err("risk was not run (--samples 0)".into());
    }
    if !plan.status.has_solution() {
        return Err("the plan has no solution".into());
    }
    eprintln!("report: risk, {} samples", args.samples);
    let failed = |e: &dyn std::fmt::Display| format!("the risk run failed: {e}");
    let stress = allot_finance::stress_scenarios(scenario).map_err(|e| failed(&e))?;
    let fixed = WarmReplan::recourse_with(scenario, solve, &stress, args.threads)
        .map_err(|e| failed(&e))?
        .0;
    let replan = move |s: &Scenario| fixed.replan(s);
    let settings = RiskSettings {
        samples: args.samples,
        seed: args.seed,
        threads: args.threads,
        swing: true,
    };
    allot_finance::run_risk(scenario, &replan, &settings, &|_, _| {}).map_err(|e| failed(&e))
}
