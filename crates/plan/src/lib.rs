//! The planner: turns a scenario into the least-cost multi-period plan under every contract and
//! policy, as a mixed-integer program solved by HiGHS. See docs/model.md.

pub mod build;
pub mod elastic;
pub mod explain;
pub mod extract;
pub mod generate;
pub mod lp;
pub mod prep;
pub mod progress;
pub mod question;
pub mod replan;
pub mod solver;
pub mod why_not;

pub use allot_plan_format as plan;
pub use allot_plan_format::{Plan, SolveStatus};
pub use solver::{InvalidSettings, SettingsError, SolveSettings, check_time_limit, check_within};

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

impl Outcome {
    /// An outcome from its plan and model, timed from the start (`t0`), the end of the build
    /// (`t1`) and the end of the solve (`t2`) to now.
    fn new(plan: Plan, model: lp::Model, t0: Instant, t1: Instant, t2: Instant) -> Outcome {
        let size = (model.cols.len(), model.rows.len());
        Outcome {
            plan,
            model,
            timings: Timings {
                build: t1 - t0,
                solve: t2 - t1,
                extract: t2.elapsed(),
            },
            size,
        }
    }
}

/// Plans `scenario`. `settings.time_limit_s` is a wall-clock limit from this call: preparing
/// and building the model take from it, the solve gets what is left (issue 22, item 6: a
/// 3M-variable scenario under `--time-limit 2` took 15.2 s, the build not counted).
pub fn plan(scenario: &Scenario, settings: &SolveSettings) -> Outcome {
    let start = Instant::now();
    plan_on(
        scenario,
        |m| solve_in_time(m, settings, start),
        |_, _, _, _| {},
    )
}

/// Solves `model` in the time left of `settings`' limit since `start`; with none left, stopped
/// with no plan.
fn solve_in_time(model: &lp::Model, settings: &SolveSettings, start: Instant) -> solver::Solution {
    match time_left(settings, start) {
        Some(left) => solver::solve(model, &left),
        None if settings.deadline.passed() => solver::Solution::out_of_time(),
        None => solver::Solution::failed(
            SolveStatus::TimeLimitNoSolution,
            "the time limit passed while the model was built",
        ),
    }
}

/// Plans `scenario` and explains the plan: what binds and what it costs
/// ([`Plan::explanations`], from the duals of the LP at the plan's integral choices, with
/// HiGHS's ranging).
pub fn plan_explained(scenario: &Scenario, settings: &SolveSettings) -> Outcome {
    let start = Instant::now();
    let settings = &SolveSettings {
        ranging: true,
        ..settings.clone()
    };
    plan_on(
        scenario,
        |m| solve_in_time(m, settings, start),
        |prepared, built, solution, plan| {
            if !solution.status.has_solution() {
                return;
            }
            let duals = if solution.row_duals.is_empty() {
                solver::duals_at(&built.model, &solution.values, settings).map(|d| d.0)
            } else {
                Some(solution.row_duals.clone())
            };
            if let Some(duals) = duals {
                plan.explanations = explain::bindings_ranged(
                    scenario,
                    prepared,
                    built,
                    plan,
                    &solution.values,
                    &duals,
                    &solution.row_ranges,
                );
            }
        },
    )
}

/// Plans `scenario` warm-started from `resolver`'s base (see [`solver::Resolver`]): when
/// the scenario differs from the base only in numbers (prices, demands, delivery dates, chip
/// speeds), its relaxation starts from the base's optimal basis. For many variants of one
/// scenario (Monte Carlo samples, what-ifs); `plan_base` plans the base.
pub fn plan_warm(scenario: &Scenario, resolver: &solver::Resolver) -> Outcome {
    plan_on(scenario, |m| resolver.solve(m), |_, _, _, _| {})
}

/// Plans `scenario` keeping the integral choices of `resolver`'s base plan (which run goes where
/// and when its clusters are on), re-optimising capacity, serving and cluster sizes from the
/// base's basis: a recourse plan, feasible (status `feasible`) but not always optimal. When the
/// choices do not fit, those of the stress plans added with [`add_stress_patterns`] are tried,
/// then a re-plan (see [`solver::Resolver::solve_fixed`]). For Monte Carlo over a decided
/// placement.
pub fn plan_fixed(scenario: &Scenario, resolver: &solver::Resolver) -> Outcome {
    plan_on(scenario, |m| resolver.solve_fixed(m), |_, _, _, _| {})
}

