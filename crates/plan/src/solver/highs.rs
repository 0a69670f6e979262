//! HiGHS behind the [`Backend`] seam: the only module that names the `highs` crate or its C API
//! (`highs_sys`, in the `ffi` submodule, the crate's only `unsafe` code).

use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense};

use super::{Backend, BackendError, Basis, BasisStatus, LpValues, Method, SolveSettings};
use crate::SolveStatus;
use crate::lp::Model;

/// One HiGHS instance (a problem loaded into HiGHS, its options, and after a run its solution
/// and basis).
pub struct Highs {
    state: State,
    /// The handle of each column, in the model's order.
    cols: Vec<highs::Col>,
}

/// The `highs` crate's types for an instance before and after a run (converting one into the
/// other costs nothing), or nothing once a failed run has destroyed it.
enum State {
    /// Options and bounds can change.
    Ready(highs::Model),
    /// Status and solution can be read.
    Solved(highs::SolvedModel),
    /// A run failed (the `highs` crate destroyed the instance).
    Lost,
}

impl Highs {
    /// The instance, for a change: a solved one goes back to ready (its solution stays readable
    /// through HiGHS until the next run, but the `highs` crate only reads it before).
    fn ready(&mut self) -> Result<&mut highs::Model, BackendError> {
        if let State::Solved(_) = self.state {
            let State::Solved(solved) = std::mem::replace(&mut self.state, State::Lost) else {
                unreachable!("matched above");
            };
            self.state = State::Ready(solved.into());
        }
        match &mut self.state {
            State::Ready(model) => Ok(model),
            _ => Err(BackendError::Lost),
        }
    }

    /// The instance after a run.
    fn solved(&self) -> Option<&highs::SolvedModel> {
        match &self.state {
            State::Solved(solved) => Some(solved),
            _ => None,
        }
    }

    /// Sets an option, or says which HiGHS refused.
    fn option<V: highs::HighsOptionValue + std::fmt::Debug + Copy>(
        &mut self,
        name: &'static str,
        value: V,
    ) -> Result<(), BackendError> {
        self.ready()?
            .try_set_option(name, value)
            .map_err(|_| BackendError::Option {
                name,
                value: format!("{value:?}"),
            })
    }
}

impl Backend for Highs {
    const NAME: &'static str = "HiGHS";

    fn load(model: &Model, relaxed: bool) -> Result<Highs, BackendError> {
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
            .map_err(|_| BackendError::Rejected { solver: Self::NAME })?;
        Ok(Highs {
            state: State::Ready(h),
            cols,
        })
    }

    fn configure(
        &mut self,
        settings: &SolveSettings,
        time_limit_s: f64,
    ) -> Result<(), BackendError> {
        if settings.log {
            self.option("output_flag", true)?;
            self.option("log_to_console", true)?;
        } else {
            self.ready()?.make_quiet();
        }
        self.option("time_limit", time_limit_s)?;
        self.option("mip_rel_gap", settings.mip_gap)?;
        let threads = i32::try_from(settings.threads.max(1)).map_err(|_| BackendError::Option {
            name: "threads",
            value: settings.threads.to_string(),
        })?;
        self.option("threads", threads)?;
        self.option("random_seed", 1)?;
        if !settings.presolve {
            self.option("presolve", "off")?;
        }
        if crate::progress::wanted() {
            ffi::report_progress(self);
        }
        Ok(())
    }

    fn allow(&mut self, seconds: f64) -> Result<(), BackendError> {
        // HiGHS's `time_limit` is measured against the instance's total run time.
        let spent = ffi::run_time(self);
        self.option("time_limit", spent + seconds.max(0.0))
    }

    fn set_method(&mut self, method: Method) -> Result<(), BackendError> {
        match method {
            Method::Choose => self.option("solver", "choose"),
            Method::InteriorPoint => {
                self.option("solver", "ipm")?;
                self.option("run_crossover", "on")
            }
        }
    }

