//! Bound propagation over a model's rows (as presolvers do), a cheap test of whether a set of
//! column bounds is infeasible before an LP is solved for it.

use crate::lp::Model;

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
pub(super) struct Propagation {
    /// Terms of each row.
    rows: Vec<Vec<(usize, f64)>>,
    /// Rows of each column.
    of_col: Vec<Vec<usize>>,
    /// Row bounds.
    bounds: Vec<(f64, f64)>,
}

impl Propagation {
    pub(super) fn new(model: &Model) -> Propagation {
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
    pub(super) fn infeasible(&self, mut lo: Vec<f64>, mut hi: Vec<f64>) -> bool {
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

#[cfg(test)]
mod tests {
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
