//! The solver seam: a [`Model`] is solved through one small trait, [`Backend`] (load a model,
//! set options, bounds, costs and a basis, run, read the status, values, duals and ranging),
//! and everything above it is solver-agnostic: the LP-first dive (`dive.rs`), the warm-started
//! [`Resolver`] (`resolver.rs`) and bound propagation (`propagation.rs`). HiGHS is the one
//! backend, in `highs.rs`, the only module that names the `highs` crate or its C API.
//!
//! A mixed-integer model is solved LP-first (`SolveSettings::lp_first`, the default):
//!
//! 1. the LP relaxation (binaries in `[0, 1]`, semi-continuous variables in `[0, hi]`) gives a
//!    lower bound, or proves the model infeasible;
//! 2. a dive fixes the binaries (exactly-one groups to their largest LP value, others rounded),
//!    re-solves, then fixes every semi-continuous variable the LP left between 0 and its
//!    minimum to 0 or to `[lo, hi]`, re-solving until none is left: each re-solve only moves
//!    bounds, so the solver starts from the previous basis;
//! 3. when that plan's cost is within the MIP gap of the bound it is returned as optimal within
//!    the gap, with the duals of the LP at the fixed choices; otherwise the full MIP is solved
//!    for plans that cost no more (the dive's plan stands if it finds none in time).
//!
//! Large relaxations use the interior-point method with crossover (a basis for the warm
//! starts); see ARCHITECTURE.md and BENCHMARKS.md. Settings are checked before any solve
//! ([`SolveSettings::validate`]): invalid ones end the solve with status `error`.

mod deadline;
mod dive;
pub mod highs;
mod propagation;
mod resolver;
mod settings;

use std::time::Instant;

use crate::lp::{Col, ColDef, Model};

pub use allot_plan_format::SolveStatus;
pub use deadline::{Deadline, PASSED as DEADLINE_PASSED};
pub use resolver::{Pattern, Resolver};
pub use settings::{
    InvalidSettings, MAX_THREADS, SettingsError, SolveSettings, check_time_limit, check_within,
};

/// The backend every solve uses.
pub(crate) type Solver = highs::Highs;

/// Integrality and semi-continuity tolerance of the dive.
const TOL: f64 = 1e-6;

/// One problem loaded into a solver: the seam between the algorithms of this module and a
/// solver library. Columns are the model's, by index; the objective is the model's without its
/// constant (`Model::objective_constant`). Setters return an error when the solver refuses a
/// value (never a panic); after a failed [`Backend::run`] the instance is unusable.
pub trait Backend: Sized {
    /// The solver's name, for messages.
    const NAME: &'static str;

    /// Loads `model`: as it is, or `relaxed` (integrality dropped, and a semi-continuous
    /// column taking any value from `min(lo, 0)` to `hi`).
    fn load(model: &Model, relaxed: bool) -> Result<Self, BackendError>;

    /// Sets the options every solve shares from `settings` (log, MIP gap, threads, presolve, a
    /// fixed random seed), with `time_limit_s` for the first run; has the solver report
    /// progress ([`crate::progress`]) when the thread listens.
    fn configure(
        &mut self,
        settings: &SolveSettings,
        time_limit_s: f64,
    ) -> Result<(), BackendError>;

    /// Lets the next run take at most `seconds` more.
    fn allow(&mut self, seconds: f64) -> Result<(), BackendError>;

    /// How the next runs solve an LP.
    fn set_method(&mut self, method: Method) -> Result<(), BackendError>;

    /// Has branch and bound look only for solutions whose objective (without the model's
    /// constant) is at most `bound`.
    fn set_objective_bound(&mut self, bound: f64) -> Result<(), BackendError>;

    /// Changes a column's bounds.
    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) -> Result<(), BackendError>;

    /// Changes a column's cost.
    fn set_col_cost(&mut self, col: usize, cost: f64) -> Result<(), BackendError>;

    /// The basis after a run, when there is a valid one.
    fn basis(&self) -> Option<Basis>;

    /// Starts the next run from `basis` (of an instance with the same columns and rows); a
    /// basis the solver refuses only loses the warm start.
    fn set_basis(&mut self, basis: &Basis);

    /// Solves. An error means the run failed and the instance is unusable.
    fn run(&mut self) -> Result<(), BackendError>;

    /// How the last run ended (`Error` before any run).
    fn status(&self) -> SolveStatus;

    /// The relative MIP gap of the last run.
    fn mip_gap(&self) -> f64;

    /// Column values and duals of the last run (empty before any run).
    fn values(&self) -> LpValues;

    /// Per row, the interval `[down, up]` of its active bound over which its dual holds, for
    /// the last run of an LP with an optimal basis.
    fn row_ranging(&mut self) -> Option<Vec<(f64, f64)>>;
}