/// The integral choices of `scenario`'s plan (warm-started from `resolver`'s base), to add to
/// the choices [`plan_fixed`] tries with [`solver::Resolver::add_patterns`]: `scenario`
/// is the base at a stress point (a delivery slipped far, a chip slower than expected), so that
/// a sample which breaks the base plan's placements finds one that fits without re-planning.
/// `None` when the scenario has no plan or another structure.
pub fn stress_pattern(scenario: &Scenario, resolver: &solver::Resolver) -> Option<solver::Pattern> {
    let prepared = prep::prepare(scenario);
    let built = build::build(scenario, &prepared);
    resolver.pattern(&built.model)
}

/// Adds `patterns` (from [`stress_pattern`]) to those [`plan_fixed`] tries, in order, after
/// the base plan's; returns how many patterns the resolver now has.
pub fn add_stress_patterns(
    scenario: &Scenario,
    resolver: &mut solver::Resolver,
    patterns: impl IntoIterator<Item = solver::Pattern>,
) -> usize {
    let prepared = prep::prepare(scenario);
    let built = build::build(scenario, &prepared);
    resolver.add_patterns(&built.model, patterns);
    resolver.patterns()
}

/// Plans `scenario` and makes it `resolver`'s base.
pub fn plan_base(scenario: &Scenario, resolver: &mut solver::Resolver) -> Outcome {
    plan_on(scenario, |m| resolver.solve_base(m), |_, _, _, _| {})
}

/// Prepares, builds, solves with `solve`, extracts the plan and lets `then` add to it (timed
/// with the extraction).
fn plan_on(
    scenario: &Scenario,
    solve: impl FnOnce(&lp::Model) -> solver::Solution,
    then: impl FnOnce(&prep::Prepared, &build::Built, &solver::Solution, &mut Plan),
) -> Outcome {
    // The performance model's calibration is fitted once per process (30–50 ms), like loading
    // the catalog: part of loading, not of building this model, and not timed as such.
    let _ = allot_perf::calibration();
    let t0 = Instant::now();
    let prepared = prep::prepare(scenario);
    let built = build::build(scenario, &prepared);
    let t1 = Instant::now();
    let solution = solve(&built.model);
    let t2 = Instant::now();
    let mut plan = extract::extract(scenario, &prepared, &built, &solution);
    then(&prepared, &built, &solution, &mut plan);
    Outcome::new(plan, built.model, t0, t1, t2)
}

/// The MIP gap of a step of a search that only asks whether a plan exists: any plan will do.
const FEASIBILITY_GAP: f64 = 1.0;

