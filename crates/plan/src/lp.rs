//! The optimisation model, written once against this small sparse modelling layer: columns
//! (variables) with bounds, costs and integrality; rows (constraints) with bounds; and
//! coefficients. The solvers (`solver/`, behind one trait) are adapters, and `write_lp` dumps the
//! exact model in CPLEX LP format so that any solve can be replayed.

use std::fmt::Write as _;

/// Selects columns for a section of the LP file.
type ColFilter = fn(&ColDef) -> bool;

/// A column (variable) index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col(pub usize);

/// A row (constraint) index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Row(pub usize);

/// The largest coefficient, in size, a model may hand a solver (HiGHS refuses matrix values
/// from 1e15, its `large_matrix_value`).
pub const LARGEST_COEFFICIENT: f64 = 1e15;
/// Costs and finite bounds from this size on are infinite to a solver (HiGHS's
/// `infinite_cost` and `infinite_bound`).
pub const INFINITE: f64 = 1e20;

/// A variable.
#[derive(Debug, Clone)]
pub struct ColDef {
    /// Name (for dumps and explanations).
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (may be infinite).
    pub hi: f64,
    /// Objective coefficient.
    pub cost: f64,
    /// Whether the variable must be integral.
    pub integer: bool,
    /// Semi-continuous: the value is 0 or within `[lo, hi]`.
    pub semi: bool,
}

/// A constraint `lo <= Σ coef · col <= hi`.
#[derive(Debug, Clone)]
pub struct RowDef {
    /// Name.
    pub name: String,
    /// Lower bound (may be -∞).
    pub lo: f64,
    /// Upper bound (may be +∞).
    pub hi: f64,
}

/// A minimisation model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Variables.
    pub cols: Vec<ColDef>,
    /// Constraints.
    pub rows: Vec<RowDef>,
    /// Coefficients (row, column, value).
    pub entries: Vec<(Row, Col, f64)>,
    /// A constant added to the objective.
    pub objective_constant: f64,
}

impl Model {
    /// Adds a continuous variable.
    pub fn col(&mut self, name: impl Into<String>, lo: f64, hi: f64, cost: f64) -> Col {
        self.cols.push(ColDef {
            name: name.into(),
            lo,
            hi,
            cost,
            integer: false,
            semi: false,
        });
        Col(self.cols.len() - 1)
    }

    /// Adds a binary variable.
    pub fn binary(&mut self, name: impl Into<String>, cost: f64) -> Col {
        self.cols.push(ColDef {
            name: name.into(),
            lo: 0.0,
            hi: 1.0,
            cost,
            integer: true,
            semi: false,
        });
        Col(self.cols.len() - 1)
    }

    /// Adds a semi-continuous variable: 0, or between `lo` and `hi`.
    pub fn semi_continuous(&mut self, name: impl Into<String>, lo: f64, hi: f64, cost: f64) -> Col {
        self.cols.push(ColDef {
            name: name.into(),
            lo,
            hi,
            cost,
            integer: false,
            semi: true,
        });
        Col(self.cols.len() - 1)
    }

    /// Adds a constraint with its terms.
    pub fn row(&mut self, name: impl Into<String>, lo: f64, hi: f64, terms: &[(Col, f64)]) -> Row {
        self.rows.push(RowDef {
            name: name.into(),
            lo,
            hi,
        });
        let r = Row(self.rows.len() - 1);
        for &(c, v) in terms {
            if v != 0.0 {
                self.entries.push((r, c, v));
            }
        }
        r
    }

    /// Adds a term to an existing row.
    pub fn add(&mut self, row: Row, col: Col, value: f64) {
        if value != 0.0 {
            self.entries.push((row, col, value));
        }
    }