/// How an LP is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The solver's choice (dual simplex, warm-started from the last basis).
    Choose,
    /// Interior point, with crossover to a basis (for the warm starts that follow).
    InteriorPoint,
}

/// The status of one column or row in a simplex basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasisStatus {
    /// Nonbasic at its lower bound.
    Lower,
    /// Basic.
    Basic,
    /// Nonbasic at its upper bound.
    Upper,
    /// Nonbasic free, at zero.
    Zero,
    /// Nonbasic, elsewhere.
    Nonbasic,
}

/// A simplex basis: the status of each column and each row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Per column.
    pub cols: Vec<BasisStatus>,
    /// Per row.
    pub rows: Vec<BasisStatus>,
}

/// Column values and duals after a run.
#[derive(Debug, Clone, Default)]
pub struct LpValues {
    /// Column values.
    pub cols: Vec<f64>,
    /// Row duals.
    pub row_duals: Vec<f64>,
    /// Column duals (reduced costs).
    pub col_duals: Vec<f64>,
}

/// A backend call that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackendError {
    /// The solver did not accept the model.
    #[error("{solver} rejected the model")]
    Rejected {
        /// The backend's name.
        solver: &'static str,
    },
    /// The solver refused an option's value.
    #[error("the solver refused option {name} = {value}")]
    Option {
        /// The option.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// A run failed.
    #[error("the solver failed")]
    Failed,
    /// An earlier failed run left no instance.
    #[error("the solver instance was lost in a failed run")]
    Lost,
}

/// How the solution was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolvePath {
    /// A linear program, solved directly.
    #[default]
    Lp,
    /// LP relaxation and dive, within the gap of the relaxation's bound.
    LpFirst,
    /// The solver's branch and bound (bounded by the cost of the dive's plan when it had one).
    Mip,
}

/// The outcome of a solve.
#[derive(Debug, Clone, Default)]
pub struct Solution {
    /// How it ended.
    pub status: SolveStatus,
    /// Objective value, including the model's constant.
    pub objective: f64,
    /// Column values.
    pub values: Vec<f64>,
    /// Row duals: of the LP itself, or for a mixed-integer model of the LP with every integral
    /// choice fixed at the plan's (empty when the plan came from branch and bound).
    pub row_duals: Vec<f64>,
    /// Reduced costs, on the same terms as `row_duals`.
    pub reduced_costs: Vec<f64>,
    /// Per row, the interval `[down, up]` of its active bound over which its dual holds (with
    /// `SolveSettings::ranging`; empty otherwise).
    pub row_ranges: Vec<(f64, f64)>,
    /// Relative gap between the plan and the best bound (0 for an LP).
    pub mip_gap: f64,
    /// How the solution was reached.
    pub path: SolvePath,
    /// Why the solve failed, when it did.
    pub message: String,
}

impl Solution {
    pub(crate) fn failed(status: SolveStatus, message: impl Into<String>) -> Solution {
        Solution {
            status,
            objective: f64::NAN,
            mip_gap: f64::NAN,
            message: message.into(),
            ..Solution::default()
        }
    }

    /// A solve not started: the command's deadline ([`Deadline`]) had passed.
    pub(crate) fn out_of_time() -> Solution {
        Solution::failed(SolveStatus::TimeLimitNoSolution, deadline::PASSED)
    }

    /// The failed solve of `model` under `settings` when either is invalid.
    fn refused(model: &Model, settings: &SolveSettings) -> Option<Solution> {
        let problem = match settings.validate() {
            Err(e) => e.to_string(),
            Ok(()) => model.invalid()?,
        };
        Some(Solution::failed(SolveStatus::Error, problem))
    }
}

/// Solves `model`.
pub fn solve(model: &Model, settings: &SolveSettings) -> Solution {
    solve_on::<Solver>(model, settings)
}