/// Plans `scenario` for the smallest largest-vendor share of compute spend (in every calendar
/// year) whose discounted cost is at most `(1 + within)` times the least-cost plan's.
///
/// Bisection on the share: each step adds a spend cap at that share for every vendor, and a cap
/// on the objective, and checks feasibility (the first plan found settles it; the gap is not
/// closed); `steps` bisections give the share to within `2^-steps`. The time limit bounds the
/// whole search: each step gets what is left, and a step that runs out of time ends the search
/// (it proves nothing about its share). Returns the least-cost plan (within the MIP gap, solved
/// once at the end) at the smallest feasible share found, the step's plan at that share when
/// that last solve finds nothing in the time left, or the least-cost plan itself when no share
/// below its own is feasible.
pub fn plan_min_vendor_share(
    scenario: &Scenario,
    settings: &SolveSettings,
    within: f64,
    steps: u32,
) -> Outcome {
    let start = Instant::now();
    let base = plan(scenario, settings);
    if !base.plan.status.has_solution() {
        return base;
    }
    let budget = base.plan.objective_usd * (1.0 + within.max(0.0));
    let vendors = scenario
        .catalog
        .vendors()
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    // A step only asks whether some plan at the share fits the allowance, so it takes the
    // first plan found (the dive's, usually) instead of closing the gap; the least-cost plan
    // at the share found is solved for once, at the end.
    let solve_at = |share: f64, gap: Option<f64>| -> Step<Outcome> {
        let Some(mut step_settings) = time_left(settings, start) else {
            return Step::OutOfTime;
        };
        if let Some(gap) = gap {
            step_settings.mip_gap = gap;
        }
        let t0 = Instant::now();
        let mut capped = scenario.clone();
        let caps = &mut capped.file.policy.vendor_cap;
        caps.retain(|c| c.basis != allot_scenario::ShareBasis::Spend);
        for v in &vendors {
            caps.push(allot_scenario::VendorCap {
                vendor: v.clone(),
                max_share: share,
                basis: allot_scenario::ShareBasis::Spend,
                counts: allot_scenario::CapCounts::Held,
                start: None,
                end: None,
            });
        }
        let prepared = prep::prepare(&capped);
        let mut built = build::build(&capped, &prepared);
        let model = &mut built.model;
        model.cap_objective(budget / build::MONEY_UNIT);
        let t1 = Instant::now();
        let mut solution = solver::solve(model, &step_settings);
        let t2 = Instant::now();
        if solution.status == SolveStatus::Optimal && solution.mip_gap > settings.mip_gap {
            // Within the step's gap, not the one asked for: should this plan be the answer
            // (the last solve finding nothing in time), it is feasible, with its gap.
            solution.status = SolveStatus::Feasible;
        }
        match solution.status {
            s if s.has_solution() => {
                let plan = extract::extract(&capped, &prepared, &built, &solution);
                Step::Feasible(Outcome::new(plan, built.model, t0, t1, t2))
            }
            SolveStatus::Infeasible => Step::Infeasible,
            _ => Step::OutOfTime,
        }
    };
    let largest = base.plan.vendor_share.values().copied().fold(0.0, f64::max);
    let lo = 1.0 / vendors.len().max(1) as f64;
    let mut search = bisect(lo, largest, steps, |share| {
        solve_at(share, Some(FEASIBILITY_GAP))
    });
    if search.best.is_some() {
        // The least-cost plan at the share found; the step's plan stands if it does not come.
        if let Step::Feasible(least) = solve_at(search.hi, None) {
            search.best = Some(least);
        }
    }
    match search.best {
        Some(mut o) => {
            let stopped = if search.out_of_time {
                format!(
                    "; the time limit stopped the search: the least share is between {:.1}% and {:.1}%",
                    search.lo * 100.0,
                    search.hi * 100.0
                )
            } else {
                String::new()
            };
            o.plan.status_message = format!(
                "{}; largest vendor share of spend capped at {:.1}% in every year (least-cost plan: {:.1}% overall), discounted cost within {:.1}% of the least cost{stopped}",
                o.plan.status_message,
                search.hi * 100.0,
                largest * 100.0,
                within * 100.0
            );
            o
        }
        None => base,
    }
}

/// `settings` with the time left of its limit since `start`, or `None` when none is left (or
/// the solves were asked to stop): a search of several solves shares one limit.
fn time_left(settings: &SolveSettings, start: Instant) -> Option<SolveSettings> {
    if progress::stopped() {
        return None;
    }
    let own = solver::Deadline::after_from(start, settings.time_limit_s);
    SolveSettings {
        deadline: settings.deadline.min(own),
        ..settings.clone()
    }
    .now()
}

/// What one step of a bisection found at its point.
#[derive(Debug)]
enum Step<T> {
    /// Feasible, with the result.
    Feasible(T),
    /// Proven infeasible.
    Infeasible,
    /// Neither, in the time there was.
    OutOfTime,
}

/// The end of a bisection: the last feasible result (at `hi`), and the interval left.
#[derive(Debug)]
struct Bisection<T> {
    best: Option<T>,
    lo: f64,
    hi: f64,
    out_of_time: bool,
}

/// Bisects `[lo, hi]` for the least point at which `attempt` is feasible, assuming feasibility
/// holds from some point up: at most `steps` attempts, stopping when the interval is under 1e-4
/// or an attempt runs out of time.
fn bisect<T>(
    mut lo: f64,
    mut hi: f64,
    steps: u32,
    mut attempt: impl FnMut(f64) -> Step<T>,
) -> Bisection<T> {
    let mut best = None;
    let mut out_of_time = false;
    for _ in 0..steps {
        if hi - lo < 1e-4 {
            break;
        }
        let mid = (lo + hi) / 2.0;
        match attempt(mid) {
            Step::Feasible(result) => {
                hi = mid;
                best = Some(result);
            }
            Step::Infeasible => lo = mid,
            Step::OutOfTime => {
                out_of_time = true;
                break;
            }
        }
    }
    Bisection {
        best,
        lo,
        hi,
        out_of_time,
    }
}