    /// The first non-finite coefficient, cost or crossed bound, or a number past what a solver
    /// takes ([`LARGEST_COEFFICIENT`], [`INFINITE`]), if any: reported, with the names of the
    /// row and column (which name the scenario's entries), instead of handed to the solver.
    pub fn invalid(&self) -> Option<String> {
        let beyond = self.beyond_limits();
        if beyond.is_some() {
            return beyond;
        }
        for c in &self.cols {
            if !c.cost.is_finite()
                || c.lo.is_nan()
                || c.hi.is_nan()
                || c.lo > c.hi
                || c.lo == f64::INFINITY
            {
                return Some(format!(
                    "variable '{}' has cost {} and bounds [{}, {}]",
                    c.name, c.cost, c.lo, c.hi
                ));
            }
        }
        for r in &self.rows {
            if r.lo.is_nan()
                || r.hi.is_nan()
                || r.lo > r.hi
                || r.lo == f64::INFINITY
                || r.hi == f64::NEG_INFINITY
            {
                return Some(format!(
                    "constraint '{}' has bounds [{}, {}]",
                    r.name, r.lo, r.hi
                ));
            }
        }
        for &(r, c, v) in &self.entries {
            if !v.is_finite() {
                return Some(format!(
                    "coefficient {v} of '{}' in '{}'",
                    self.cols[c.0].name, self.rows[r.0].name
                ));
            }
        }
        None
    }

    /// The first coefficient of at least [`LARGEST_COEFFICIENT`] or cost or finite bound of at
    /// least [`INFINITE`] in size.
    fn beyond_limits(&self) -> Option<String> {
        let huge = |v: f64| v.is_finite() && v.abs() >= INFINITE;
        let hint = "a scenario value, or a series grown over the horizon, is too large for the \
                    solver; the names say which entry";
        for c in &self.cols {
            if huge(c.cost) || huge(c.lo) || huge(c.hi) {
                return Some(format!(
                    "variable '{}' has cost {:e} and bounds [{:e}, {:e}], past the solver's \
                     {INFINITE:e}: {hint}",
                    c.name, c.cost, c.lo, c.hi
                ));
            }
        }
        for r in &self.rows {
            if huge(r.lo) || huge(r.hi) {
                return Some(format!(
                    "constraint '{}' has bounds [{:e}, {:e}], past the solver's {INFINITE:e}: \
                     {hint}",
                    r.name, r.lo, r.hi
                ));
            }
        }
        for &(r, c, v) in &self.entries {
            if v.is_finite() && v.abs() >= LARGEST_COEFFICIENT {
                return Some(format!(
                    "constraint '{}' has coefficient {v:e} for variable '{}', past the \
                     solver's {LARGEST_COEFFICIENT:e}: {hint}",
                    self.rows[r.0].name, self.cols[c.0].name
                ));
            }
        }
        None
    }

    /// Adds the row `objective ≤ max` (the constant included) and returns the objective's terms,
    /// so that a different objective can be optimised within a cost allowance.
    pub fn cap_objective(&mut self, max: f64) -> Vec<(Col, f64)> {
        let terms: Vec<(Col, f64)> = self
            .cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.cost != 0.0)
            .map(|(i, c)| (Col(i), c.cost))
            .collect();
        let limit = max - self.objective_constant;
        self.row("objective cap", f64::NEG_INFINITY, limit, &terms);
        terms
    }

    /// Whether any variable is integral.
    pub fn is_mip(&self) -> bool {
        self.cols.iter().any(|c| c.integer || c.semi)
    }

    /// The model in CPLEX LP format (as read by HiGHS, CPLEX, Gurobi, CBC).
    pub fn write_lp(&self) -> String {
        let names: Vec<String> = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| lp_name(&c.name, 'x', i))
            .collect();
        let mut by_row: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.rows.len()];
        for &(r, c, v) in &self.entries {
            by_row[r.0].push((c.0, v));
        }
        let mut out = String::from("\\ allot planning model\nMinimize\n obj:");
        let mut any = false;
        for (i, c) in self.cols.iter().enumerate() {
            if c.cost != 0.0 {
                let _ = write!(out, " {} {}", signed(c.cost), names[i]);
                any = true;
            }
        }
        if self.objective_constant != 0.0 || !any {
            let _ = write!(out, " {}", signed(self.objective_constant));
        }
        out.push_str("\nSubject To\n");
        for (i, r) in self.rows.iter().enumerate() {
            let mut expr = String::new();
            for &(c, v) in &by_row[i] {
                let _ = write!(expr, " {} {}", signed(v), names[c]);
            }
            if expr.is_empty() {
                expr.push_str(" 0 x_zero");
            }
            let name = lp_name(&r.name, 'r', i);
            match (r.lo.is_finite(), r.hi.is_finite()) {
                (true, true) if r.lo == r.hi => {
                    let _ = writeln!(out, " {name}:{expr} = {}", r.lo);
                }
                (true, true) => {
                    let _ = writeln!(out, " {name}_lo:{expr} >= {}", r.lo);
                    let _ = writeln!(out, " {name}_hi:{expr} <= {}", r.hi);
                }
                (true, false) => {
                    let _ = writeln!(out, " {name}:{expr} >= {}", r.lo);
                }
                (false, true) => {
                    let _ = writeln!(out, " {name}:{expr} <= {}", r.hi);
                }
                (false, false) => {}
            }
        }
        out.push_str("Bounds\n");
        for (i, c) in self.cols.iter().enumerate() {
            let lo = if c.lo.is_finite() {
                c.lo.to_string()
            } else {
                "-inf".to_string()
            };
            let hi = if c.hi.is_finite() {
                c.hi.to_string()
            } else {
                "+inf".to_string()
            };
            let _ = writeln!(out, " {lo} <= {} <= {hi}", names[i]);
        }
        let sections: [(&str, ColFilter); 2] =
            [("General", |c| c.integer), ("Semi-continuous", |c| c.semi)];
        for (section, member) in sections {
            let listed: Vec<&String> = self
                .cols
                .iter()
                .zip(&names)
                .filter(|(c, _)| member(c))
                .map(|(_, n)| n)
                .collect();
            if !listed.is_empty() {
                let _ = writeln!(out, "{section}");
                for n in listed {
                    let _ = writeln!(out, " {n}");
                }
            }
        }
        out.push_str("End\n");
        out
    }
}