    fn set_objective_bound(&mut self, bound: f64) -> Result<(), BackendError> {
        self.option("objective_bound", bound)
    }

    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) -> Result<(), BackendError> {
        let col = self.cols[col];
        self.ready()?.change_column_bounds(col, lo..=hi);
        Ok(())
    }

    fn set_col_cost(&mut self, col: usize, cost: f64) -> Result<(), BackendError> {
        let col = self.cols[col];
        self.ready()?.change_column_cost(col, cost);
        Ok(())
    }

    fn basis(&self) -> Option<Basis> {
        let (cols, rows) = ffi::get_basis(self)?;
        let statuses = |v: Vec<std::os::raw::c_int>| -> Option<Vec<BasisStatus>> {
            v.into_iter().map(basis_status).collect()
        };
        Some(Basis {
            cols: statuses(cols)?,
            rows: statuses(rows)?,
        })
    }

    fn set_basis(&mut self, basis: &Basis) {
        let code = |v: &[BasisStatus]| v.iter().map(|&s| basis_code(s)).collect::<Vec<_>>();
        ffi::set_basis(self, &code(&basis.cols), &code(&basis.rows));
    }

    fn run(&mut self) -> Result<(), BackendError> {
        self.ready()?;
        let State::Ready(h) = std::mem::replace(&mut self.state, State::Lost) else {
            unreachable!("made ready above");
        };
        // A failed run drops (destroys) the instance: it stays `Lost`.
        let solved = h.try_solve().map_err(|_| BackendError::Failed)?;
        self.state = State::Solved(solved);
        Ok(())
    }

    fn status(&self) -> SolveStatus {
        let Some(solved) = self.solved() else {
            return SolveStatus::Error;
        };
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

    fn mip_gap(&self) -> f64 {
        self.solved().map_or(f64::NAN, highs::SolvedModel::mip_gap)
    }

    fn values(&self) -> LpValues {
        let Some(solved) = self.solved() else {
            return LpValues::default();
        };
        let sol = solved.get_solution();
        LpValues {
            cols: sol.columns().to_vec(),
            row_duals: sol.dual_rows().to_vec(),
            col_duals: sol.dual_columns().to_vec(),
        }
    }

    fn row_ranging(&mut self) -> Option<Vec<(f64, f64)>> {
        ffi::row_ranging(self)
    }
}

/// A basis status from HiGHS's code (`HighsBasisStatus`).
fn basis_status(code: std::os::raw::c_int) -> Option<BasisStatus> {
    Some(match code {
        0 => BasisStatus::Lower,
        1 => BasisStatus::Basic,
        2 => BasisStatus::Upper,
        3 => BasisStatus::Zero,
        4 => BasisStatus::Nonbasic,
        _ => return None,
    })
}

/// HiGHS's code of a basis status.
fn basis_code(status: BasisStatus) -> std::os::raw::c_int {
    match status {
        BasisStatus::Lower => 0,
        BasisStatus::Basic => 1,
        BasisStatus::Upper => 2,
        BasisStatus::Zero => 3,
        BasisStatus::Nonbasic => 4,
    }
}

/// The HiGHS calls the `highs` crate does not wrap (basis, ranging, run time, progress
/// callbacks), on an instance a [`Highs`] owns.
#[allow(unsafe_code)]
mod ffi {
    use std::os::raw::{c_int, c_void};

    use super::{Highs, State};

    /// The pointer of the live HiGHS instance `h` owns, if it has one.
    fn ptr(h: &Highs) -> Option<*const c_void> {
        match &h.state {
            State::Ready(m) => Some(m.as_ptr()),
            State::Solved(s) => Some(s.as_ptr()),
            State::Lost => None,
        }
    }

    /// The mutable pointer of the live HiGHS instance `h` owns, if it has one.
    fn ptr_mut(h: &mut Highs) -> Option<*mut c_void> {
        match &mut h.state {
            State::Ready(m) => Some(m.as_mut_ptr()),
            State::Solved(s) => Some(s.as_mut_ptr()),
            State::Lost => None,
        }
    }