/// [`solve`] on backend `B`.
pub(crate) fn solve_on<B: Backend>(model: &Model, settings: &SolveSettings) -> Solution {
    if let Some(refused) = Solution::refused(model, settings) {
        return refused;
    }
    let Some(settings) = &settings.now() else {
        return Solution::out_of_time();
    };
    let start = Instant::now();
    if !model.is_mip() {
        return solve_direct::<B>(model, settings, settings.time_limit_s, None, SolvePath::Lp);
    }
    let dive = if settings.lp_first {
        dive::lp_first::<B>(model, settings, start)
    } else {
        dive::Dive::Nothing
    };
    dive::finish::<B>(model, settings, start, dive)
}

/// A change to a model: new bounds and costs for some of its columns.
#[derive(Debug, Clone, Default)]
pub struct Variant {
    /// New bounds `(column, lo, hi)`.
    pub bounds: Vec<(Col, f64, f64)>,
    /// New costs.
    pub costs: Vec<(Col, f64)>,
}

impl Variant {
    /// `model` with this variant's changes.
    pub fn apply(&self, model: &Model) -> Model {
        let mut m = model.clone();
        for &(c, lo, hi) in &self.bounds {
            m.cols[c.0].lo = lo;
            m.cols[c.0].hi = hi;
        }
        for &(c, cost) in &self.costs {
            m.cols[c.0].cost = cost;
        }
        m
    }
}

/// Solves `model` under each variant in turn. One solver instance serves them all, so each
/// variant's relaxation starts from the basis the one before left: a warm start, which makes a
/// variant that changes a few choices or prices much cheaper than a solve from scratch.
pub fn solve_variants(
    model: &Model,
    settings: &SolveSettings,
    variants: &[Variant],
) -> Vec<Solution> {
    let mut session: Option<Solver> = None;
    let mut touched: Vec<Col> = Vec::new();
    let mut out = Vec::with_capacity(variants.len());
    for variant in variants {
        let effective = variant.apply(model);
        let Some(settings) = &settings.now() else {
            out.push(Solution::out_of_time());
            continue;
        };
        if !settings.lp_first
            || !model.is_mip()
            || model.invalid().is_some()
            || settings.validate().is_err()
        {
            out.push(solve(&effective, settings));
            continue;
        }
        let start = Instant::now();
        let mut h = match session.take() {
            Some(s) => s,
            None => match dive::relaxation::<Solver>(model, settings, settings.time_limit_s) {
                Ok(instance) => instance,
                Err(e) => {
                    out.push(Solution::failed(SolveStatus::Error, e.to_string()));
                    continue;
                }
            },
        };
        // Undo the previous variant, then apply this one, in relaxed form.
        let this: Vec<Col> = variant
            .bounds
            .iter()
            .map(|b| b.0)
            .chain(variant.costs.iter().map(|c| c.0))
            .collect();
        let changed = touched.iter().chain(&this).try_for_each(|&c| {
            let def = &effective.cols[c.0];
            let (lo, hi) = relaxed_bounds(def);
            h.set_col_bounds(c.0, lo, hi)?;
            h.set_col_cost(c.0, def.cost)
        });
        touched = this;
        if let Err(e) = changed.and_then(|()| h.allow(settings.time_limit_s)) {
            out.push(Solution::failed(SolveStatus::Error, e.to_string()));
            continue;
        }
        let (dive, h) = dive::lp_first_with(h, &effective, settings, start);
        session = h;
        out.push(dive::finish::<Solver>(&effective, settings, start, dive));
    }
    out
}

/// The row duals and reduced costs of the LP with every integral choice fixed at `values`
/// (integers at their values; semi-continuous variables at 0 where they are 0, otherwise
/// within `[lo, hi]`), or `None` when that LP does not solve.
pub fn duals_at(
    model: &Model,
    values: &[f64],
    settings: &SolveSettings,
) -> Option<(Vec<f64>, Vec<f64>)> {
    if values.len() != model.cols.len() || settings.validate().is_err() {
        return None;
    }
    let settings = &settings.now()?;
    let s = solve_direct::<Solver>(
        &fixed_lp(model, values),
        settings,
        settings.time_limit_s,
        None,
        SolvePath::Lp,
    );
    s.status
        .has_solution()
        .then_some((s.row_duals, s.reduced_costs))
}

