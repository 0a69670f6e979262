//! The planner: turns a scenario into the least-cost multi-period plan under every contract and
//! policy, as a mixed-integer program solved by HiGHS. See docs/model.md.

pub mod build;
pub mod extract;
pub mod generate;
pub mod highs_backend;
pub mod lp;
pub mod plan;
pub mod prep;

pub use highs_backend::{SolveSettings, SolveStatus};
pub use plan::Plan;

use std::time::{Duration, Instant};

use allot_scenario::Scenario;

/// Time spent in each phase of planning.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Preparing data and building the model.
    pub build: Duration,
    /// The solver.
    pub solve: Duration,
    /// Reading the plan out of the solution.
    pub extract: Duration,
}

/// The outcome of planning: the plan (whatever the status), the model, and timings.
#[derive(Debug)]
pub struct Outcome {
    /// The plan.
    pub plan: Plan,
    /// The exact model solved (for `--dump-model`).
    pub model: lp::Model,
    /// Phase timings.
    pub timings: Timings,
    /// Variables and constraints.
    pub size: (usize, usize),
}

/// Plans `scenario`.
pub fn plan(scenario: &Scenario, settings: &SolveSettings) -> Outcome {
    let t0 = Instant::now();
    let prepared = prep::prepare(scenario);
    let built = build::build(scenario, &prepared);
    let t1 = Instant::now();
    let solution = highs_backend::solve(&built.model, settings);
    let t2 = Instant::now();
    let plan = extract::extract(scenario, &prepared, &built, &solution);
    let t3 = Instant::now();
    let size = (built.model.cols.len(), built.model.rows.len());
    Outcome {
        plan,
        model: built.model,
        timings: Timings {
            build: t1 - t0,
            solve: t2 - t1,
            extract: t3 - t2,
        },
        size,
    }
}
