//! The HiGHS adapter: turns a [`Model`] into a HiGHS problem, solves it, and reports how the
//! solve ended as a value.
//!
//! A mixed-integer model is solved LP-first (`SolveSettings::lp_first`, the default):
//!
//! 1. the LP relaxation (binaries in `[0, 1]`, semi-continuous variables in `[0, hi]`) gives a
//!    lower bound, or proves the model infeasible;
//! 2. a dive fixes the binaries (exactly-one groups to their largest LP value, others rounded),
//!    re-solves, then fixes every semi-continuous variable the LP left between 0 and its
//!    minimum to 0 or to `[lo, hi]`, re-solving until none is left: each re-solve only moves
//!    bounds, so HiGHS starts from the previous basis;
//! 3. when that plan's cost is within the MIP gap of the bound it is returned as optimal within
//!    the gap, with the duals of the LP at the fixed choices; otherwise the full MIP is solved
//!    for plans that cost no more (the dive's plan stands if it finds none in time).
//!
//! Large relaxations use HiGHS's interior-point method with crossover (a basis for the warm
//! starts); see ARCHITECTURE.md and BENCHMARKS.md.

use std::os::raw::c_int;
use std::time::Instant;

use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense, SolvedModel};

use crate::lp::{Col, Model};

/// Relaxations with at least this many variables are solved by the interior-point method.
const IPM_MIN_COLS: usize = 50_000;

/// The share of the time limit the relaxation may use; the rest is for the dive and, when its
/// plan is not within the gap, branch and bound.
const RELAXATION_SHARE: f64 = 0.92;

/// At most this many rounds of fixing semi-continuous variables in the dive.
const DIVE_ROUNDS: usize = 200;

/// Integrality and semi-continuity tolerance of the dive.
const TOL: f64 = 1e-6;

/// Solver settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolveSettings {
    /// Wall-clock limit, seconds.
    pub time_limit_s: f64,
    /// Relative MIP gap at which to stop.
    pub mip_gap: f64,
    /// Solver threads.
    pub threads: u32,
    /// Print the solver's log to standard output.
    pub log: bool,
    /// Run HiGHS's presolve (its default).
    pub presolve: bool,
    /// Solve a mixed-integer model LP-first: relaxation, a dive to a plan, and the full MIP
    /// only when that plan is not within the gap (see the module docs). Off runs HiGHS's MIP
    /// solver directly.
    pub lp_first: bool,
    /// Also compute, for each row, the range of its bound over which its dual holds (HiGHS's
    /// ranging, for explanations); only for a plan from the LP-first dive.
    #[serde(default)]
    pub ranging: bool,
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            time_limit_s: 60.0,
            mip_gap: 1e-3,
            threads: 1,
            log: false,
            presolve: true,
            lp_first: true,
            ranging: false,
        }
    }
}

pub use allot_plan_format::SolveStatus;

/// How the solution was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolvePath {
    /// A linear program, solved directly.
    #[default]
    Lp,
    /// LP relaxation and dive, within the gap of the relaxation's bound.
    LpFirst,
    /// HiGHS's branch and bound (bounded by the cost of the dive's plan when it had one).
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
    fn failed(status: SolveStatus, message: impl Into<String>) -> Solution {
        Solution {
            status,
            objective: f64::NAN,
            mip_gap: f64::NAN,
            message: message.into(),
            ..Solution::default()
        }
    }
}

