//! The LP-first dive (see [`crate::solver`]): the relaxation, binaries fixed from its values,
//! semi-continuous variables fixed round by round, and branch and bound only when the dive's
//! plan is not within the gap. Written against [`Backend`], on one instance whose basis each
//! re-solve starts from.

use std::time::Instant;

use super::{
    Backend, BackendError, Method, Solution, SolvePath, SolveSettings, SolveStatus, TOL, evaluate,
    exactly_one_groups, objective, relative_gap, relaxed_bounds, snap, solve_direct,
};
use crate::lp::{Col, Model};

/// Relaxations with at least this many variables are solved by the interior-point method.
const IPM_MIN_COLS: usize = 50_000;

/// The share of the time limit the relaxation may use; the rest is for the dive and, when its
/// plan is not within the gap, branch and bound.
const RELAXATION_SHARE: f64 = 0.92;

/// At most this many rounds of fixing semi-continuous variables in the dive.
const DIVE_ROUNDS: usize = 200;

/// What the LP-first dive found.
pub(super) enum Dive {
    /// A final answer: infeasible, or a plan within the gap.
    Done(Solution),
    /// A plan, not within the gap: the cost branch and bound must beat.
    Incumbent(Vec<f64>),
    /// Nothing useful (the relaxation or a fixed LP failed).
    Nothing,
}

/// After the dive: its answer, or branch and bound (from its plan, when it has one).
pub(super) fn finish<B: Backend>(
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
    dive: Dive,
) -> Solution {
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
    // (found on examples/frontier-lab.toml as of 2026-11-29 with a 50% vendor cap: "optimal" at
    // $516.45B where $505.30B is feasible; the example's figures have changed since).
    let cutoff = incumbent.as_deref().map(|values| objective(model, values));
    let mip = solve_direct::<B>(model, settings, left, cutoff, SolvePath::Mip);
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

/// Relaxation, then the dive.
pub(super) fn lp_first<B: Backend>(
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
) -> Dive {
    // The relaxation may use most of the time; if it cannot finish, the solve ends without a
    // plan (see `lp_first_with`).
    let Ok(h) = relaxation::<B>(model, settings, settings.time_limit_s * RELAXATION_SHARE) else {
        return Dive::Nothing;
    };
    lp_first_with(h, model, settings, start).0
}

/// The instance of `model`'s relaxation, configured, with the interior-point method for a
/// large one (crossover on, for a basis).
pub(super) fn relaxation<B: Backend>(
    model: &Model,
    settings: &SolveSettings,
    time_limit_s: f64,
) -> Result<B, BackendError> {
    let mut h = B::load(model, true)?;
    h.configure(settings, time_limit_s)?;
    if model.cols.len() >= IPM_MIN_COLS {
        h.set_method(Method::InteriorPoint)?;
    }
    Ok(h)
}

/// The relaxation and dive of `model` on an instance `h` that holds its relaxation (and
/// perhaps a basis from an earlier solve); returns `h` with the relaxed bounds restored, for
/// the next variant, unless a run failed.
pub(super) fn lp_first_with<B: Backend>(
    mut h: B,
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
) -> (Dive, Option<B>) {
    crate::progress::phase("relaxation");
    if h.run().is_err() {
        return (Dive::Nothing, None);
    }
    let ended = match h.status() {
        SolveStatus::Optimal => None,
        // The relaxation has no solution, so the model has none.
        SolveStatus::Infeasible => Some(SolveStatus::Infeasible),
        // Out of time: branch and bound in the few seconds left finds no plan, and its
        // presolve, which does not watch the clock, overran a 60 s limit by 26 s on a
        // 1.09M-variable model. The solve ends here.
        SolveStatus::TimeLimitNoSolution | SolveStatus::Feasible => {
            Some(SolveStatus::TimeLimitNoSolution)
        }
        _ => return (Dive::Nothing, Some(h)),
    };
    if let Some(status) = ended {
        let mut s = Solution::failed(status, "");
        s.path = SolvePath::LpFirst;
        return (Dive::Done(s), Some(h));
    }
    let relaxed = h.values().cols;
    let bound = objective(model, &relaxed);
    let dive = h
        .set_method(Method::Choose)
        .and_then(|()| dive(&mut h, model, settings, start, &relaxed, bound));
    let Ok(dive) = dive else {
        return (Dive::Nothing, None);
    };
    // Restore the relaxation's bounds for the next variant.
    let restored = model
        .cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.integer || c.semi)
        .try_for_each(|(i, c)| {
            let (lo, hi) = relaxed_bounds(c);
            h.set_col_bounds(i, lo, hi)
        });
    (dive, restored.is_ok().then_some(h))
}

