//! Time-fraction allocations of the round-based policies, as Gavel (Narayanan et al., OSDI
//! 2020, §4) formulates them: `X[m][j]`, the fraction of time job `m` should spend on chip
//! type `j`, with `Σ_j X[m][j] ≤ 1` per job and `Σ_m gang_m · X[m][j] ≤ chips_j` per type.
//! Each is a linear program written with the planner's modelling layer (`allot_plan::lp`) and
//! solved through its solver seam (`allot_plan::solver::solve`, HiGHS).
//!
//! - Max-min fairness (Gavel's `max_min_fairness_perf`): maximise `t` with
//!   `Σ_j T[m][j] · gang_m / P_m · X[m][j] ≥ t` for every job, where `P_m = Σ_j T[m][j] ·
//!   chips_j / Σ chips` is its throughput on an equal share of every type (Gavel's
//!   `ProportionalPolicy`). The heterogeneity-agnostic version sets every `T` to 1.
//! - Finish-time fairness (Themis, in Gavel's formulation): minimise the largest
//!   `ρ_m = (e_m + r_m / θ_m(X)) / (e_m + r_m / P_m)` (elapsed time `e`, work left `r`,
//!   `θ_m(X) = Σ_j T[m][j] X[m][j]`); for a fixed `ρ` the condition is linear,
//!   `θ_m(X) ≥ r_m / (ρ D_m − e_m)`, so `ρ` is found by bisection over feasibility LPs.
//!
//! A max-min LP has many optima (only the least job's throughput counts), so a small second
//! term, `10⁻³ / n` times the sum of normalised throughputs, gives the capacity left over to the
//! jobs rather than leaving it idle; the finish-time allocation does the same at its `ρ`.

use allot_plan::lp::{Col, Model};
use allot_plan::solver::{self, Deadline, SolveSettings, SolveStatus};

use crate::Policy;

/// An active job as an allocation sees it.
#[derive(Debug, Clone)]
pub(crate) struct Active {
    pub gang: u32,
    /// Rate on each pool (0 where it cannot run, including pools smaller than its gang).
    pub rates: Vec<f64>,
    pub elapsed_s: f64,
    pub remaining: f64,
}

/// Bisection steps of the finish-time allocation.
const BISECTION: usize = 14;

/// Why no allocation was made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failed {
    /// The deadline passed before or during a solve, after this many solves had ended.
    Stopped { solves: usize },
    /// The solver failed: what it said.
    Solver(String),
}

/// The allocation of `policy` for `jobs` on pools of `chips`, and the LPs solved; each LP
/// gets the time left to `deadline` as its limit, and none starts after it.
pub(crate) fn allocate(
    policy: Policy,
    jobs: &[Active],
    chips: &[u32],
    deadline: Deadline,
) -> Result<(Vec<Vec<f64>>, usize), Failed> {
    let settings = SolveSettings {
        time_limit_s: 60.0,
        deadline,
        ..SolveSettings::default()
    };
    match policy {
        Policy::MaxMin => max_min(&agnostic(jobs), chips, &settings).map(|x| (x, 1)),
        Policy::FinishTime => finish_time(jobs, chips, &settings),
        _ => max_min(jobs, chips, &settings).map(|x| (x, 1)),
    }
}

/// Why a solve that did not end optimal ended: the deadline (it cut the solve short or came
/// before it), or the solver.
fn failed(status: SolveStatus, message: &str, settings: &SolveSettings, solves: usize) -> Failed {
    if settings.deadline.passed() || status == SolveStatus::TimeLimitNoSolution {
        Failed::Stopped { solves }
    } else {
        Failed::Solver(format!("{status:?}: {message}"))
    }
}

/// `jobs` with every rate above 0 set to 1: a policy blind to chip types.
fn agnostic(jobs: &[Active]) -> Vec<Active> {
    jobs.iter()
        .map(|j| Active {
            rates: j
                .rates
                .iter()
                .map(|&r| if r > 0.0 { 1.0 } else { 0.0 })
                .collect(),
            ..j.clone()
        })
        .collect()
}

