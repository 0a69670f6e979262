//! Finance and risk for a plan (docs/finance.md).
//!
//! [`project`] turns a scenario and its plan into a [`Statement`]: per period and per calendar
//! year, revenue, compute cost and compute cash (each commitment's money scheduled by its
//! payment terms; owned capacity as capex, depreciation and opex), other operating costs,
//! funding, the operating result, cumulative losses, the cash balance, the funding gap and the
//! runway. [`risk`] samples the scenario's `[[uncertainty]]` entries, re-plans every sample
//! through a pluggable [`Replanner`] in parallel, and reports quantiles and a sensitivity
//! ranking. Nothing here does IO.

pub mod distribution;
pub mod perturb;
pub mod project;
pub mod risk;
pub mod statement;
pub mod terms;

pub use distribution::Distribution;
pub use perturb::{UncertainInput, inputs};
pub use project::project;
pub use risk::{
    Replanner, RiskReport, RiskSettings, Sample, YearMeasures, YearQuantiles, merge_shards,
    run_risk, run_shard, stress_scenarios,
};
pub use statement::{
    Amounts, ContractLine, PeriodLine, ProviderLine, ReferenceLine, Statement, YearLine,
};

/// Why a projection or a risk run could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FinanceError {
    /// The plan has no solution to project (infeasible, time limit without a plan, error).
    #[error("the plan has no solution to project (status {0})")]
    NoSolution(allot_plan_format::SolveStatus),
    /// The plan was made for another horizon than the scenario's.
    #[error("the plan has {plan} periods but the scenario has {scenario}")]
    PeriodMismatch {
        /// Periods in the plan.
        plan: usize,
        /// Periods in the scenario.
        scenario: usize,
    },
    /// The plan names a period the scenario does not have.
    #[error("the plan names period '{0}', which the scenario does not have")]
    UnknownPeriod(String),
    /// An uncertainty names something the scenario or catalog lacks (the scenario was not
    /// validated).
    #[error("uncertainty '{name}': {problem}")]
    BadUncertainty {
        /// The uncertainty's name.
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// A risk run was asked for no samples.
    #[error("a risk run needs at least one sample")]
    NoSamples,
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The reason.
        message: String,
    },
}