/// The dive from the relaxation's solution `relaxed`, of cost `bound`. An error means a run
/// failed (the instance is unusable).
fn dive<B: Backend>(
    h: &mut B,
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
    relaxed: &[f64],
    bound: f64,
) -> Result<Dive, BackendError> {
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
            h.set_col_bounds(i, lo, hi)?;
        }
    }
    // Then re-solve, and fix each semi-continuous variable left strictly between 0 and its
    // minimum, until none is. Each round rounds such a value up when it is at least half of
    // the minimum and down otherwise; when that makes the LP infeasible, the round is redone
    // with every one of its values rounded up, then down, then with only its first value
    // rounded (up, then down); when all four fail, the rounds start again rounding only up.
    let mut last_round: Vec<usize> = Vec::new();
    let mut retried = 0u8;
    let mut first = true;
    let mut up_only = false;
    for round in 1..=DIVE_ROUNDS {
        let left = settings.time_limit_s - start.elapsed().as_secs_f64();
        if left <= 0.0 || crate::progress::stopped() {
            return Ok(Dive::Nothing);
        }
        crate::progress::dive_round(round);
        h.allow(left)?;
        h.run()?;
        match h.status() {
            SolveStatus::Optimal => retried = 0,
            SolveStatus::Infeasible if first => {
                // The largest LP values together do not fit (a run the LP split between two
                // clusters fits neither whole): fix the groups one at a time instead.
                first = false;
                if !fix_groups_in_turn(h, model, settings, start, relaxed, &mut fixed)? {
                    return Ok(Dive::Nothing);
                }
                continue;
            }
            SolveStatus::Infeasible if retried < 4 && !last_round.is_empty() => {
                // Redo the round with every value rounded up, then every one down; then round
                // only its first value, up then down, and let the LP move the others.
                retried += 1;
                for (k, &i) in last_round.iter().enumerate() {
                    let c = &model.cols[i];
                    let bounds = match (retried, k) {
                        (1, _) | (3, 0) => Some((c.lo, c.hi)),
                        (2, _) | (4, 0) => Some((0.0, 0.0)),
                        _ => None,
                    };
                    fixed[i] = bounds;
                    let (lo, hi) = bounds.unwrap_or_else(|| relaxed_bounds(c));
                    h.set_col_bounds(i, lo, hi)?;
                }
                continue;
            }
            SolveStatus::Infeasible if !up_only => {
                // All four retries failed: an earlier round's rounding down took capacity the
                // plan needs. Free every cluster size fixed so far and start the rounds again,
                // rounding only up (the exactly-one groups and binaries stay fixed).
                up_only = true;
                retried = 0;
                last_round.clear();
                for (i, c) in model.cols.iter().enumerate() {
                    if c.semi && fixed[i].is_some() {
                        fixed[i] = None;
                        let (lo, hi) = relaxed_bounds(c);
                        h.set_col_bounds(i, lo, hi)?;
                    }
                }
                continue;
            }
            _ => return Ok(Dive::Nothing),
        }
        first = false;
        let sol = h.values();
        let values = sol.cols;
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
            if gap > settings.mip_gap {
                return Ok(Dive::Incumbent(snap(model, values)));
            }
            let row_ranges = if settings.ranging {
                h.row_ranging().unwrap_or_default()
            } else {
                Vec::new()
            };
            return Ok(Dive::Done(Solution {
                status: SolveStatus::Optimal,
                objective: cost,
                values: snap(model, values),
                row_duals: sol.row_duals,
                reduced_costs: sol.col_duals,
                row_ranges,
                mip_gap: gap,
                path: SolvePath::LpFirst,
                message: String::new(),
            }));
        }
        for &i in &last_round {
            let c = &model.cols[i];
            let bounds = if up_only || values[i] >= 0.5 * c.lo {
                (c.lo, c.hi)
            } else {
                (0.0, 0.0)
            };
            fixed[i] = Some(bounds);
            h.set_col_bounds(i, bounds.0, bounds.1)?;
        }
    }
    Ok(Dive::Nothing)
}

/// The dive's fallback when its first fixing is infeasible: the exactly-one groups are freed
/// and fixed one at a time, the most decided first (largest LP value), each to its option with
/// the largest value in the latest LP that fits (the LP re-solved after each fix, warm). Other
/// fixes in `fixed` stay. Whether every group found an option; an error when a run failed.
fn fix_groups_in_turn<B: Backend>(
    h: &mut B,
    model: &Model,
    settings: &SolveSettings,
    start: Instant,
    relaxed: &[f64],
    fixed: &mut [Option<(f64, f64)>],
) -> Result<bool, BackendError> {
    let mut groups = exactly_one_groups(model);
    for c in groups.iter().flatten() {
        let (lo, hi) = relaxed_bounds(&model.cols[c.0]);
        h.set_col_bounds(c.0, lo, hi)?;
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
                return Ok(false);
            }
            h.allow(left)?;
            let one_hot = |c: Col| if c == choice { 1.0 } else { 0.0 };
            for &c in &group {
                h.set_col_bounds(c.0, one_hot(c), one_hot(c))?;
            }
            h.run()?;
            if h.status() == SolveStatus::Optimal {
                values = h.values().cols;
                for &c in &group {
                    fixed[c.0] = Some((one_hot(c), one_hot(c)));
                }
                placed = true;
                break;
            }
        }
        if !placed {
            return Ok(false);
        }
    }
    Ok(true)
}