/// Throughput of a job on an equal share of every pool.
fn proportional(job: &Active, chips: &[u32]) -> f64 {
    let total: f64 = chips.iter().map(|&c| f64::from(c)).sum();
    job.rates
        .iter()
        .zip(chips)
        .map(|(r, &c)| r * f64::from(c))
        .sum::<f64>()
        / total
}

/// The allocation variables and the per-job and per-pool rows; returns the columns.
fn base(model: &mut Model, jobs: &[Active], chips: &[u32]) -> Vec<Vec<Option<Col>>> {
    let cols: Vec<Vec<Option<Col>>> = jobs
        .iter()
        .enumerate()
        .map(|(m, job)| {
            job.rates
                .iter()
                .enumerate()
                .map(|(p, &r)| (r > 0.0).then(|| model.col(format!("x_{m}_{p}"), 0.0, 1.0, 0.0)))
                .collect()
        })
        .collect();
    for (m, row) in cols.iter().enumerate() {
        let terms: Vec<(Col, f64)> = row.iter().flatten().map(|&c| (c, 1.0)).collect();
        model.row(format!("job_{m}"), f64::NEG_INFINITY, 1.0, &terms);
    }
    for (p, &c) in chips.iter().enumerate() {
        let terms: Vec<(Col, f64)> = cols
            .iter()
            .zip(jobs)
            .filter_map(|(row, job)| row[p].map(|col| (col, f64::from(job.gang))))
            .collect();
        if !terms.is_empty() {
            model.row(format!("pool_{p}"), f64::NEG_INFINITY, f64::from(c), &terms);
        }
    }
    cols
}

fn values(cols: &[Vec<Option<Col>>], values: &[f64]) -> Vec<Vec<f64>> {
    cols.iter()
        .map(|row| {
            row.iter()
                .map(|c| c.map_or(0.0, |c| values[c.0].clamp(0.0, 1.0)))
                .collect()
        })
        .collect()
}

fn max_min(
    jobs: &[Active],
    chips: &[u32],
    settings: &SolveSettings,
) -> Result<Vec<Vec<f64>>, Failed> {
    let mut model = Model::default();
    let cols = base(&mut model, jobs, chips);
    let t = model.col("t", 0.0, f64::INFINITY, -1.0);
    let fill = 1e-3 / jobs.len().max(1) as f64;
    for (m, (row, job)) in cols.iter().zip(jobs).enumerate() {
        let weight = f64::from(job.gang) / proportional(job, chips);
        let mut terms: Vec<(Col, f64)> = Vec::new();
        for (p, col) in row.iter().enumerate() {
            if let Some(col) = *col {
                let coef = job.rates[p] * weight;
                terms.push((col, coef));
                model.cols[col.0].cost -= fill * coef;
            }
        }
        terms.push((t, -1.0));
        model.row(format!("fair_{m}"), 0.0, f64::INFINITY, &terms);
    }
    let solution = solver::solve(&model, settings);
    if solution.status != SolveStatus::Optimal {
        return Err(failed(solution.status, &solution.message, settings, 0));
    }
    Ok(values(&cols, &solution.values))
}

/// The finish-time LP at `rho`: feasibility of every job's throughput need, and the leftover
/// given out as in max-min. `None` when infeasible. `solves` before this one, for
/// [`Failed::Stopped`].
fn finish_time_at(
    jobs: &[Active],
    chips: &[u32],
    rho: f64,
    settings: &SolveSettings,
    solves: usize,
) -> Result<Option<Vec<Vec<f64>>>, Failed> {
    let mut model = Model::default();
    let cols = base(&mut model, jobs, chips);
    for (m, (row, job)) in cols.iter().zip(jobs).enumerate() {
        let isolated = job.elapsed_s + job.remaining / proportional(job, chips);
        let slack = rho * isolated - job.elapsed_s;
        if slack <= 0.0 {
            return Ok(None);
        }
        let need = job.remaining / slack;
        let weight = 1.0 / need;
        let terms: Vec<(Col, f64)> = row
            .iter()
            .enumerate()
            .filter_map(|(p, c)| c.map(|c| (c, job.rates[p] * weight)))
            .collect();
        for &(c, coef) in &terms {
            model.cols[c.0].cost -= 1e-3 * coef / jobs.len() as f64;
        }
        model.row(format!("finish_{m}"), 1.0, f64::INFINITY, &terms);
    }
    let solution = solver::solve(&model, settings);
    match solution.status {
        SolveStatus::Optimal => Ok(Some(values(&cols, &solution.values))),
        SolveStatus::Infeasible => Ok(None),
        other => Err(failed(other, &solution.message, settings, solves)),
    }
}