/// Solves `model` with HiGHS.
pub fn solve(model: &Model, settings: &SolveSettings) -> Solution {
    if let Some(problem) = model.invalid() {
        return Solution::failed(SolveStatus::Error, problem);
    }
    let start = Instant::now();
    if !model.is_mip() {
        return solve_direct(model, settings, settings.time_limit_s, None, SolvePath::Lp);
    }
    let dive = if settings.lp_first {
        lp_first(model, settings, start)
    } else {
        Dive::Nothing
    };
    finish(model, settings, start, dive)
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

/// Solves `model` under each variant in turn. One HiGHS instance serves them all, so each
/// variant's relaxation starts from the basis the one before left: a warm start, which makes a
/// variant that changes a few choices or prices much cheaper than a solve from scratch.
pub fn solve_variants(
    model: &Model,
    settings: &SolveSettings,
    variants: &[Variant],
) -> Vec<Solution> {
    let mut session: Option<(highs::Model, Vec<highs::Col>)> = None;
    let mut touched: Vec<Col> = Vec::new();
    let mut out = Vec::with_capacity(variants.len());
    for variant in variants {
        let effective = variant.apply(model);
        if !settings.lp_first || !model.is_mip() || model.invalid().is_some() {
            out.push(solve(&effective, settings));
            continue;
        }
        let start = Instant::now();
        let (mut h, cols) = match session.take() {
            Some(s) => s,
            None => match relaxation(model, settings, settings.time_limit_s) {
                Ok(instance) => instance,
                Err(e) => {
                    out.push(Solution::failed(SolveStatus::Error, e));
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
        for &c in touched.iter().chain(&this) {
            let def = &effective.cols[c.0];
            let (lo, hi) = relaxed_bounds(def);
            h.change_column_bounds(cols[c.0], lo..=hi);
            h.change_column_cost(cols[c.0], def.cost);
        }
        touched = this;
        allow(&mut h, settings.time_limit_s);
        let (dive, h) = lp_first_with(h, &cols, &effective, settings, start);
        if let Some(h) = h {
            session = Some((h, cols));
        }
        out.push(finish(&effective, settings, start, dive));
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
    if values.len() != model.cols.len() {
        return None;
    }
    let s = solve_direct(
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

/// After the dive: its answer, or branch and bound (from its plan, when it has one).
fn finish(model: &Model, settings: &SolveSettings, start: Instant, dive: Dive) -> Solution {
    let incumbent = match dive {
        Dive::Done(solution) => return solution,
        Dive::Incumbent(values) => Some(values),
        Dive::Nothing => None,
    };
    let left = (settings.time_limit_s - start.elapsed().as_secs_f64()).max(0.0);
    if left <= 0.0 || crate::progress::stopped() {
        return match incumbent {
            Some(values) => {
                let mut s = evaluate(model, values, SolveStatus::Feasible, f64::NAN);
                s.path = SolvePath::LpFirst;
                s
            }
            None => Solution::failed(SolveStatus::TimeLimitNoSolution, ""),
        };
    }
    // The dive's plan bounds what branch and bound looks for. It is not passed as a starting
    // solution: HiGHS 1.16 evaluates a start in its presolved space without the objective
    // offset presolve creates, takes it for better than it is and stops, calling it optimal
    // (found on examples/frontier-lab.toml with a 50% vendor cap: "optimal" at $516.45B where
    // $505.30B is feasible).
    let cutoff = incumbent.as_deref().map(|values| objective(model, values));
    let mip = solve_direct(model, settings, left, cutoff, SolvePath::Mip);
    if mip.status.has_solution() {
        return mip;
    }
    match incumbent {
        // Branch and bound failed to keep even the incumbent (it timed out in presolve, say):
        // the dive's plan still stands.
        Some(values) => {
            let mut s = evaluate(model, values, SolveStatus::Feasible, f64::NAN);
            s.path = SolvePath::LpFirst;
            s
        }
        None => mip,
    }
}

/// What the LP-first dive found.
enum Dive {
    /// A final answer: infeasible, or a plan within the gap.
    Done(Solution),
    /// A plan, not within the gap: the cost branch and bound must beat.
    Incumbent(Vec<f64>),
    /// Nothing useful (the relaxation or a fixed LP failed).
    Nothing,
}

/// Relaxation, then the dive; see the module docs.
fn lp_first(model: &Model, settings: &SolveSettings, start: Instant) -> Dive {
    // The relaxation may use most of the time; if it cannot finish, the solve ends without a
    // plan (see `lp_first_with`).
    let Ok((h, cols)) = relaxation(model, settings, settings.time_limit_s * RELAXATION_SHARE)
    else {
        return Dive::Nothing;
    };
    lp_first_with(h, &cols, model, settings, start).0
}

/// The HiGHS instance of `model`'s relaxation, configured, with the interior-point method for a
/// large one (crossover on, for a basis).
fn relaxation(
    model: &Model,
    settings: &SolveSettings,
    time_limit_s: f64,
) -> Result<(highs::Model, Vec<highs::Col>), String> {
    let (mut h, cols) = to_highs(model, true)?;
    configure(&mut h, settings, time_limit_s);
    if model.cols.len() >= IPM_MIN_COLS {
        h.set_option("solver", "ipm");
        h.set_option("run_crossover", "on");
    }
    Ok((h, cols))
}

/// The relaxation and dive of `model` on a HiGHS model `h` that holds its relaxation (and
/// perhaps a basis from an earlier solve); returns `h` with the relaxed bounds restored, for
/// the next variant.
fn lp_first_with(
    h: highs::Model,
    cols: &[highs::Col],
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
) -> (Dive, Option<highs::Model>) {
    crate::progress::phase("relaxation");
    let Ok(solved) = h.try_solve() else {
        return (Dive::Nothing, None);
    };
    let ended = match status_of(&solved) {
        SolveStatus::Optimal => None,
        // The relaxation has no solution, so the model has none.
        SolveStatus::Infeasible => Some(SolveStatus::Infeasible),
        // Out of time: branch and bound in the few seconds left finds no plan, and its
        // presolve, which does not watch the clock, overran a 60 s limit by 26 s on a
        // 1.09M-variable model. The solve ends here.
        SolveStatus::TimeLimitNoSolution | SolveStatus::Feasible => {
            Some(SolveStatus::TimeLimitNoSolution)
        }
        _ => return (Dive::Nothing, Some(solved.into())),
    };
    if let Some(status) = ended {
        let mut s = Solution::failed(status, "");
        s.path = SolvePath::LpFirst;
        return (Dive::Done(s), Some(solved.into()));
    }
    let relaxed = solved.get_solution().columns().to_vec();
    let bound = objective(model, &relaxed);
    let mut h: highs::Model = solved.into();
    h.set_option("solver", "choose");
    let (dive, h) = dive(h, cols, model, settings, start, &relaxed, bound);
    // Restore the relaxation's bounds for the next variant.
    let h = h.map(|mut h| {
        for (i, c) in model.cols.iter().enumerate() {
            if c.integer || c.semi {
                let (lo, hi) = relaxed_bounds(c);
                h.change_column_bounds(cols[i], lo..=hi);
            }
        }
        h
    });
    (dive, h)
}

/// The bounds of a column in the relaxation.
fn relaxed_bounds(c: &crate::lp::ColDef) -> (f64, f64) {
    if c.semi {
        (c.lo.min(0.0), c.hi)
    } else {
        (c.lo, c.hi)
    }
}

/// The dive from the relaxation's solution `relaxed`, of cost `bound`.
fn dive(
    mut h: highs::Model,
    cols: &[highs::Col],
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
    relaxed: &[f64],
    bound: f64,
) -> (Dive, Option<highs::Model>) {
    // Fix the binaries: each exactly-one group to its largest value, the rest rounded.
    let mut fixed: Vec<Option<(f64, f64)>> = vec![None; model.cols.len()];
    for group in exactly_one_groups(model) {
        let best = group
            .iter()
            .copied()
            .max_by(|a, b| relaxed[a.0].total_cmp(&relaxed[b.0]).then(b.0.cmp(&a.0)))
            .expect("groups are not empty");
        for c in group {
            let v = if c == best { 1.0 } else { 0.0 };
            fixed[c.0] = Some((v, v));
        }
    }
    for (i, c) in model.cols.iter().enumerate() {
        if c.integer && fixed[i].is_none() {
            let v = relaxed[i].round().clamp(c.lo, c.hi);
            fixed[i] = Some((v, v));
        }
    }
    for (i, f) in fixed.iter().enumerate() {
        if let Some((lo, hi)) = *f {
            h.change_column_bounds(cols[i], lo..=hi);
        }
    }
    // Then re-solve, and fix each semi-continuous variable left strictly between 0 and its
    // minimum, until none is. Each round rounds such a value up when it is at least half of
    // the minimum and down otherwise; when that makes the LP infeasible, the round is redone
    // with every one of its values rounded up, then down, then with only its first value
    // rounded (up, then down).
    let mut last_round: Vec<usize> = Vec::new();
    let mut retried = 0u8;
    let mut first = true;
    for round in 1..=DIVE_ROUNDS {
        let left = settings.time_limit_s - start.elapsed().as_secs_f64();
        if left <= 0.0 || crate::progress::stopped() {
            return (Dive::Nothing, Some(h));
        }
        crate::progress::dive_round(round);
        allow(&mut h, left);
        let Ok(solved) = h.try_solve() else {
            return (Dive::Nothing, None);
        };
        match status_of(&solved) {
            SolveStatus::Optimal => retried = 0,
            SolveStatus::Infeasible if first => {
                // The largest LP values together do not fit (a run the LP split between two
                // clusters fits neither whole): fix the groups one at a time instead.
                first = false;
                match fix_groups_in_turn(
                    solved.into(),
                    cols,
                    model,
                    settings,
                    start,
                    relaxed,
                    &mut fixed,
                ) {
                    Ok(again) => h = again,
                    Err(h) => return (Dive::Nothing, h),
                }
                continue;
            }
            SolveStatus::Infeasible if retried < 4 && !last_round.is_empty() => {
                // Redo the round with every value rounded up, then every one down; then round
                // only its first value, up then down, and let the LP move the others.
                retried += 1;
                h = solved.into();
                for (k, &i) in last_round.iter().enumerate() {
                    let c = &model.cols[i];
                    let bounds = match (retried, k) {
                        (1, _) | (3, 0) => Some((c.lo, c.hi)),
                        (2, _) | (4, 0) => Some((0.0, 0.0)),
                        _ => None,
                    };
                    fixed[i] = bounds;
                    let (lo, hi) = bounds.unwrap_or_else(|| relaxed_bounds(c));
                    h.change_column_bounds(cols[i], lo..=hi);
                }
                continue;
            }
            _ => return (Dive::Nothing, Some(solved.into())),
        }
        first = false;
        let sol = solved.get_solution();
        let values = sol.columns().to_vec();
        last_round.clear();
        for (i, c) in model.cols.iter().enumerate() {
            if c.semi
                && fixed[i].is_none()
                && values[i] > TOL
                && values[i] < c.lo - TOL * c.lo.abs().max(1.0)
            {
                last_round.push(i);
            }
        }
        if last_round.is_empty() {
            let cost = objective(model, &values);
            let gap = relative_gap(cost, bound);
            let dive = if gap <= settings.mip_gap {
                let mut solved_h: highs::Model = solved.into();
                let row_ranges = if settings.ranging {
                    ffi::row_ranging(&mut solved_h, model.cols.len(), model.rows.len())
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                let d = Dive::Done(Solution {
                    status: SolveStatus::Optimal,
                    objective: cost,
                    values: snap(model, values),
                    row_duals: sol.dual_rows().to_vec(),
                    reduced_costs: sol.dual_columns().to_vec(),
                    row_ranges,
                    mip_gap: gap,
                    path: SolvePath::LpFirst,
                    message: String::new(),
                });
                return (d, Some(solved_h));
            } else {
                Dive::Incumbent(snap(model, values))
            };
            return (dive, Some(solved.into()));
        }
        h = solved.into();
        for &i in &last_round {
            let c = &model.cols[i];
            let bounds = if values[i] >= 0.5 * c.lo {
                (c.lo, c.hi)
            } else {
                (0.0, 0.0)
            };
            fixed[i] = Some(bounds);
            h.change_column_bounds(cols[i], bounds.0..=bounds.1);
        }
    }
    (Dive::Nothing, Some(h))
}

/// Lets the next run of `h` take at most `seconds` more.
fn allow(h: &mut highs::Model, seconds: f64) {
    let spent = ffi::run_time(h);
    h.set_option("time_limit", spent + seconds.max(0.0));
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

/// The relative gap HiGHS reports: `|cost − bound| / |cost|`.
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

/// Builds the HiGHS problem, and handles to its columns; `relaxed` drops integrality
/// (semi-continuous variables may then take any value from 0).
fn to_highs(model: &Model, relaxed: bool) -> Result<(highs::Model, Vec<highs::Col>), String> {
    let mut pb = RowProblem::new();
    let cols: Vec<highs::Col> = model
        .cols
        .iter()
        .map(|c| {
            if relaxed || !(c.integer || c.semi) {
                let lo = if c.semi { c.lo.min(0.0) } else { c.lo };
                pb.add_column(c.cost, lo..=c.hi)
            } else if c.semi {
                pb.add_semi_continuous_column(c.cost, c.lo..=c.hi)
            } else {
                pb.add_integer_column(c.cost, c.lo..=c.hi)
            }
        })
        .collect();
    let mut by_row: Vec<Vec<(highs::Col, f64)>> = vec![Vec::new(); model.rows.len()];
    for &(r, c, v) in &model.entries {
        by_row[r.0].push((cols[c.0], v));
    }
    for (r, terms) in model.rows.iter().zip(by_row) {
        pb.add_row(r.lo..=r.hi, terms);
    }
    let h = pb
        .try_optimise(Sense::Minimise)
        .map_err(|_| "HiGHS rejected the model".to_string())?;
    Ok((h, cols))
}

/// Sets the options every solve shares.
fn configure(h: &mut highs::Model, settings: &SolveSettings, time_limit_s: f64) {
    if settings.log {
        h.set_option("output_flag", true);
        h.set_option("log_to_console", true);
    } else {
        h.make_quiet();
    }
    h.set_option("time_limit", time_limit_s);
    h.set_option("mip_rel_gap", settings.mip_gap);
    h.set_option("threads", settings.threads.max(1) as i32);
    h.set_option("random_seed", 1);
    if !settings.presolve {
        h.set_option("presolve", "off");
    }
    if crate::progress::wanted() {
        ffi::report_progress(h);
    }
}

/// Solves the model as it is (LP, or MIP by branch and bound, looking only for plans that cost
/// at most `cutoff` when given).
fn solve_direct(
    model: &Model,
    settings: &SolveSettings,
    time_limit_s: f64,
    cutoff: Option<f64>,
    path: SolvePath,
) -> Solution {
    let Ok((mut h, _)) = to_highs(model, false) else {
        return Solution::failed(SolveStatus::Error, "HiGHS rejected the model");
    };
    configure(&mut h, settings, time_limit_s);
    if let Some(cost) = cutoff {
        // Only plans that cost at most `cost` (a known plan's, which stays feasible): HiGHS's
        // objective has no constant.
        let bound = cost - model.objective_constant;
        h.set_option("objective_bound", bound + 1e-7 * bound.abs().max(1.0));
    }
    crate::progress::phase(if model.is_mip() {
        "branch and bound"
    } else {
        "LP"
    });
    let Ok(solved) = h.try_solve() else {
        return Solution::failed(SolveStatus::Error, "the solver failed");
    };
    let status = status_of(&solved);
    let is_mip = model.is_mip();
    let mip_gap = if is_mip { solved.mip_gap() } else { 0.0 };
    if !status.has_solution() {
        let mut s = Solution::failed(status, "");
        s.mip_gap = mip_gap;
        s.path = path;
        return s;
    }
    let sol = solved.get_solution();
    let values = snap(model, sol.columns().to_vec());
    let (row_duals, reduced_costs) = if is_mip {
        (vec![], vec![])
    } else {
        (sol.dual_rows().to_vec(), sol.dual_columns().to_vec())
    };
    let row_ranges = if settings.ranging && !is_mip && status == SolveStatus::Optimal {
        let mut h: highs::Model = solved.into();
        ffi::row_ranging(&mut h, model.cols.len(), model.rows.len()).unwrap_or_default()
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

/// How a HiGHS run ended, as a status.
fn status_of(solved: &SolvedModel) -> SolveStatus {
    let has_primal = matches!(
        solved.primal_solution_status(),
        HighsSolutionStatus::Feasible
    );
    match solved.status() {
        HighsModelStatus::Optimal | HighsModelStatus::ModelEmpty => SolveStatus::Optimal,
        HighsModelStatus::Infeasible => SolveStatus::Infeasible,
        HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => {
            SolveStatus::Unbounded
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
            if has_primal =>
        {
            SolveStatus::Feasible
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedInterrupt => SolveStatus::TimeLimitNoSolution,
        _ => SolveStatus::Error,
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

    /// The LP and MPS dumps are the model: HiGHS reading either file finds the optimum of the
    /// model solved directly, over every kind of column and row the writers handle.
    #[test]
    fn lp_and_mps_dumps_solve_to_the_same_optimum() {
        let mut m = Model::default();
        let x = m.col("buy h100/2026-01", 0.0, 10.0, 1.0);
        let y = m.binary("place run", 3.0);
        let z = m.semi_continuous("cluster", 2.0, 6.0, -0.5);
        let w = m.col("free", f64::NEG_INFINITY, f64::INFINITY, 0.25);
        let v = m.col("fixed", 1.5, 1.5, 2.0);
        let u = m.col("negative", -3.0, 4.0, 0.1);
        let t = m.col("unused", 0.0, 1.0, 0.0);
        m.row("need", 4.5, f64::INFINITY, &[(x, 1.0), (y, 5.0)]);
        m.row("range", 1.0, 7.0, &[(x, 1.0), (z, 1.0)]);
        m.row("equal", 2.0, 2.0, &[(w, 1.0), (x, 0.5), (v, -1.0)]);
        m.row("at most", f64::NEG_INFINITY, 5.0, &[(z, 1.0), (u, -1.0)]);
        m.row(
            "free row",
            f64::NEG_INFINITY,
            f64::INFINITY,
            &[(x, 1.0), (t, 1.0)],
        );
        m.objective_constant = 12.5;
        let direct = solve(&m, &SolveSettings::default());
        assert_eq!(direct.status, SolveStatus::Optimal);
        let dir = std::env::temp_dir().join(format!("allot-dump-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in [("model.lp", m.write_lp()), ("model.mps", m.write_mps())] {
            let path = dir.join(file);
            std::fs::write(&path, text).unwrap();
            let (status, objective) = ffi::solve_file(&path).expect("HiGHS reads the dump");
            assert_eq!(status, highs_sys::MODEL_STATUS_OPTIMAL, "{file}");
            assert!(
                (objective - direct.objective).abs() < 1e-6 * direct.objective.abs().max(1.0),
                "{file}: {objective} against {}",
                direct.objective
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
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

/// Re-solves variants of one model (same columns, rows and nonzero pattern: the same scenario
/// with other prices, demands, delivery dates or chip speeds), each warm-started from the
/// optimal basis of the first model's relaxation. Every variant starts from that same basis,
/// whatever was solved before it, so the answers do not depend on the order of the variants
/// or on which thread solves which: Monte Carlo results stay reproducible. A model of another
/// structure is solved from scratch.
pub struct Resolver {
    settings: SolveSettings,
    base: Option<Base>,
}

/// The first model's structure and its relaxation's optimal basis.
struct Base {
    shape: Shape,
    col_status: Vec<c_int>,
    row_status: Vec<c_int>,
    /// The integral choices `solve_fixed` tries, in order: the base plan's first, then those
    /// added with [`Resolver::add_patterns`].
    patterns: Vec<Pattern>,
}

/// A plan's integral choices (which run goes where, and when its clusters are on) and the
/// optimal basis of its LP at those choices: one candidate of a recourse plan.
#[derive(Debug, Clone)]
pub struct Pattern {
    values: Vec<f64>,
    col_status: Vec<c_int>,
    row_status: Vec<c_int>,
}

impl Pattern {
    /// The pattern of `values` (a plan of `model`) with its fixed LP's optimal basis, or
    /// `None` when that LP has no optimal basis.
    fn of(model: &Model, values: &[f64], settings: &SolveSettings) -> Option<Pattern> {
        let lp = fixed_lp(model, values);
        let (mut h, _) = to_highs(&lp, false).ok()?;
        configure(&mut h, settings, settings.time_limit_s);
        let solved = h.try_solve().ok()?;
        if status_of(&solved) != SolveStatus::Optimal {
            return None;
        }
        let h: highs::Model = solved.into();
        let (col_status, row_status) = ffi::get_basis(&h, lp.cols.len(), lp.rows.len())?;
        Some(Pattern {
            values: values.to_vec(),
            col_status,
            row_status,
        })
    }

    /// Whether two patterns make the same integral choices: the same LP at fixed choices.
    fn same_choices(&self, other: &Pattern, model: &Model) -> bool {
        model
            .cols
            .iter()
            .zip(self.values.iter().zip(&other.values))
            .all(|(c, (&a, &b))| fixed_bounds(c, a) == fixed_bounds(c, b))
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
fn fixed_bounds(c: &crate::lp::ColDef, v: f64) -> (f64, f64) {
    if c.integer {
        (v.round(), v.round())
    } else if c.semi && v.abs() <= TOL {
        (0.0, 0.0)
    } else {
        (c.lo, c.hi)
    }
}

impl Resolver {
    /// A resolver with these settings.
    pub fn new(settings: &SolveSettings) -> Resolver {
        Resolver {
            settings: settings.clone(),
            base: None,
        }
    }

    /// Solves `model`: the first one from scratch (its relaxation's basis is kept), later ones
    /// of the same structure from that basis.
    pub fn solve(&self, model: &Model) -> Solution {
        self.solve_from_base(model, false)
    }

    /// Whether `model` has the base's structure, so the base's bases fit it.
    fn fits(&self, model: &Model) -> bool {
        self.base.as_ref().is_some_and(|b| b.shape.fits(model))
    }

    /// [`Resolver::solve`]; with `any_plan`, the dive's plan is returned even when it is not
    /// within the gap (no branch and bound).
    fn solve_from_base(&self, model: &Model, any_plan: bool) -> Solution {
        if model.invalid().is_some() || !model.is_mip() || !self.settings.lp_first {
            return solve(model, &self.settings);
        }
        let Some(base) = self.base.as_ref().filter(|_| self.fits(model)) else {
            return solve(model, &self.settings);
        };
        let start = Instant::now();
        let Ok((mut h, cols)) = to_highs(model, true) else {
            return solve(model, &self.settings);
        };
        configure(&mut h, &self.settings, self.settings.time_limit_s);
        ffi::set_basis(&mut h, &base.col_status, &base.row_status);
        let (dive, _) = lp_first_with(h, &cols, model, &self.settings, start);
        match dive {
            Dive::Incumbent(values) if any_plan => {
                evaluate(model, values, SolveStatus::Feasible, f64::INFINITY)
            }
            dive => finish(model, &self.settings, start, dive),
        }
    }

    /// Solves `model` from scratch and keeps its relaxation's basis as the start of later
    /// solves.
    pub fn solve_base(&mut self, model: &Model) -> Solution {
        self.base = None;
        if model.invalid().is_some() || !model.is_mip() || !self.settings.lp_first {
            return solve(model, &self.settings);
        }
        let start = Instant::now();
        let Ok((h, cols)) = relaxation(model, &self.settings, self.settings.time_limit_s) else {
            return solve(model, &self.settings);
        };
        let Ok(solved) = h.try_solve() else {
            return solve(model, &self.settings);
        };
        let mut h: highs::Model = solved.into();
        if let Some((col_status, row_status)) =
            ffi::get_basis(&h, model.cols.len(), model.rows.len())
        {
            self.base = Some(Base {
                shape: Shape::of(model),
                col_status,
                row_status,
                patterns: Vec::new(),
            });
        }
        h.set_option("solver", "choose");
        let (dive, _) = lp_first_with(h, &cols, model, &self.settings, start);
        let solution = finish(model, &self.settings, start, dive);
        if solution.status.has_solution() {
            if let Some(base) = &mut self.base {
                base.patterns
                    .extend(Pattern::of(model, &solution.values, &self.settings));
            }
        }
        solution
    }

    /// The integral choices of `model`'s plan (solved as by [`Resolver::solve`]), for
    /// [`Resolver::add_patterns`]: `model` is a variant of the base at some stress point (a
    /// delivery slipped far, a chip slower than expected). `None` when it has no plan or is of
    /// another structure.
    pub fn pattern(&self, model: &Model) -> Option<Pattern> {
        if !self.fits(model) {
            return None;
        }
        let solution = self.solve_from_base(model, true);
        if !solution.status.has_solution() {
            return None;
        }
        Pattern::of(model, &solution.values, &self.settings)
    }

    /// Adds `patterns`, in order, to those `solve_fixed` tries after the base plan's; one
    /// making the same choices as a pattern already there is skipped.
    pub fn add_patterns(&mut self, model: &Model, patterns: impl IntoIterator<Item = Pattern>) {
        let Some(base) = self.base.as_mut() else {
            return;
        };
        if !base.shape.fits(model) {
            return;
        }
        for p in patterns {
            if p.values.len() == model.cols.len()
                && !base.patterns.iter().any(|q| q.same_choices(&p, model))
            {
                base.patterns.push(p);
            }
        }
    }

    /// The patterns `solve_fixed` tries, the base plan's first.
    pub fn patterns(&self) -> usize {
        self.base.as_ref().map_or(0, |b| b.patterns.len())
    }

    /// Solves `model` with the base plan's integral choices kept (which run goes where, and
    /// in which periods a cluster is on), re-optimising everything continuous (capacity bought,
    /// serving mixes, cluster sizes) from that choice's fixed-LP basis: a recourse plan,
    /// feasible but not always optimal for `model`. When those choices no longer fit (a
    /// delivery slipped), the patterns added with [`Resolver::add_patterns`] are tried in
    /// order, each skipped without an LP when bound propagation proves it infeasible. When none
    /// fits, only the base plan's placements are kept and the dive picks the months; then one
    /// run at a time is freed; then every choice is re-planned from the base's basis. Either
    /// way the dive's plan is returned without branch and bound. A model of another structure
    /// is solved as by `solve`.
    pub fn solve_fixed(&self, model: &Model) -> Solution {
        let Some(base) = self.base.as_ref().filter(|_| self.fits(model)) else {
            return self.solve(model);
        };
        let Some(first) = base.patterns.first() else {
            return self.solve(model);
        };
        // The patterns in order; the first whose LP is feasible wins. A pattern the bounds
        // alone prove infeasible (a run's cluster on in a month its chips are not delivered)
        // costs no LP.
        let propagation = Propagation::new(model);
        for (k, pattern) in base.patterns.iter().enumerate() {
            let (lo, hi) = model
                .cols
                .iter()
                .zip(&pattern.values)
                .map(|(c, &v)| fixed_bounds(c, v))
                .unzip();
            if propagation.infeasible(lo, hi) {
                continue;
            }
            let lp = fixed_lp(model, &pattern.values);
            let Ok((mut h, _)) = to_highs(&lp, false) else {
                return self.solve(model);
            };
            configure(&mut h, &self.settings, self.settings.time_limit_s);
            ffi::set_basis(&mut h, &pattern.col_status, &pattern.row_status);
            let Ok(solved) = h.try_solve() else {
                return self.solve(model);
            };
            if status_of(&solved) != SolveStatus::Optimal {
                continue;
            }
            let sol = solved.get_solution();
            let values = snap(model, sol.columns().to_vec());
            return Solution {
                status: SolveStatus::Feasible,
                objective: objective(model, &values),
                values,
                row_duals: sol.dual_rows().to_vec(),
                reduced_costs: sol.dual_columns().to_vec(),
                row_ranges: Vec::new(),
                // Unknown: marked infinite, which the plan reads as "placements kept".
                mip_gap: f64::INFINITY,
                path: SolvePath::Lp,
                message: if k == 0 {
                    "the base plan's placements kept; capacity and serving re-optimised".into()
                } else {
                    format!(
                        "the placements of stress plan {k} kept; capacity and serving re-optimised"
                    )
                },
            };
        }
        // No pattern fits (a delivery slipped, say): keep only where each run goes, as the
        // base plan placed it, and let the dive choose its months again.
        let mut placed = model.clone();
        for (c, &v) in placed.cols.iter_mut().zip(first.values.iter()) {
            if c.integer {
                c.lo = v.round();
                c.hi = c.lo;
            }
        }
        // A recourse plan is feasible, its gap unknown (marked infinite: "placements kept").
        let recourse = |s: Solution| {
            s.status.has_solution().then_some(Solution {
                status: SolveStatus::Feasible,
                mip_gap: f64::INFINITY,
                ..s
            })
        };
        if let Some(s) = recourse(self.solve_from_base(&placed, true)) {
            return s;
        }
        // A run must move: free one exactly-one group (a run's placement) at a time, the
        // others kept, in order; the first that fits wins. Then every choice.
        for group in exactly_one_groups(model) {
            let mut moved = placed.clone();
            for c in &group {
                moved.cols[c.0].lo = model.cols[c.0].lo;
                moved.cols[c.0].hi = model.cols[c.0].hi;
            }
            if let Some(s) = recourse(self.solve_from_base(&moved, true)) {
                return s;
            }
        }
        self.solve_from_base(model, true)
    }
}

/// The dive's fallback when its first fixing is infeasible: the exactly-one groups are freed
/// and fixed one at a time, the most decided first (largest LP value), each to its option with
/// the largest value in the latest LP that fits (the LP re-solved after each fix, warm). Other
/// fixes in `fixed` stay. Returns the instance when every group found an option; otherwise
/// the instance, if HiGHS kept one.
fn fix_groups_in_turn(
    mut h: highs::Model,
    cols: &[highs::Col],
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
    relaxed: &[f64],
    fixed: &mut [Option<(f64, f64)>],
) -> Result<highs::Model, Option<highs::Model>> {
    let mut groups = exactly_one_groups(model);
    for c in groups.iter().flatten() {
        let (lo, hi) = relaxed_bounds(&model.cols[c.0]);
        h.change_column_bounds(cols[c.0], lo..=hi);
        fixed[c.0] = None;
    }
    let largest = |g: &[Col], v: &[f64]| g.iter().map(|c| v[c.0]).fold(f64::MIN, f64::max);
    groups.sort_by(|a, b| largest(b, relaxed).total_cmp(&largest(a, relaxed)));
    let mut values = relaxed.to_vec();
    for group in groups {
        let mut options = group.clone();
        options.sort_by(|a, b| values[b.0].total_cmp(&values[a.0]).then(a.0.cmp(&b.0)));
        let mut placed = false;
        for choice in options {
            let left = settings.time_limit_s - start.elapsed().as_secs_f64();
            if left <= 0.0 {
                return Err(Some(h));
            }
            allow(&mut h, left);
            let one_hot = |c: Col| if c == choice { 1.0 } else { 0.0 };
            for &c in &group {
                h.change_column_bounds(cols[c.0], one_hot(c)..=one_hot(c));
            }
            let Ok(solved) = h.try_solve() else {
                return Err(None);
            };
            let optimal = status_of(&solved) == SolveStatus::Optimal;
            if optimal {
                values = solved.get_solution().columns().to_vec();
                for &c in &group {
                    fixed[c.0] = Some((one_hot(c), one_hot(c)));
                }
            }
            h = solved.into();
            if optimal {
                placed = true;
                break;
            }
        }
        if !placed {
            return Err(Some(h));
        }
    }
    Ok(h)
}

/// Whether the bounds of `lp`'s columns alone prove it infeasible (see [`Propagation`]).
#[cfg(test)]
fn bounds_infeasible(lp: &Model) -> bool {
    Propagation::new(lp).infeasible(
        lp.cols.iter().map(|c| c.lo).collect(),
        lp.cols.iter().map(|c| c.hi).collect(),
    )
}

/// Bound propagation over a model's rows, as presolvers do: each row's activity range tightens
/// its columns' bounds, and a row whose activity cannot reach its bounds proves the model
/// infeasible. A cheap test before an LP solve; built once and run for many column bounds.
/// "Not proven infeasible" proves nothing. Integrality is ignored.
struct Propagation {
    /// Terms of each row.
    rows: Vec<Vec<(usize, f64)>>,
    /// Rows of each column.
    of_col: Vec<Vec<usize>>,
    /// Row bounds.
    bounds: Vec<(f64, f64)>,
}

impl Propagation {
    fn new(model: &Model) -> Propagation {
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); model.rows.len()];
        let mut of_col: Vec<Vec<usize>> = vec![Vec::new(); model.cols.len()];
        for &(r, c, v) in &model.entries {
            rows[r.0].push((c.0, v));
            of_col[c.0].push(r.0);
        }
        Propagation {
            rows,
            of_col,
            bounds: model.rows.iter().map(|r| (r.lo, r.hi)).collect(),
        }
    }

    /// Whether columns within `[lo, hi]` prove the rows infeasible. Rows are revisited when a
    /// column of theirs tightens, up to a few passes' worth of visits.
    fn infeasible(&self, mut lo: Vec<f64>, mut hi: Vec<f64>) -> bool {
        const PASSES: usize = 4;
        // A margin well above rounding, so that only a clear contradiction counts.
        let slack = |b: f64| 1e-6 * b.abs().max(1.0);
        let mut queued = vec![true; self.rows.len()];
        let mut queue: std::collections::VecDeque<usize> = (0..self.rows.len()).collect();
        let mut visits = PASSES * self.rows.len();
        while let Some(r) = queue.pop_front() {
            queued[r] = false;
            if visits == 0 {
                break;
            }
            visits -= 1;
            let terms = &self.rows[r];
            let (row_lo, row_hi) = self.bounds[r];
            // Activity range: finite part and the number of infinite contributions.
            let (mut min, mut max, mut min_inf, mut max_inf) = (0.0, 0.0, 0usize, 0usize);
            for &(c, a) in terms {
                let (l, u) = if a > 0.0 {
                    (lo[c], hi[c])
                } else {
                    (hi[c], lo[c])
                };
                if l.is_finite() {
                    min += a * l;
                } else {
                    min_inf += 1;
                }
                if u.is_finite() {
                    max += a * u;
                } else {
                    max_inf += 1;
                }
            }
            if (min_inf == 0 && min > row_hi + slack(row_hi))
                || (max_inf == 0 && max < row_lo - slack(row_lo))
            {
                return true;
            }
            // Tighten each column from the others' range.
            for &(c, a) in terms {
                if a.abs() < 1e-9 {
                    continue;
                }
                let (l, u) = if a > 0.0 {
                    (lo[c], hi[c])
                } else {
                    (hi[c], lo[c])
                };
                // The others' activity range without this column's part.
                let without = |total: f64, inf: usize, own: f64| match (inf, own.is_finite()) {
                    (0, true) => Some(total - a * own),
                    (1, false) => Some(total),
                    _ => None,
                };
                let mut new_lo = lo[c];
                let mut new_hi = hi[c];
                // Σ others ≥ their min, so a·x ≤ row_hi − min_others (and likewise).
                if let (Some(m), true) = (without(min, min_inf, l), row_hi.is_finite()) {
                    let bound = (row_hi - m) / a;
                    if a > 0.0 {
                        new_hi = new_hi.min(bound);
                    } else {
                        new_lo = new_lo.max(bound);
                    }
                }
                if let (Some(m), true) = (without(max, max_inf, u), row_lo.is_finite()) {
                    let bound = (row_lo - m) / a;
                    if a > 0.0 {
                        new_lo = new_lo.max(bound);
                    } else {
                        new_hi = new_hi.min(bound);
                    }
                }
                if new_lo.is_finite() && new_hi.is_finite() && new_lo > new_hi + slack(new_hi) {
                    return true;
                }
                // Only clear tightenings count, so the visits end.
                let mut changed = false;
                if new_hi.is_finite() && (hi[c].is_infinite() || new_hi < hi[c] - slack(hi[c])) {
                    hi[c] = new_hi;
                    changed = true;
                }
                if new_lo.is_finite() && (lo[c].is_infinite() || new_lo > lo[c] + slack(lo[c])) {
                    lo[c] = new_lo;
                    changed = true;
                }
                if changed {
                    for &q in &self.of_col[c] {
                        if !queued[q] {
                            queued[q] = true;
                            queue.push_back(q);
                        }
                    }
                }
            }
        }
        false
    }
}

/// What must not differ between models for one's basis to start another: the rows, each
/// column's integrality, and where the nonzeros are.
#[derive(Debug, PartialEq)]
struct Shape {
    rows: usize,
    kinds: Vec<(bool, bool)>,
    nonzeros: Vec<(usize, usize)>,
    /// The nonzeros in the order the model lists them: a build of the same scenario lists
    /// them alike, which is checked without sorting.
    listed: Vec<(usize, usize)>,
}

impl Shape {
    fn of(model: &Model) -> Shape {
        let listed: Vec<(usize, usize)> =
            model.entries.iter().map(|&(r, c, _)| (r.0, c.0)).collect();
        Shape {
            rows: model.rows.len(),
            kinds: model.cols.iter().map(|c| (c.integer, c.semi)).collect(),
            nonzeros: sorted(listed.clone()),
            listed,
        }
    }

    /// Whether `model` has this shape.
    fn fits(&self, model: &Model) -> bool {
        if self.rows != model.rows.len()
            || self.kinds.len() != model.cols.len()
            || !self
                .kinds
                .iter()
                .zip(&model.cols)
                .all(|(k, c)| *k == (c.integer, c.semi))
        {
            return false;
        }
        let same_order = self.listed.len() == model.entries.len()
            && self
                .listed
                .iter()
                .zip(&model.entries)
                .all(|(&(r, c), e)| (r, c) == (e.0.0, e.1.0));
        same_order
            || self.nonzeros == sorted(model.entries.iter().map(|&(r, c, _)| (r.0, c.0)).collect())
    }
}

/// Sorted without repeats.
fn sorted(mut v: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The HiGHS calls the `highs` crate does not wrap (basis and ranging), on an instance it owns.
#[allow(unsafe_code)]
mod ffi {
    use std::os::raw::c_int;

    /// The basis of a solved instance: column and row statuses, when it has a valid one.
    pub fn get_basis(
        h: &highs::Model,
        cols: usize,
        rows: usize,
    ) -> Option<(Vec<c_int>, Vec<c_int>)> {
        let mut col_status: Vec<c_int> = vec![0; cols];
        let mut row_status: Vec<c_int> = vec![0; rows];
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the arrays have the
        // instance's numbers of columns and rows, as Highs_getBasis requires.
        let status = unsafe {
            highs_sys::Highs_getBasis(h.as_ptr(), col_status.as_mut_ptr(), row_status.as_mut_ptr())
        };
        (status == highs_sys::STATUS_OK).then_some((col_status, row_status))
    }

    /// Per row, the range `[down, up]` of the row's bound over which the current basis (and so
    /// the row's dual) stays optimal, from Highs_getRanging on a solved instance with a basis.
    pub fn row_ranging(h: &mut highs::Model, cols: usize, rows: usize) -> Option<Vec<(f64, f64)>> {
        let f = |n: usize| vec![0.0f64; n];
        let i = |n: usize| vec![0 as c_int; n];
        let (mut c1, mut c2, mut c3, mut c4) = (f(cols), f(cols), i(cols), i(cols));
        let (mut c5, mut c6, mut c7, mut c8) = (f(cols), f(cols), i(cols), i(cols));
        let (mut b1, mut b2, mut b3, mut b4) = (f(cols), f(cols), i(cols), i(cols));
        let (mut b5, mut b6, mut b7, mut b8) = (f(cols), f(cols), i(cols), i(cols));
        let (mut up, mut r2, mut r3, mut r4) = (f(rows), f(rows), i(rows), i(rows));
        let (mut dn, mut r6, mut r7, mut r8) = (f(rows), f(rows), i(rows), i(rows));
        // SAFETY: the pointer is the live HiGHS instance `h` owns; every array has the length
        // Highs_getRanging requires (columns or rows of the instance) and outlives the call.
        let status = unsafe {
            highs_sys::Highs_getRanging(
                h.as_mut_ptr(),
                c1.as_mut_ptr(),
                c2.as_mut_ptr(),
                c3.as_mut_ptr(),
                c4.as_mut_ptr(),
                c5.as_mut_ptr(),
                c6.as_mut_ptr(),
                c7.as_mut_ptr(),
                c8.as_mut_ptr(),
                b1.as_mut_ptr(),
                b2.as_mut_ptr(),
                b3.as_mut_ptr(),
                b4.as_mut_ptr(),
                b5.as_mut_ptr(),
                b6.as_mut_ptr(),
                b7.as_mut_ptr(),
                b8.as_mut_ptr(),
                up.as_mut_ptr(),
                r2.as_mut_ptr(),
                r3.as_mut_ptr(),
                r4.as_mut_ptr(),
                dn.as_mut_ptr(),
                r6.as_mut_ptr(),
                r7.as_mut_ptr(),
                r8.as_mut_ptr(),
            )
        };
        (status == highs_sys::STATUS_OK).then(|| dn.into_iter().zip(up).collect())
    }

    /// Seconds the instance has spent solving, over all its runs: HiGHS's `time_limit` is
    /// measured against this total, not against the current run.
    pub fn run_time(h: &highs::Model) -> f64 {
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the call only reads it.
        unsafe { highs_sys::Highs_getRunTime(h.as_ptr()) }
    }

    /// Reads a model file (LP or MPS, by its extension) into a fresh HiGHS instance and solves
    /// it: `(model status, objective)`, or `None` when HiGHS cannot read the file.
    #[cfg(test)]
    pub fn solve_file(path: &std::path::Path) -> Option<(c_int, f64)> {
        let path = std::ffi::CString::new(path.to_str()?).ok()?;
        let flag = std::ffi::CString::new("output_flag").ok()?;
        // SAFETY: the instance is created, used and destroyed here; the strings outlive the
        // calls that read them.
        unsafe {
            let h = highs_sys::Highs_create();
            highs_sys::Highs_setBoolOptionValue(h, flag.as_ptr(), 0);
            let read = highs_sys::Highs_readModel(h, path.as_ptr());
            let result =
                (read == highs_sys::STATUS_OK && highs_sys::Highs_run(h) >= 0).then(|| {
                    (
                        highs_sys::Highs_getModelStatus(h),
                        highs_sys::Highs_getObjectiveValue(h),
                    )
                });
            highs_sys::Highs_destroy(h);
            result
        }
    }

    /// Has HiGHS report the progress of the instance's runs ([`crate::progress`]) from its
    /// simplex, interior-point and branch-and-bound interrupt callbacks.
    pub fn report_progress(h: &mut highs::Model) {
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the callback is a plain
        // function and its data pointer is null, so nothing it uses can dangle.
        unsafe {
            let ptr = h.as_mut_ptr();
            highs_sys::Highs_setCallback(ptr, Some(on_callback), std::ptr::null_mut());
            for kind in [
                highs_sys::kHighsCallbackSimplexInterrupt,
                highs_sys::kHighsCallbackIpmInterrupt,
                highs_sys::kHighsCallbackMipInterrupt,
            ] {
                highs_sys::Highs_startCallback(ptr, kind);
            }
        }
    }

    /// HiGHS's callback: one progress step from the data it passes out, and a request to stop
    /// when the listener's stop flag is set.
    unsafe extern "C" fn on_callback(
        kind: c_int,
        _message: *const std::os::raw::c_char,
        out: *const highs_sys::HighsCallbackDataOut,
        input: *mut highs_sys::HighsCallbackDataIn,
        _data: *mut std::os::raw::c_void,
    ) {
        use crate::progress::Step;
        // SAFETY: HiGHS passes null pointers or its callback data, valid during the call.
        let (Some(out), input) = (unsafe { out.as_ref() }, unsafe { input.as_mut() }) else {
            return;
        };
        if crate::progress::stopped() {
            if let Some(input) = input {
                input.user_interrupt = 1;
            }
            return;
        }
        let count = |n: highs_sys::HighsInt| u64::try_from(n).unwrap_or(0);
        let step = match kind {
            highs_sys::kHighsCallbackSimplexInterrupt => {
                Step::Simplex(count(out.simplex_iteration_count))
            }
            highs_sys::kHighsCallbackIpmInterrupt => {
                Step::InteriorPoint(count(out.ipm_iteration_count))
            }
            highs_sys::kHighsCallbackMipInterrupt => Step::BranchAndBound {
                nodes: u64::try_from(out.mip_node_count).unwrap_or(0),
                gap: out.mip_gap,
            },
            _ => return,
        };
        crate::progress::step(step);
    }

    /// Sets the starting basis of an instance with the same numbers of columns and rows.
    pub fn set_basis(h: &mut highs::Model, col_status: &[c_int], row_status: &[c_int]) {
        // SAFETY: as above; the caller checked the arrays match the instance's dimensions.
        let status = unsafe {
            highs_sys::Highs_setBasis(h.as_mut_ptr(), col_status.as_ptr(), row_status.as_ptr())
        };
        // A basis HiGHS refuses only loses the warm start.
        let _ = status;
    }
}

#[cfg(test)]
mod bounds_tests {
    use super::bounds_infeasible;
    use crate::lp::Model;

    /// x ≤ 2 (a singleton row), y ≤ 3, x + y ≥ need, and z = x + y ≥ need.
    fn model(need: f64) -> Model {
        let mut m = Model::default();
        let x = m.col("x", 0.0, f64::INFINITY, 1.0);
        let y = m.col("y", 0.0, f64::INFINITY, 1.0);
        let z = m.col("z", need.min(1.0), f64::INFINITY, 0.0);
        m.row("x avail", f64::NEG_INFINITY, 2.0, &[(x, 1.0)]);
        m.row("y avail", f64::NEG_INFINITY, 3.0, &[(y, 1.0)]);
        m.row(
            "supply",
            0.0,
            f64::INFINITY,
            &[(x, 1.0), (y, 1.0), (z, -1.0)],
        );
        m.row("work", need, f64::INFINITY, &[(z, 1.0)]);
        m
    }

    #[test]
    fn propagation_proves_a_shortage_infeasible_and_nothing_else() {
        // z ≥ 6 needs x + y ≥ 6, but x + y ≤ 5: two steps of propagation.
        assert!(bounds_infeasible(&model(6.0)));
        // Exactly at the limit, and below it: feasible, and not claimed otherwise.
        assert!(!bounds_infeasible(&model(5.0)));
        assert!(!bounds_infeasible(&model(1.0)));
        // Infinite bounds everywhere prove nothing.
        let mut m = Model::default();
        let a = m.col("a", f64::NEG_INFINITY, f64::INFINITY, 0.0);
        let b = m.col("b", 0.0, f64::INFINITY, 0.0);
        m.row("r", 1.0, 1.0, &[(a, 1.0), (b, 1.0)]);
        assert!(!bounds_infeasible(&m));
    }
}