impl Model {
    /// The model in free MPS format (as read by HiGHS, CPLEX, Gurobi, CBC, SCIP). Every column
    /// gets explicit bounds (readers differ on the defaults of integer columns); the objective
    /// constant is the objective row's right-hand side, negated; a row free on both sides is left
    /// out, as in [`Model::write_lp`].
    pub fn write_mps(&self) -> String {
        let col_names: Vec<String> = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| lp_name(&c.name, 'x', i))
            .collect();
        let row_names: Vec<String> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| lp_name(&r.name, 'r', i))
            .collect();
        let kept = |r: &RowDef| r.lo.is_finite() || r.hi.is_finite();
        let mut by_col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.cols.len()];
        for &(r, c, v) in &self.entries {
            if kept(&self.rows[r.0]) {
                by_col[c.0].push((r.0, v));
            }
        }
        let mut out = String::from("NAME allot\nOBJSENSE\n    MIN\nROWS\n N obj\n");
        for (r, name) in self.rows.iter().zip(&row_names) {
            let kind = match (r.lo.is_finite(), r.hi.is_finite()) {
                (true, true) if r.lo == r.hi => 'E',
                (true, _) => 'G',
                (false, true) => 'L',
                (false, false) => continue,
            };
            let _ = writeln!(out, " {kind} {name}");
        }
        out.push_str("COLUMNS\n");
        let mut integral = false;
        for (i, c) in self.cols.iter().enumerate() {
            if c.integer != integral {
                let marker = if c.integer { "INTORG" } else { "INTEND" };
                let _ = writeln!(out, "    MARKER 'MARKER' '{marker}'");
                integral = c.integer;
            }
            let name = &col_names[i];
            if c.cost != 0.0 || by_col[i].is_empty() {
                let _ = writeln!(out, "    {name} obj {}", c.cost);
            }
            for &(r, v) in &by_col[i] {
                let _ = writeln!(out, "    {name} {} {v}", row_names[r]);
            }
        }
        if integral {
            out.push_str("    MARKER 'MARKER' 'INTEND'\n");
        }
        out.push_str("RHS\n");
        if self.objective_constant != 0.0 {
            let _ = writeln!(out, "    RHS obj {}", -self.objective_constant);
        }
        let mut ranges = String::new();
        for (r, name) in self.rows.iter().zip(&row_names) {
            let rhs = match (r.lo.is_finite(), r.hi.is_finite()) {
                (true, true) if r.lo != r.hi => {
                    let _ = writeln!(ranges, "    RNG {name} {}", r.hi - r.lo);
                    r.lo
                }
                (true, _) => r.lo,
                (false, true) => r.hi,
                (false, false) => continue,
            };
            if rhs != 0.0 {
                let _ = writeln!(out, "    RHS {name} {rhs}");
            }
        }
        if !ranges.is_empty() {
            out.push_str("RANGES\n");
            out.push_str(&ranges);
        }
        out.push_str("BOUNDS\n");
        for (c, name) in self.cols.iter().zip(&col_names) {
            match (c.lo.is_finite(), c.hi.is_finite()) {
                (true, true) if c.lo == c.hi && !c.semi => {
                    let _ = writeln!(out, " FX BND {name} {}", c.lo);
                    continue;
                }
                (true, _) => {
                    let _ = writeln!(out, " LO BND {name} {}", c.lo);
                }
                (false, _) => {
                    let _ = writeln!(out, " MI BND {name}");
                }
            }
            match (c.semi, c.hi.is_finite()) {
                (true, _) => {
                    // MPS's infinity, for a semi-continuous column without an upper bound.
                    let hi = if c.hi.is_finite() { c.hi } else { 1e30 };
                    let _ = writeln!(out, " SC BND {name} {hi}");
                }
                (false, true) => {
                    let _ = writeln!(out, " UP BND {name} {}", c.hi);
                }
                (false, false) => {
                    let _ = writeln!(out, " PL BND {name}");
                }
            }
        }
        out.push_str("ENDATA\n");
        out
    }
}

