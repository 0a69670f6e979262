//! The HiGHS adapter: turns a [`Model`] into a HiGHS problem, solves it, and reports how the
//! solve ended as a value.

use highs::{ColProblem, HighsModelStatus, Sense};

use crate::lp::Model;

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
    /// Run HiGHS's presolve (its default). Off can be much faster on models whose presolve
    /// reductions slow the search (examples/frontier-lab.toml: 1.5 s instead of 3.6 s) and
    /// slower on others; see BENCHMARKS.md.
    pub presolve: bool,
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            time_limit_s: 60.0,
            mip_gap: 1e-3,
            threads: 1,
            log: false,
            presolve: true,
        }
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal (within the MIP gap).
    Optimal,
    /// A feasible plan, stopped by the time limit before proving optimality.
    Feasible,
    /// No plan satisfies every constraint.
    Infeasible,
    /// The cost can decrease without bound (a modelling error).
    Unbounded,
    /// Stopped by the time limit with no feasible plan found.
    TimeLimitNoSolution,
    /// The solver failed.
    Error,
}

impl SolveStatus {
    /// Whether the solution values mean anything.
    pub fn has_solution(self) -> bool {
        matches!(self, SolveStatus::Optimal | SolveStatus::Feasible)
    }
}

/// The outcome of a solve.
#[derive(Debug, Clone)]
pub struct Solution {
    /// How it ended.
    pub status: SolveStatus,
    /// Objective value, including the model's constant.
    pub objective: f64,
    /// Column values.
    pub values: Vec<f64>,
    /// Row duals (LP only; for a MIP these are not meaningful and are empty).
    pub row_duals: Vec<f64>,
    /// Relative MIP gap at the end (0 for an LP).
    pub mip_gap: f64,
    /// Why the solve failed, when it did.
    pub message: String,
}

/// Solves `model` with HiGHS.
pub fn solve(model: &Model, settings: &SolveSettings) -> Solution {
    let mut pb = ColProblem::new();
    let rows: Vec<highs::Row> = model.rows.iter().map(|r| pb.add_row(r.lo..=r.hi)).collect();
    let mut by_col: Vec<Vec<(highs::Row, f64)>> = vec![Vec::new(); model.cols.len()];
    for &(r, c, v) in &model.entries {
        by_col[c.0].push((rows[r.0], v));
    }
    for (c, terms) in model.cols.iter().zip(by_col) {
        let kind = match (c.integer, c.semi) {
            (_, true) => highs::Integrality::SemiContinuous,
            (true, false) => highs::Integrality::Integer,
            (false, false) => highs::Integrality::Continuous,
        };
        pb.add_column_with_integrality_kind(c.cost, c.lo..=c.hi, terms, kind);
    }
    if let Some(problem) = model.invalid() {
        return Solution {
            status: SolveStatus::Error,
            objective: f64::NAN,
            values: vec![],
            row_duals: vec![],
            mip_gap: f64::NAN,
            message: problem,
        };
    }
    let Ok(mut m) = pb.try_optimise(Sense::Minimise) else {
        return Solution {
            status: SolveStatus::Error,
            objective: f64::NAN,
            values: vec![],
            row_duals: vec![],
            mip_gap: f64::NAN,
            message: "HiGHS rejected the model".to_string(),
        };
    };
    if settings.log {
        m.set_option("output_flag", true);
        m.set_option("log_to_console", true);
    } else {
        m.make_quiet();
    }
    m.set_option("time_limit", settings.time_limit_s);
    m.set_option("mip_rel_gap", settings.mip_gap);
    m.set_option("threads", settings.threads.max(1) as i32);
    m.set_option("random_seed", 1);
    if !settings.presolve {
        m.set_option("presolve", "off");
    }
    let solved = match m.try_solve() {
        Ok(s) => s,
        Err(_) => {
            return Solution {
                status: SolveStatus::Error,
                objective: f64::NAN,
                values: vec![],
                row_duals: vec![],
                mip_gap: f64::NAN,
                message: "the solver failed".to_string(),
            };
        }
    };
    let has_primal = matches!(
        solved.primal_solution_status(),
        highs::HighsSolutionStatus::Feasible
    );
    let status = match solved.status() {
        HighsModelStatus::Optimal => SolveStatus::Optimal,
        HighsModelStatus::ModelEmpty => SolveStatus::Optimal,
        HighsModelStatus::Infeasible => SolveStatus::Infeasible,
        HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => {
            SolveStatus::Unbounded
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
            if has_primal =>
        {
            SolveStatus::Feasible
        }
        HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ReachedIterationLimit => {
            SolveStatus::TimeLimitNoSolution
        }
        _ => SolveStatus::Error,
    };
    let is_mip = model.is_mip();
    let mip_gap = if is_mip { solved.mip_gap() } else { 0.0 };
    if !status.has_solution() {
        return Solution {
            status,
            objective: f64::NAN,
            values: vec![],
            row_duals: vec![],
            mip_gap,
            message: String::new(),
        };
    }
    let sol = solved.get_solution();
    let values = sol.columns().to_vec();
    let objective = model.objective_constant
        + model
            .cols
            .iter()
            .zip(&values)
            .map(|(c, v)| c.cost * v)
            .sum::<f64>();
    let row_duals = if is_mip {
        vec![]
    } else {
        sol.dual_rows().to_vec()
    };
    Solution {
        status,
        objective,
        values,
        row_duals,
        mip_gap,
        message: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_mip_and_reports_infeasibility() {
        let mut m = Model::default();
        let x = m.col("x", 0.0, 10.0, 1.0);
        let y = m.binary("y", 3.0);
        m.row("need", 4.5, f64::INFINITY, &[(x, 1.0), (y, 5.0)]);
        let s = solve(&m, &SolveSettings::default());
        assert_eq!(s.status, SolveStatus::Optimal);
        assert!((s.objective - 3.0).abs() < 1e-6, "{}", s.objective);

        m.row("impossible", 100.0, f64::INFINITY, &[(x, 1.0)]);
        assert_eq!(
            solve(&m, &SolveSettings::default()).status,
            SolveStatus::Infeasible
        );
    }
}
