//! Warm-started re-solves of variants of one model ([`Resolver`]), and recourse plans that keep
//! a plan's integral choices ([`Pattern`]): for Monte Carlo samples of one scenario.

use std::sync::Arc;
use std::time::Instant;

use super::dive::{self, Dive};
use super::propagation::Propagation;
use super::{
    Backend, Basis, Deadline, Method, Solution, SolvePath, SolveSettings, SolveStatus, Solver,
    evaluate, exactly_one_groups, fixed_bounds, fixed_lp, objective, snap, solve,
};
use crate::lp::Model;

/// Re-solves variants of one model (same columns, rows and nonzero pattern: the same scenario
/// with other prices, demands, delivery dates or chip speeds), each warm-started from the
/// optimal basis of the first model's relaxation. Every variant starts from that same basis,
/// whatever was solved before it, so the answers do not depend on the order of the variants
/// or on which thread solves which: Monte Carlo results stay reproducible. A model of another
/// structure is solved from scratch.
///
/// Its solves draw from the deadline of the settings it was made with
/// ([`SolveSettings::deadline`]); [`Resolver::with_deadline`] gives one with the same base that
/// draws from another (a base kept across commands, as the server keeps one across jobs).
#[derive(Clone)]
pub struct Resolver {
    settings: SolveSettings,
    /// Shared by the resolvers [`Resolver::with_deadline`] makes; copied on a change.
    base: Option<Arc<Base>>,
}

/// The first model's structure and its relaxation's optimal basis.
#[derive(Clone)]
struct Base {
    shape: Shape,
    basis: Basis,
    /// The integral choices `solve_fixed` tries, in order: the base plan's first, then those
    /// added with [`Resolver::add_patterns`].
    patterns: Vec<Pattern>,
}

/// A plan's integral choices (which run goes where, and when its clusters are on) and the
/// optimal basis of its LP at those choices: one candidate of a recourse plan.
#[derive(Debug, Clone)]
pub struct Pattern {
    values: Vec<f64>,
    basis: Basis,
}

impl Pattern {
    /// The pattern of `values` (a plan of `model`) with its fixed LP's optimal basis, or
    /// `None` when that LP has no optimal basis.
    fn of(model: &Model, values: &[f64], settings: &SolveSettings) -> Option<Pattern> {
        let settings = &settings.now()?;
        let lp = fixed_lp(model, values);
        let mut h = Solver::load(&lp, false).ok()?;
        h.configure(settings, settings.time_limit_s).ok()?;
        h.run().ok()?;
        if h.status() != SolveStatus::Optimal {
            return None;
        }
        Some(Pattern {
            values: values.to_vec(),
            basis: h.basis()?,
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

impl Resolver {
    /// A resolver with these settings.
    pub fn new(settings: &SolveSettings) -> Resolver {
        Resolver {
            settings: settings.clone(),
            base: None,
        }
    }

    /// This resolver's base (its structure, basis and patterns, shared, not copied), with its
    /// solves drawing from `deadline` instead of the deadline it was made with: for a base
    /// kept longer than one command, whose deadline has passed when the next command uses it.
    pub fn with_deadline(&self, deadline: Deadline) -> Resolver {
        Resolver {
            settings: SolveSettings {
                deadline,
                ..self.settings.clone()
            },
            base: self.base.clone(),
        }
    }

    /// Whether a base was kept: [`Resolver::solve_base`] solved a mixed-integer model's
    /// relaxation to an optimal basis (not when it was stopped first, by its time limit, say).
    pub fn has_base(&self) -> bool {
        self.base.is_some()
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
        let Some(settings) = &self.settings.now() else {
            return Solution::out_of_time();
        };
        let Ok(mut h) = Solver::load(model, true) else {
            return solve(model, settings);
        };
        if h.configure(settings, settings.time_limit_s).is_err() {
            return solve(model, &self.settings);
        }
        h.set_basis(&base.basis);
        let (dive, _) = dive::lp_first_with(h, model, settings, start);
        match dive {
            Dive::Incumbent(values) if any_plan => {
                evaluate(model, values, SolveStatus::Feasible, f64::INFINITY)
            }
            dive => dive::finish::<Solver>(model, settings, start, dive),
        }
    }

    /// Solves `model` from scratch and keeps its relaxation's basis as the start of later
    /// solves.
    pub fn solve_base(&mut self, model: &Model) -> Solution {
        self.base = None;
        if model.invalid().is_some()
            || !model.is_mip()
            || !self.settings.lp_first
            || self.settings.validate().is_err()
        {
            return solve(model, &self.settings);
        }
        let start = Instant::now();
        let Some(settings) = self.settings.now() else {
            return Solution::out_of_time();
        };
        let Ok(mut h) = dive::relaxation::<Solver>(model, &settings, settings.time_limit_s) else {
            return solve(model, &self.settings);
        };
        if h.run().is_err() {
            return solve(model, &self.settings);
        }
        if let Some(basis) = h.basis() {
            self.base = Some(Arc::new(Base {
                shape: Shape::of(model),
                basis,
                patterns: Vec::new(),
            }));
        }
        if h.set_method(Method::Choose).is_err() {
            return solve(model, &self.settings);
        }
        let (dive, _) = dive::lp_first_with(h, model, &self.settings, start);
        let solution = dive::finish::<Solver>(model, &self.settings, start, dive);
        if solution.status.has_solution() {
            if let Some(base) = &mut self.base {
                Arc::make_mut(base).patterns.extend(Pattern::of(
                    model,
                    &solution.values,
                    &self.settings,
                ));
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
        let base = Arc::make_mut(base);
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
            let Some(settings) = self.settings.now() else {
                return Solution::out_of_time();
            };
            let Ok(mut h) = Solver::load(&lp, false) else {
                return self.solve(model);
            };
            if h.configure(&settings, settings.time_limit_s).is_err() {
                return self.solve(model);
            }
            h.set_basis(&pattern.basis);
            if h.run().is_err() {
                return self.solve(model);
            }
            if h.status() != SolveStatus::Optimal {
                continue;
            }
            let sol = h.values();
            let values = snap(model, sol.cols);
            return Solution {
                status: SolveStatus::Feasible,
                objective: objective(model, &values),
                values,
                row_duals: sol.row_duals,
                reduced_costs: sol.col_duals,
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

/// What must not differ between models for one's basis to start another: the rows, each
/// column's integrality, and where the nonzeros are.
#[derive(Debug, Clone, PartialEq)]
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