fn signed(v: f64) -> String {
    if v < 0.0 {
        format!("- {}", -v)
    } else {
        format!("+ {v}")
    }
}

/// A name the LP format accepts: letters, digits and `_.`, not starting with a digit, unique by
/// its index suffix.
fn lp_name(name: &str, prefix: char, index: usize) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("{prefix}{index}_{clean}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22, item 10: numbers HiGHS refuses ("HiGHS rejected the model", no location) are
    /// reported with the row and column they are in, and solved as an error.
    #[test]
    fn numbers_past_the_solvers_limits_name_their_row_and_column() {
        let cases: [(f64, f64, f64, &str); 4] = [
            (
                1e16,
                0.0,
                1.0,
                "constraint 'work ft' has coefficient 1e16 for variable 'place ft'",
            ),
            (
                1.0,
                1e20,
                1.0,
                "constraint 'work ft' has bounds [1e20, inf]",
            ),
            (1.0, 0.0, 1e21, "variable 'place ft' has cost 1e21"),
            (-1e15, 0.0, 1.0, "coefficient -1e15"),
        ];
        for (coefficient, rhs, cost, expected) in cases {
            let mut m = Model::default();
            let x = m.col("place ft", 0.0, 1.0, cost);
            m.row("work ft", rhs, f64::INFINITY, &[(x, coefficient)]);
            let why = m.invalid().unwrap_or_default();
            assert!(why.contains(expected), "{why}");
            let solved = crate::solver::solve(&m, &crate::solver::SolveSettings::default());
            assert_eq!(solved.status, allot_plan_format::SolveStatus::Error);
            assert!(solved.message.contains(expected), "{}", solved.message);
        }
        let mut m = Model::default();
        let x = m.col("x", 0.0, 1e19, 1e19);
        m.row("r", 0.0, 1e19, &[(x, 9.9e14)]);
        assert_eq!(m.invalid(), None);
    }

    #[test]
    fn writes_a_readable_lp() {
        let mut m = Model::default();
        let x = m.col("buy h100/2026-01", 0.0, f64::INFINITY, 2.5);
        let y = m.binary("place run", 10.0);
        m.row("demand", 4.0, f64::INFINITY, &[(x, 1.0), (y, -2.0)]);
        m.row("range", 1.0, 5.0, &[(x, 1.0)]);
        let lp = m.write_lp();
        assert!(
            lp.contains("obj: + 2.5 x0_buy_h100_2026_01 + 10 x1_place_run"),
            "{lp}"
        );
        assert!(
            lp.contains("r0_demand: + 1 x0_buy_h100_2026_01 - 2 x1_place_run >= 4"),
            "{lp}"
        );
        assert!(lp.contains("r1_range_lo: + 1 x0_buy_h100_2026_01 >= 1"));
        assert!(lp.contains("General\n x1_place_run"));
    }
}