/// Solves the model as it is (LP, or MIP by branch and bound, looking only for plans that cost
/// at most `cutoff` when given).
fn solve_direct<B: Backend>(
    model: &Model,
    settings: &SolveSettings,
    time_limit_s: f64,
    cutoff: Option<f64>,
    path: SolvePath,
) -> Solution {
    let mut h = match B::load(model, false) {
        Ok(h) => h,
        Err(e) => return Solution::failed(SolveStatus::Error, e.to_string()),
    };
    if let Err(e) = h.configure(settings, time_limit_s) {
        return Solution::failed(SolveStatus::Error, e.to_string());
    }
    if let Some(cost) = cutoff {
        // Only plans that cost at most `cost` (a known plan's, which stays feasible): the
        // backend's objective has no constant.
        let bound = cost - model.objective_constant;
        if let Err(e) = h.set_objective_bound(bound + 1e-7 * bound.abs().max(1.0)) {
            return Solution::failed(SolveStatus::Error, e.to_string());
        }
    }
    crate::progress::phase(if model.is_mip() {
        "branch and bound"
    } else {
        "LP"
    });
    if let Err(e) = h.run() {
        return Solution::failed(SolveStatus::Error, e.to_string());
    }
    let status = h.status();
    let is_mip = model.is_mip();
    let mip_gap = if is_mip { h.mip_gap() } else { 0.0 };
    if !status.has_solution() {
        let mut s = Solution::failed(status, "");
        s.mip_gap = mip_gap;
        s.path = path;
        return s;
    }
    let sol = h.values();
    let values = snap(model, sol.cols);
    let (row_duals, reduced_costs) = if is_mip {
        (vec![], vec![])
    } else {
        (sol.row_duals, sol.col_duals)
    };
    let row_ranges = if settings.ranging && !is_mip && status == SolveStatus::Optimal {
        h.row_ranging().unwrap_or_default()
    } else {
        Vec::new()
    };
    Solution {
        status,
        objective: objective(model, &values),
        values,
        row_duals,
        reduced_costs,
        row_ranges,
        mip_gap,
        path,
        message: String::new(),
    }
}

/// The bounds of a column in the relaxation.
fn relaxed_bounds(c: &ColDef) -> (f64, f64) {
    if c.semi {
        (c.lo.min(0.0), c.hi)
    } else {
        (c.lo, c.hi)
    }
}

/// Rows `Σ x = 1` over binaries with coefficient 1: "exactly one of these".
fn exactly_one_groups(model: &Model) -> Vec<Vec<Col>> {
    let mut terms: Vec<Vec<(Col, f64)>> = vec![Vec::new(); model.rows.len()];
    for &(r, c, v) in &model.entries {
        if model.rows[r.0].lo == 1.0 && model.rows[r.0].hi == 1.0 {
            terms[r.0].push((c, v));
        }
    }
    terms
        .into_iter()
        .filter(|t| {
            !t.is_empty()
                && t.iter()
                    .all(|&(c, v)| v == 1.0 && model.cols[c.0].integer && model.cols[c.0].hi <= 1.0)
        })
        .map(|t| t.into_iter().map(|(c, _)| c).collect())
        .collect()
}

/// Rounds integral values and semi-continuous values near 0 exactly, so the plan reads clean.
fn snap(model: &Model, mut values: Vec<f64>) -> Vec<f64> {
    for (c, v) in model.cols.iter().zip(values.iter_mut()) {
        if c.integer {
            *v = v.round();
        } else if c.semi && v.abs() <= TOL {
            *v = 0.0;
        }
    }
    values
}

/// The relative gap of a plan's cost to a bound: `|cost − bound| / |cost|`.
fn relative_gap(cost: f64, bound: f64) -> f64 {
    if cost == bound {
        0.0
    } else {
        (cost - bound).abs() / cost.abs().max(1e-9)
    }
}

/// The objective of `values`, with the model's constant.
fn objective(model: &Model, values: &[f64]) -> f64 {
    model.objective_constant
        + model
            .cols
            .iter()
            .zip(values)
            .map(|(c, v)| c.cost * v)
            .sum::<f64>()
}