    /// Numbers of columns and rows of the instance.
    fn dims(ptr: *const c_void) -> (usize, usize) {
        // SAFETY: the pointer is a live HiGHS instance (from `ptr`); the calls only read it.
        let (cols, rows) = unsafe {
            (
                highs_sys::Highs_getNumCol(ptr),
                highs_sys::Highs_getNumRow(ptr),
            )
        };
        (
            usize::try_from(cols).unwrap_or(0),
            usize::try_from(rows).unwrap_or(0),
        )
    }

    /// The basis of a solved instance: column and row statuses, when it has a valid one.
    pub fn get_basis(h: &Highs) -> Option<(Vec<c_int>, Vec<c_int>)> {
        let ptr = ptr(h)?;
        let (cols, rows) = dims(ptr);
        let mut col_status: Vec<c_int> = vec![0; cols];
        let mut row_status: Vec<c_int> = vec![0; rows];
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the arrays have the
        // instance's numbers of columns and rows, as Highs_getBasis requires.
        let status = unsafe {
            highs_sys::Highs_getBasis(ptr, col_status.as_mut_ptr(), row_status.as_mut_ptr())
        };
        (status == highs_sys::STATUS_OK).then_some((col_status, row_status))
    }

    /// Per row, the range `[down, up]` of the row's bound over which the current basis (and so
    /// the row's dual) stays optimal, from Highs_getRanging on a solved instance with a basis.
    pub fn row_ranging(h: &mut Highs) -> Option<Vec<(f64, f64)>> {
        let ptr = ptr_mut(h)?;
        let (cols, rows) = dims(ptr);
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
                ptr,
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
    pub fn run_time(h: &Highs) -> f64 {
        let Some(ptr) = ptr(h) else {
            return 0.0;
        };
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the call only reads it.
        unsafe { highs_sys::Highs_getRunTime(ptr) }
    }

    /// Sets the starting basis of an instance with the same numbers of columns and rows.
    pub fn set_basis(h: &mut Highs, col_status: &[c_int], row_status: &[c_int]) {
        let Some(ptr) = ptr_mut(h) else {
            return;
        };
        if dims(ptr) != (col_status.len(), row_status.len()) {
            return;
        }
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the arrays have its numbers
        // of columns and rows (checked above).
        let status =
            unsafe { highs_sys::Highs_setBasis(ptr, col_status.as_ptr(), row_status.as_ptr()) };
        // A basis HiGHS refuses only loses the warm start.
        let _ = status;
    }

    /// Has HiGHS report the progress of the instance's runs ([`crate::progress`]) from its
    /// simplex, interior-point and branch-and-bound interrupt callbacks.
    pub fn report_progress(h: &mut Highs) {
        let Some(ptr) = ptr_mut(h) else {
            return;
        };
        // SAFETY: the pointer is the live HiGHS instance `h` owns; the callback is a plain
        // function and its data pointer is null, so nothing it uses can dangle.
        unsafe {
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
        _data: *mut c_void,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::solve;

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

    /// An option HiGHS refuses is an error, not a panic; the instance stays usable.
    #[test]
    fn a_refused_option_is_an_error() {
        let mut m = Model::default();
        let x = m.col("x", 0.0, 10.0, 1.0);
        m.row("need", 1.0, f64::INFINITY, &[(x, 1.0)]);
        let mut h = Highs::load(&m, false).expect("loads");
        let bad = SolveSettings {
            time_limit_s: -1.0,
            ..SolveSettings::default()
        };
        let err = h.configure(&bad, bad.time_limit_s).unwrap_err();
        assert!(err.to_string().contains("time_limit"), "{err}");
        let bad_gap = SolveSettings {
            mip_gap: -1.0,
            ..SolveSettings::default()
        };
        assert!(h.configure(&bad_gap, 60.0).is_err());
        let too_many = SolveSettings {
            threads: u32::MAX,
            ..SolveSettings::default()
        };
        assert!(h.configure(&too_many, 60.0).is_err());
        h.configure(&SolveSettings::default(), 60.0).expect("valid");
        h.run().expect("runs");
        assert_eq!(h.status(), SolveStatus::Optimal);
        assert_eq!(h.values().cols, vec![1.0]);
    }
}
