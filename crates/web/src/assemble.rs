//! What a report shows beside the plan, computed with the library crates: the financial
//! statement (`allot-finance`), what binds (the plan's own explanation, or one computed by
//! re-solving the scenario with `--explain`) and a risk run of recourse plans. `allot report`
//! and the dashboard of `allot serve` both assemble a report's input here.

use allot_finance::{RiskReport, RiskSettings, Statement};
use allot_plan::plan::Binding;
use allot_plan::replan::WarmReplan;
use allot_plan::{Plan, SolveSettings};
use allot_scenario::Scenario;

use crate::ReportInput;

/// How to assemble a report's input.
#[derive(Debug, Clone)]
pub struct Options {
    /// Solver settings of every plan made here (the explanation, each risk sample).
    pub solve: SolveSettings,
    /// What to do when the plan has no explanations of its own.
    pub explain: Explain,
    /// Whether to run risk.
    pub risk: RiskRun,
}

/// What binds, when the plan was made without `--explain`.
#[derive(Debug, Clone)]
pub enum Explain {
    /// Re-solve the scenario with `--explain` (one solve).
    Resolve,
    /// Leave the view empty, saying why.
    Skip(String),
}

/// Whether to run risk (when the scenario has `[[uncertainty]]` entries).
#[derive(Debug, Clone)]
pub enum RiskRun {
    /// Draw and re-plan this many samples.
    Run {
        /// Samples (0 is read as [`RiskRun::Skip`] with "risk was not run").
        samples: usize,
        /// Seed of the sampling.
        seed: u64,
        /// Worker threads (0: one per core).
        threads: usize,
    },
    /// Leave the view empty, saying why.
    Skip(String),
}

/// A long step about to start, for a progress message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Re-solving the scenario to explain the plan.
    Explaining,
    /// A risk run of this many samples.
    Risk {
        /// Samples.
        samples: usize,
    },
}

/// A report's input beside its scenario and plan.
#[derive(Debug)]
pub struct Assembled {
    /// The financial statement, or why there is none.
    pub statement: Result<Statement, String>,
    /// The risk run, or why there is none.
    pub risk: Result<RiskReport, String>,
    /// How the risk run was made, in words.
    pub risk_method: String,
    /// What binds, largest effect first.
    pub bindings: Vec<Binding>,
    /// Where the bindings come from, or why there are none.
    pub bindings_note: String,
}

impl Assembled {
    /// The report's input: this, with the scenario, the plan and the generator's name.
    pub fn input<'a>(
        &'a self,
        scenario: &'a Scenario,
        plan: &'a Plan,
        generator: &'a str,
    ) -> ReportInput<'a> {
        ReportInput {
            scenario,
            plan,
            statement: self.statement.as_ref().map_err(String::as_str),
            risk: self.risk.as_ref().map_err(String::as_str),
            risk_method: &self.risk_method,
            bindings: &self.bindings,
            bindings_note: &self.bindings_note,
            generator,
        }
    }
}

/// Computes what the report of `plan` shows beside the plan itself; `progress` is told of each
/// long step before it starts.
pub fn assemble(
    scenario: &Scenario,
    plan: &Plan,
    options: &Options,
    progress: &mut dyn FnMut(Step),
) -> Assembled {
    let statement = allot_finance::project(scenario, plan).map_err(|e| e.to_string());
    let (bindings, bindings_note) = bindings(scenario, plan, options, progress);
    let risk_method = match &options.risk {
        RiskRun::Run { seed, .. } => format!(
            "seed {seed}, each sample a recourse plan: the plan's placements kept, the rest re-optimised"
        ),
        RiskRun::Skip(_) => String::new(),
    };
    let risk = risk(scenario, plan, options, progress);
    Assembled {
        statement,
        risk,
        risk_method,
        bindings,
        bindings_note,
    }
}

/// What binds: the plan's own explanation, or one computed by re-solving the scenario with
/// `--explain` when the plan has none (and `options` allow it).
fn bindings(
    scenario: &Scenario,
    plan: &Plan,
    options: &Options,
    progress: &mut dyn FnMut(Step),
) -> (Vec<Binding>, String) {
    if !plan.explanations.is_empty() {
        return (
            plan.explanations.clone(),
            "The plan's own explanation, made with the plan (allot plan --explain; settings.explain in allot serve).".into(),
        );
    }
    if !plan.status.has_solution() {
        return (Vec::new(), "The plan has no solution to explain.".into());
    }
    if let Explain::Skip(why) = &options.explain {
        return (Vec::new(), why.clone());
    }
    progress(Step::Explaining);
    let explained = allot_plan::plan_explained(scenario, &options.solve).plan;
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
    options: &Options,
    progress: &mut dyn FnMut(Step),
) -> Result<RiskReport, String> {
    if scenario.file.uncertainty.is_empty() {
        return Err("the scenario has no [[uncertainty]] entries (docs/finance.md)".into());
    }
    let (samples, seed, threads) = match &options.risk {
        RiskRun::Skip(why) => return Err(why.clone()),
        RiskRun::Run { samples: 0, .. } => return Err("risk was not run".into()),
        RiskRun::Run {
            samples,
            seed,
            threads,
        } => (*samples, *seed, *threads),
    };
    if !plan.status.has_solution() {
        return Err("the plan has no solution".into());
    }
    progress(Step::Risk { samples });
    let failed = |e: &dyn std::fmt::Display| format!("the risk run failed: {e}");
    let stress = allot_finance::stress_scenarios(scenario).map_err(|e| failed(&e))?;
    let fixed = WarmReplan::recourse_with(scenario, &options.solve, &stress, threads)
        .map_err(|e| failed(&e))?
        .0;
    let replan = move |s: &Scenario| fixed.replan(s);
    let settings = RiskSettings {
        samples,
        seed,
        threads,
        swing: true,
    };
    allot_finance::run_risk(scenario, &replan, &settings, &|_, _| {}).map_err(|e| failed(&e))
}