/// A solution made of known values (no duals).
fn evaluate(model: &Model, values: Vec<f64>, status: SolveStatus, mip_gap: f64) -> Solution {
    Solution {
        status,
        objective: objective(model, &values),
        values,
        mip_gap,
        ..Solution::default()
    }
}

/// `model` as an LP with its integral choices fixed at `values`: integers at their values,
/// semi-continuous variables at 0 where they are 0 and within `[lo, hi]` otherwise.
fn fixed_lp(model: &Model, values: &[f64]) -> Model {
    let mut fixed = model.clone();
    for ((c, &v), def) in fixed.cols.iter_mut().zip(values).zip(&model.cols) {
        (c.lo, c.hi) = fixed_bounds(def, v);
        c.integer = false;
        c.semi = false;
    }
    fixed
}

/// A column's bounds in the LP at fixed choices, its plan value being `v`.
fn fixed_bounds(c: &ColDef, v: f64) -> (f64, f64) {
    if c.integer {
        (v.round(), v.round())
    } else if c.semi && v.abs() <= TOL {
        (0.0, 0.0)
    } else {
        (c.lo, c.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both_paths() -> [SolveSettings; 2] {
        [
            SolveSettings::default(),
            SolveSettings {
                lp_first: false,
                ..SolveSettings::default()
            },
        ]
    }

    #[test]
    fn solves_a_small_mip_and_reports_infeasibility() {
        for settings in both_paths() {
            let mut m = Model::default();
            let x = m.col("x", 0.0, 10.0, 1.0);
            let y = m.binary("y", 3.0);
            m.row("need", 4.5, f64::INFINITY, &[(x, 1.0), (y, 5.0)]);
            let s = solve(&m, &settings);
            assert_eq!(s.status, SolveStatus::Optimal);
            assert!((s.objective - 3.0).abs() < 1e-6, "{}", s.objective);

            m.row("impossible", 100.0, f64::INFINITY, &[(x, 1.0)]);
            assert_eq!(solve(&m, &settings).status, SolveStatus::Infeasible);
        }
    }

    /// Invalid settings end every kind of solve with status `error` and the reason, before
    /// the solver sees them: no panic on an option it refuses, no misleading "out of time".
    #[test]
    fn invalid_settings_end_every_solve_with_an_error() {
        let mut m = Model::default();
        let x = m.col("x", 0.0, 10.0, 1.0);
        let y = m.binary("y", 3.0);
        m.row("need", 4.5, f64::INFINITY, &[(x, 1.0), (y, 5.0)]);
        let mut lp = Model::default();
        let z = lp.col("z", 0.0, 10.0, 1.0);
        lp.row("need", 1.0, f64::INFINITY, &[(z, 1.0)]);
        let bad = [
            SolveSettings {
                time_limit_s: -1.0,
                ..SolveSettings::default()
            },
            SolveSettings {
                time_limit_s: f64::NAN,
                ..SolveSettings::default()
            },
            SolveSettings {
                mip_gap: -1.0,
                ..SolveSettings::default()
            },
            SolveSettings {
                mip_gap: f64::NAN,
                lp_first: false,
                ..SolveSettings::default()
            },
            SolveSettings {
                threads: 0,
                ..SolveSettings::default()
            },
        ];
        for settings in bad {
            let reason = settings.validate().unwrap_err().to_string();
            for model in [&m, &lp] {
                let s = solve(model, &settings);
                assert_eq!(s.status, SolveStatus::Error, "{settings:?}");
                assert_eq!(s.message, reason);
            }
            let variants = solve_variants(&m, &settings, &[Variant::default()]);
            assert_eq!(variants[0].status, SolveStatus::Error);
            assert_eq!(duals_at(&m, &[4.5, 0.0], &settings), None);
            let mut resolver = Resolver::new(&settings);
            assert_eq!(resolver.solve_base(&m).status, SolveStatus::Error);
            assert_eq!(resolver.solve(&m).status, SolveStatus::Error);
            assert_eq!(resolver.solve_fixed(&m).status, SolveStatus::Error);
            assert!(resolver.pattern(&m).is_none());
        }
    }

    /// A run the relaxation splits between two clusters fits neither whole at the larger
    /// share: the dive fixes the choices in turn and finds the plan without branch and bound.
    #[test]
    fn a_dive_whose_largest_choice_does_not_fit_tries_the_next() {
        let mut m = Model::default();
        let ya = m.binary("ya", 0.0);
        let yb = m.binary("yb", 0.1);
        m.row("one", 1.0, 1.0, &[(ya, 1.0), (yb, 1.0)]);
        let xa = m.col("xa", 0.0, 6.0, 1.0);
        let xb = m.col("xb", 0.0, f64::INFINITY, 2.0);
        m.row("cap a", f64::NEG_INFINITY, 0.0, &[(xa, 1.0), (ya, -10.0)]);
        m.row("cap b", f64::NEG_INFINITY, 0.0, &[(xb, 1.0), (yb, -10.0)]);
        m.row("work", 8.0, f64::INFINITY, &[(xa, 1.0), (xb, 1.0)]);
        // The relaxation: xa = 6, xb = 2, yb = 0.2, ya = 0.8; a alone carries at most 6 < 8.
        // (Its bound, 10.02, is far below 16.1: a gap wide enough to take the dive's plan.)
        let settings = SolveSettings {
            mip_gap: 1.0,
            ..SolveSettings::default()
        };
        let s = solve(&m, &settings);
        assert_eq!(s.status, SolveStatus::Optimal);
        assert_eq!(s.path, SolvePath::LpFirst);
        assert!((s.objective - 16.1).abs() < 1e-6, "{}", s.objective);
        assert_eq!(s.values[yb.0], 1.0);
    }

    /// A choice the relaxation splits: the dive's plan is not within the gap, so branch and
    /// bound finishes from it.
    #[test]
    fn a_split_relaxation_falls_back_to_branch_and_bound() {
        // Choose one of a, b; each must then carry 10 units on a semi-continuous variable of
        // at least 6; a's units cost 1, b's 2 but a has a fixed charge of 15.
        let mut m = Model::default();
        let ya = m.binary("ya", 15.0);
        let yb = m.binary("yb", 0.0);
        m.row("one", 1.0, 1.0, &[(ya, 1.0), (yb, 1.0)]);
        let xa = m.semi_continuous("xa", 6.0, 10.0, 1.0);
        let xb = m.semi_continuous("xb", 6.0, 10.0, 2.0);
        m.row("cap a", f64::NEG_INFINITY, 0.0, &[(xa, 1.0), (ya, -10.0)]);
        m.row("cap b", f64::NEG_INFINITY, 0.0, &[(xb, 1.0), (yb, -10.0)]);
        m.row("work", 10.0, f64::INFINITY, &[(xa, 1.0), (xb, 1.0)]);
        for settings in both_paths() {
            let s = solve(&m, &settings);
            assert_eq!(s.status, SolveStatus::Optimal);
            // a: 15 + 10 = 25; b: 20.
            assert!((s.objective - 20.0).abs() < 1e-6, "{}", s.objective);
            assert_eq!(s.values[yb.0], 1.0);
        }
    }

    /// The dive's plan is within the gap: no branch and bound, and duals come with it.
    #[test]
    fn a_plan_within_the_gap_of_the_relaxation_comes_with_duals() {
        let mut m = Model::default();
        let ya = m.binary("ya", 0.0);
        let yb = m.binary("yb", 0.0);
        m.row("one", 1.0, 1.0, &[(ya, 1.0), (yb, 1.0)]);
        let xa = m.semi_continuous("xa", 2.0, 10.0, 1.0);
        let xb = m.semi_continuous("xb", 2.0, 10.0, 3.0);
        m.row("cap a", f64::NEG_INFINITY, 0.0, &[(xa, 1.0), (ya, -10.0)]);
        m.row("cap b", f64::NEG_INFINITY, 0.0, &[(xb, 1.0), (yb, -10.0)]);
        let work = m.row("work", 4.0, f64::INFINITY, &[(xa, 1.0), (xb, 1.0)]);
        let s = solve(&m, &SolveSettings::default());
        assert_eq!(s.status, SolveStatus::Optimal);
        assert_eq!(s.path, SolvePath::LpFirst);
        assert!((s.objective - 4.0).abs() < 1e-9);
        // One more unit of work costs 1 (on a).
        assert!(
            (s.row_duals[work.0] - 1.0).abs() < 1e-9,
            "{:?}",
            s.row_duals
        );
    }
}