/// Bisection over `ρ`: each step's LP checks the deadline, so a long bisection stops between
/// its solves as well as within one.
fn finish_time(
    jobs: &[Active],
    chips: &[u32],
    settings: &SolveSettings,
) -> Result<(Vec<Vec<f64>>, usize), Failed> {
    let mut solves = 0;
    let mut lo = 0.0f64;
    let mut hi = 1.0f64;
    // Grow the bound until feasible: an equal share is feasible at ρ = 1 when the fleet is
    // not oversubscribed; with more gangs than chips, ρ grows.
    let mut best = loop {
        solves += 1;
        if let Some(x) = finish_time_at(jobs, chips, hi, settings, solves - 1)? {
            break x;
        }
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return Err(Failed::Solver(
                "no finish-time ratio up to 1e12 is feasible".into(),
            ));
        }
    };
    for _ in 0..BISECTION {
        let mid = 0.5 * (lo + hi);
        solves += 1;
        match finish_time_at(jobs, chips, mid, settings, solves - 1)? {
            Some(x) => {
                hi = mid;
                best = x;
            }
            None => lo = mid,
        }
    }
    Ok((best, solves))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(rates: &[f64]) -> Active {
        Active {
            gang: 1,
            rates: rates.to_vec(),
            elapsed_s: 0.0,
            remaining: 100.0,
        }
    }

    #[test]
    fn heterogeneity_aware_max_min_gives_each_job_the_chip_it_is_fast_on() {
        // Job 0 is 4x faster on pool 0, job 1 equally fast on both: one chip each.
        let jobs = [job(&[4.0, 1.0]), job(&[1.0, 1.0])];
        let x = max_min(&jobs, &[1, 1], &SolveSettings::default()).unwrap();
        assert!((x[0][0] - 1.0).abs() < 1e-6, "{x:?}");
        assert!((x[1][1] - 1.0).abs() < 1e-6, "{x:?}");
    }

    #[test]
    fn the_agnostic_allocation_gives_equal_time() {
        let jobs = agnostic(&[
            job(&[4.0, 1.0]),
            job(&[1.0, 1.0]),
            job(&[2.0, 1.0]),
            job(&[1.0, 3.0]),
        ]);
        let x = max_min(&jobs, &[1, 1], &SolveSettings::default()).unwrap();
        for row in &x {
            assert!((row.iter().sum::<f64>() - 0.5).abs() < 1e-6, "{x:?}");
        }
    }

    /// A deadline already passed stops an allocation before its first LP, and the
    /// bisection before its next one: the deadline, not the solver, is named.
    #[test]
    fn a_passed_deadline_stops_the_allocation() {
        let jobs = [job(&[1.0, 1.0]), job(&[2.0, 1.0])];
        let passed = Deadline::after(0.0);
        for policy in [Policy::MaxMin, Policy::Gavel, Policy::FinishTime] {
            assert_eq!(
                allocate(policy, &jobs, &[1, 1], passed),
                Err(Failed::Stopped { solves: 0 }),
                "{policy:?}"
            );
            assert!(allocate(policy, &jobs, &[1, 1], Deadline::NONE).is_ok());
        }
    }

    #[test]
    fn finish_time_fairness_on_an_idle_fleet_is_one() {
        let jobs = [job(&[1.0, 1.0]), job(&[1.0, 1.0])];
        let (x, solves) = finish_time(&jobs, &[1, 1], &SolveSettings::default()).unwrap();
        assert!(solves > 1);
        for row in &x {
            assert!(row.iter().sum::<f64>() > 0.99, "{x:?}");
        }
    }
}