/// Plans `scenario` to finish training runs as early as possible at a discounted cost of at most
/// `(1 + within)` times the least-cost plan's: the objective becomes the work-weighted completion
/// period of every run (`Σ period index × share of the run's tokens trained in that period`,
/// which moves work to earlier periods), with the least cost capped. The time limit bounds both
/// solves.
pub fn plan_earliest(scenario: &Scenario, settings: &SolveSettings, within: f64) -> Outcome {
    let start = Instant::now();
    let mut base = plan(scenario, settings);
    if !base.plan.status.has_solution() {
        return base;
    }
    let Some(settings) = &time_left(settings, start) else {
        base.plan.status_message = format!(
            "{}; the time limit was reached before training could be moved earlier",
            base.plan.status_message
        );
        return base;
    };
    let t0 = Instant::now();
    let budget = base.plan.objective_usd * (1.0 + within.max(0.0));
    let prepared = prep::prepare(scenario);
    let mut built = build::build(scenario, &prepared);
    let model = &mut built.model;
    let constant = model.objective_constant;
    let terms = model.cap_objective(budget / build::MONEY_UNIT);
    for c in &mut model.cols {
        c.cost = 0.0;
    }
    model.objective_constant = 0.0;
    for (r, run) in prepared.training.iter().enumerate() {
        for (o, opt) in run.options.iter().enumerate() {
            for &(p, col) in &built.train_chips[r][o] {
                // Share of the run's tokens one unit of this column trains, times the period.
                let tokens = prepared.periods[p].hours
                    * 3600.0
                    * opt.tokens_per_s_per_chip
                    * build::CHIP_UNIT;
                model.cols[col.0].cost = (p as f64 + 1.0) * tokens / run.tokens.max(1.0);
            }
        }
    }
    let t1 = Instant::now();
    let mut solution = solver::solve(model, settings);
    let t2 = Instant::now();
    // Report the plan's cost, not the completion objective.
    if solution.status.has_solution() {
        let costs: f64 = terms.iter().map(|(c, v)| v * solution.values[c.0]).sum();
        solution.objective = costs + constant;
    }
    let mut plan = extract::extract(scenario, &prepared, &built, &solution);
    if plan.status.has_solution() {
        plan.status_message = format!(
            "{}; training moved as early as the cost allows (discounted cost within {:.1}% of the least cost)",
            plan.status_message,
            within * 100.0
        );
    }
    Outcome::new(plan, built.model, t0, t1, t2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feasible from 0.3 up: the bisection closes on 0.3 and returns the result at `hi`.
    #[test]
    fn bisection_closes_on_the_least_feasible_point() {
        let mut tried = Vec::new();
        let search = bisect(0.0, 1.0, 30, |x| {
            tried.push(x);
            if x >= 0.3 {
                Step::Feasible(x)
            } else {
                Step::Infeasible
            }
        });
        assert!(!search.out_of_time);
        assert!(search.lo < 0.3 && search.hi >= 0.3 && search.hi - search.lo < 1e-4);
        assert_eq!(search.best, Some(search.hi));
        assert_eq!(tried.len(), 14, "{tried:?}"); // 2^-14 < 1e-4
    }

    /// A step out of time proves nothing: the search stops with what it had, instead of taking
    /// the point for infeasible and moving past feasible shares.
    #[test]
    fn a_step_out_of_time_ends_the_bisection_with_its_best() {
        let mut calls = 0;
        let search = bisect(0.0, 1.0, 30, |x| {
            calls += 1;
            match calls {
                1 => Step::Feasible(x), // 0.5
                2 => Step::OutOfTime,   // 0.25: unknown
                _ => Step::Infeasible,
            }
        });
        assert!(search.out_of_time);
        assert_eq!(calls, 2);
        assert_eq!((search.lo, search.hi), (0.0, 0.5));
        assert_eq!(search.best, Some(0.5));
    }
}
