//! Building the mixed-integer program from prepared data (docs/model.md describes it).

use allot_scenario::{CapCounts, PaymentTerms, Scenario, ShareBasis};

use crate::lp::{Col, Model};
use crate::prep::{HOURS_PER_MONTH, Prepared, Purchase, overlap};

/// The model and where each quantity lives in it.
#[derive(Debug)]
pub struct Built {
    /// The model.
    pub model: Model,
    /// Chips provisioned per supply and period.
    pub cap: Vec<Vec<Col>>,
    /// Cohorts started per term supply and period.
    pub cohorts: Vec<Vec<Option<Col>>>,
    /// Option chosen per training run.
    pub train_choice: Vec<Vec<Col>>,
    /// Chips used per training run, option and period.
    pub train_chips: Vec<Vec<Vec<(usize, Col)>>>,
    /// Chips of each inference demand per option and period, where the option's pool is a
    /// class of its own: `[demand][option]` as `(period, column)`. Serving from a class of
    /// several pools is in [`Built::serve_classes`].
    pub serve_chips: Vec<Vec<Vec<(usize, Col)>>>,
    /// Classes of interchangeable pools that serve from shared columns.
    pub serve_classes: Vec<ServeClass>,
    /// Shortfall paid per commitment, with the period it is paid in: one at the end of the
    /// term inside the horizon (take-or-pay paid as used or prepaid), or one per period of
    /// the term (the top-up to a monthly minimum).
    pub shortfall: Vec<Vec<(usize, Col)>>,
    /// Obligation inside the horizon per commitment, USD.
    pub obligation: Vec<f64>,
    /// Spend attributed to each commitment with a minimum (constraint 6), by provider's chip
    /// and period; empty for a commitment without one.
    pub attribution: Vec<Vec<Attributed>>,
    /// Reserved (pre-bought) chips per supply and period.
    pub reserved_chips: Vec<Vec<f64>>,
    /// Cost of those reservations per supply and period, USD.
    pub reserved_cost: Vec<Vec<f64>>,
    /// What the constraints a planner may ask about stand for (for explanations).
    pub tags: Vec<(crate::lp::Row, Tag)>,
}

/// Pools that are interchangeable for serving in one period: the same chip (so the same
/// chip-hours per token for every demand), open to the same demands. They share one supply row
/// and each demand one serving column, instead of a row per pool and a column per demand and
/// pool; the split of the serving among the pools is made after the solve
/// ([`Built::serving_chips`]). Most classes have one pool.
#[derive(Debug, Clone)]
pub struct ServeClass {
    /// Period.
    pub period: usize,
    /// Member pools.
    pub pools: Vec<usize>,
    /// Demands served from the class, with their column (chips drawn from the class).
    pub demands: Vec<(usize, Col)>,
}

/// Spend of one chip of a commitment's provider in one period attributed to the commitment
/// (constraint 6): `terms` (model units) plus `constant` (reservations, model units).
#[derive(Debug, Clone)]
pub struct Attributed {
    /// Period.
    pub period: usize,
    /// Accelerator id.
    pub chip: String,
    /// Columns and coefficients.
    pub terms: Vec<(Col, f64)>,
    /// Constant part.
    pub constant: f64,
}

/// How the model is written.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Let interchangeable pools share supply rows and serving columns ([`ServeClass`]). Off,
    /// every pool is its own class: needed to steer a demand to single pools.
    pub pool_serving: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { pool_serving: true }
    }
}

/// A class before it has rows and columns: period, member pools, and the demands open on it
/// with one of their options there.
struct ClassDef {
    period: usize,
    pools: Vec<usize>,
    demands: Vec<(usize, usize)>,
}

/// The serving classes of every period (see [`ServeClass`]), a partition of the pools: pools
/// grouped by chip and by the demands that may use them in the period with their chip-hours
/// per token (`pooled`), or each pool alone. Ordered by period, then by first pool. With
/// `by_provider` a class also keeps to one provider (a cap on capacity in use, constraint 8,
/// counts each provider's serving, which a class across providers leaves open).
fn serving_classes(prep: &Prepared, pooled: bool, by_provider: bool) -> Vec<ClassDef> {
    let n = prep.periods.len();
    // Each option's next open period (options list their periods in order): the open lists are
    // built one period at a time, since over all periods they have the size of the model
    // written pool by pool.
    let mut next: Vec<Vec<usize>> = prep
        .serving
        .iter()
        .map(|d| vec![0; d.options.len()])
        .collect();
    // A class's key: its chip (and provider), and each open demand with its chip-hours per
    // token (as bits).
    type Key<'a> = (&'a str, &'a str, Vec<(usize, u64)>);
    let mut classes = Vec::new();
    for p in 0..n {
        // (demand, option) open on each pool in this period, in demand order.
        let mut open: Vec<Vec<(usize, usize)>> = vec![Vec::new(); prep.pools.len()];
        for (d, work) in prep.serving.iter().enumerate() {
            for (o, opt) in work.options.iter().enumerate() {
                let at = &mut next[d][o];
                if opt.periods.get(*at) == Some(&p) {
                    *at += 1;
                    if work.tokens[p] > 0.0 {
                        open[opt.pool].push((d, o));
                    }
                }
            }
        }
        let mut groups: std::collections::BTreeMap<Key<'_>, Vec<usize>> =
            std::collections::BTreeMap::new();
        let mut found: Vec<Vec<usize>> = Vec::new();
        for (k, pool) in prep.pools.iter().enumerate() {
            if !pooled || open[k].is_empty() {
                found.push(vec![k]);
                continue;
            }
            let key: Vec<(usize, u64)> = open[k]
                .iter()
                .map(|&(d, o)| {
                    (
                        d,
                        prep.serving[d].options[o].chip_hours_per_million.to_bits(),
                    )
                })
                .collect();
            let provider = if by_provider {
                pool.provider.as_str()
            } else {
                ""
            };
            groups
                .entry((pool.chip.as_str(), provider, key))
                .or_default()
                .push(k);
        }
        found.extend(groups.into_values());
        found.sort_by_key(|pools| pools[0]);
        classes.extend(found.into_iter().map(|pools| ClassDef {
            period: p,
            demands: std::mem::take(&mut open[pools[0]]),
            pools,
        }));
    }
    classes
}

/// What a constraint stands for, in the scenario's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    /// A delivery ramp: `availability[index]` in a period.
    Availability {
        /// Index into the scenario's `availability`.
        index: usize,
        /// Period.
        period: usize,
    },
    /// A training run's work on one option.
    Work {
        /// Run index.
        run: usize,
        /// Option index.
        option: usize,
    },
    /// An inference demand in a period.
    Serve {
        /// Demand index.
        demand: usize,
        /// Period.
        period: usize,
    },
    /// A take-or-pay commitment: its whole obligation inside the horizon (`period` `None`),
    /// or its monthly minimum in one period.
    Commitment {
        /// Index into the scenario's `commitment`.
        index: usize,
        /// The period of a monthly minimum.
        period: Option<usize>,
    },
    /// A vendor or provider share cap in a year: `Σ member − share · Σ all ≤ 0`.
    Share {
        /// `vendor` or `provider`.
        kind: &'static str,
        /// Vendor or provider id.
        who: String,
        /// Calendar year.
        year: i32,
        /// The cap.
        share: f64,
        /// Whether it counts capacity in use only (constraint 8) rather than all held.
        in_use: bool,
        /// Whether it is a share of spend or of chips.
        basis: ShareBasis,
        /// The total the share is of: `(column, weight)` terms plus a constant.
        total: (Vec<(Col, f64)>, f64),
    },
    /// The power cap in a period.
    Power {
        /// Period.
        period: usize,
    },
    /// A yearly budget.
    Budget {
        /// Calendar year.
        year: i32,
    },
    /// The cash balance in a period: `cash[p] − cash[p−1] + compute paid in p = cash in`.
    Cash {
        /// Period.
        period: usize,
    },
}

/// Model units, chosen so that coefficients and bounds stay within a few orders of magnitude of
/// each other (HiGHS warns past 1e15 and refuses semi-continuous bounds past 1e5): tokens in
/// billions, chips in thousands, money in millions of USD. The plan reports natural units.
pub const TOKEN_UNIT: f64 = 1e9;
/// Chips per model unit.
pub const CHIP_UNIT: f64 = 1e3;
/// USD per model unit.
pub const MONEY_UNIT: f64 = 1e6;

/// The average of a monthly series over each period.
fn per_period(series: &allot_scenario::Series, s: &Scenario, prep: &Prepared) -> Vec<f64> {
    let set = &s.file.scenario;
    let m = set.period.months();
    let monthly = series.monthly(set.start, set.horizon_months, m);
    prep.periods
        .iter()
        .enumerate()
        .map(|(p, per)| {
            let start = p * m as usize;
            let vals = &monthly[start..(start + per.months as usize).min(monthly.len())];
            vals.iter().sum::<f64>() / vals.len().max(1) as f64
        })
        .collect()
}

/// A training option in row and column names: `provider/chip`, with its band's largest
/// cluster when the run has several bands on the pool.
fn option_name(
    run: &crate::prep::TrainingWork,
    opt: &crate::prep::TrainOption,
    prep: &Prepared,
) -> String {
    let pool = &prep.pools[opt.pool];
    let bands = run.options.iter().filter(|o| o.pool == opt.pool).count();
    if bands > 1 {
        format!("{}/{} up to {}", pool.provider, pool.chip, opt.max_chips)
    } else {
        format!("{}/{}", pool.provider, pool.chip)
    }
}

/// Builds the model with the default options.
pub fn build(s: &Scenario, prep: &Prepared) -> Built {
    build_with(s, prep, &BuildOptions::default())
}

/// The constraint families of docs/model.md's list "Constraints", in its order: its number,
/// its name (the function's, which is the doc's bold name in snake case) and the function that
/// writes its columns and rows. [`build_with`] calls them in this order, so the order is also
/// the order of the model's rows and columns.
macro_rules! families {
    ($($number:literal $name:ident),* $(,)?) => {
        const FAMILIES: &[(u32, &str, fn(&mut Builder<'_>))] =
            &[$(($number, stringify!($name), $name)),*];
    };
}

families![
    1 cohorts,
    2 supply_covers_use,
    3 training_runs,
    4 inference_demands,
    5 delivery_ramps,
    6 spend_attribution,
    7 spend_commitments,
    8 vendor_and_provider_caps,
    9 power,
    10 yearly_budgets,
    11 cash_floor,
];

/// The constraint families the builder writes, as `(number, name)` in docs/model.md's order
/// (a test keeps this list, the verifier's and the doc's in step).
pub fn constraint_families() -> Vec<(u32, &'static str)> {
    FAMILIES.iter().map(|&(n, name, _)| (n, name)).collect()
}

/// Builds the model: the reservations already held, then each constraint family of
/// docs/model.md in its order.
pub fn build_with(s: &Scenario, prep: &Prepared, options: &BuildOptions) -> Built {
    let mut b = Builder::new(s, prep, options);
    for (_, _, family) in FAMILIES {
        family(&mut b);
    }
    Built {
        model: b.m,
        cap: b.cap,
        cohorts: b.cohorts,
        train_choice: b.train_choice,
        train_chips: b.train_chips,
        serve_chips: b.serve_chips,
        serve_classes: b.serve_classes,
        shortfall: b.shortfall,
        obligation: b.obligation,
        attribution: b.attribution,
        reserved_chips: b.reserved_chips,
        reserved_cost: b.reserved_cost,
        tags: b.tags,
    }
}

/// The model while it is written, and where each family left what the later ones need.
struct Builder<'a> {
    s: &'a Scenario,
    prep: &'a Prepared,
    options: &'a BuildOptions,
    /// Periods.
    n: usize,
    m: Model,
    tags: Vec<(crate::lp::Row, Tag)>,
    reserved_chips: Vec<Vec<f64>>,
    reserved_cost: Vec<Vec<f64>>,
    /// Chips provisioned per supply and period (1).
    cap: Vec<Vec<Col>>,
    cohorts: Vec<Vec<Option<Col>>>,
    /// Supplies of each pool.
    supplies_of: Vec<Vec<usize>>,
    /// Serving classes, until inference gives them their columns (2, 4).
    classes: Vec<ClassDef>,
    /// The class of each pool in each period, and each class's supply row (2).
    class_of: Vec<Vec<usize>>,
    class_rows: Vec<crate::lp::Row>,
    /// The row a training cluster on pool `k` in period `p` draws from, besides its class's.
    own_rows: Vec<Vec<Option<crate::lp::Row>>>,
    train_choice: Vec<Vec<Col>>,
    train_chips: Vec<Vec<Vec<(usize, Col)>>>,
    serve_chips: Vec<Vec<Vec<(usize, Col)>>>,
    serve_classes: Vec<ServeClass>,
    shortfall: Vec<Vec<(usize, Col)>>,
    obligation: Vec<f64>,
    /// Spend attributed to each commitment (6).
    attribution: Vec<Vec<Attributed>>,
    /// Chips in use per supply and period, bought and reserved, in the periods a cap on
    /// capacity in use covers (8).
    in_use: Vec<Vec<Option<InUse>>>,
}

/// A supply's chips in use in a period (constraint 8): the bought ones' column and, when it
/// has reservations then, the reserved ones'.
type InUse = (Col, Option<Col>);

/// What a share cap's share is of, for sentences about it ("the 50% cap on aws's share{of}"):
/// nothing for the default (spend on capacity held), else the basis and what is counted.
pub(crate) fn share_of(basis: ShareBasis, in_use: bool) -> &'static str {
    match (basis, in_use) {
        (ShareBasis::Spend, false) => "",
        (ShareBasis::Spend, true) => " of capacity in use",
        (ShareBasis::Chips, false) => " of chips",
        (ShareBasis::Chips, true) => " of chips in use",
    }
}

impl<'a> Builder<'a> {
    /// An empty model, with the reservations already held: constant capacity and cost.
    fn new(s: &'a Scenario, prep: &'a Prepared, options: &'a BuildOptions) -> Builder<'a> {
        let n = prep.periods.len();
        let mut m = Model::default();
        let mut reserved_chips = vec![vec![0.0; n]; prep.supplies.len()];
        let mut reserved_cost = vec![vec![0.0; n]; prep.supplies.len()];
        for (r, offering) in allot_scenario::held_reservations(s) {
            let Some(i) = prep
                .supplies
                .iter()
                .position(|x| x.offering.id == offering.id)
            else {
                continue;
            };
            let price = r
                .usd_per_chip_hour
                .or(offering.usd_per_chip_hour())
                .unwrap_or(0.0);
            for (p, per) in prep.periods.iter().enumerate() {
                let months = overlap(
                    per.start,
                    i64::from(per.months),
                    r.start,
                    i64::from(r.term_months),
                ) as f64;
                if months > 0.0 {
                    reserved_chips[i][p] += f64::from(r.chips) * months / f64::from(per.months);
                    reserved_cost[i][p] += f64::from(r.chips) * price * months * HOURS_PER_MONTH;
                    m.objective_constant +=
                        f64::from(r.chips) * price * months * HOURS_PER_MONTH * per.discount
                            / MONEY_UNIT;
                }
            }
        }
        let mut supplies_of: Vec<Vec<usize>> = vec![Vec::new(); prep.pools.len()];
        for (i, x) in prep.supplies.iter().enumerate() {
            supplies_of[x.pool].push(i);
        }
        Builder {
            s,
            prep,
            options,
            n,
            m,
            tags: Vec::new(),
            reserved_chips,
            reserved_cost,
            cap: Vec::with_capacity(prep.supplies.len()),
            cohorts: Vec::with_capacity(prep.supplies.len()),
            supplies_of,
            classes: Vec::new(),
            class_of: vec![vec![0usize; n]; prep.pools.len()],
            class_rows: Vec::new(),
            own_rows: vec![vec![None; n]; prep.pools.len()],
            train_choice: Vec::new(),
            train_chips: Vec::new(),
            serve_chips: Vec::new(),
            serve_classes: Vec::new(),
            shortfall: Vec::new(),
            obligation: Vec::new(),
            attribution: Vec::new(),
            in_use: Vec::new(),
        }
    }

    /// A pool's supply in period `p`: `(capacity column, useful chips per chip)` terms and the
    /// reserved chips (model units), each weighted by its efficiency.
    fn pool_terms(&self, k: usize, p: usize) -> (Vec<(Col, f64)>, f64) {
        let mut terms = Vec::new();
        let mut reserved = 0.0;
        for &i in &self.supplies_of[k] {
            let e = self.prep.supplies[i].efficiency;
            terms.push((self.cap[i][p], e));
            reserved += self.reserved_chips[i][p] * e;
        }
        (terms, reserved / CHIP_UNIT)
    }

    /// The name of pool `k`'s supply row in period `p`.
    fn pool_name(&self, k: usize, p: usize) -> String {
        let pool = &self.prep.pools[k];
        let spot = if pool.spot { " spot" } else { "" };
        format!(
            "supply {}/{}{spot} {}",
            pool.provider, pool.chip, self.prep.periods[p].label
        )
    }

    /// The supply row of pool `k` alone in period `p` (constraint 2, for a pool of a class with
    /// other pools on which a run trains), written when first asked for.
    fn own_pool_row(&mut self, k: usize, p: usize) -> crate::lp::Row {
        if let Some(row) = self.own_rows[k][p] {
            return row;
        }
        let (terms, reserved) = self.pool_terms(k, p);
        let row = self
            .m
            .row(self.pool_name(k, p), -reserved, f64::INFINITY, &terms);
        self.own_rows[k][p] = Some(row);
        row
    }

    /// Cost of the supplies `filter` keeps in period `p` (model units): price × hours × chips
    /// provisioned as terms, and their reservations' cost as a constant.
    fn cost_terms(&self, filter: &dyn Fn(usize) -> bool, p: usize) -> (Vec<(Col, f64)>, f64) {
        let prep = self.prep;
        let mut terms = Vec::new();
        let mut constant = 0.0;
        for (i, sup) in prep.supplies.iter().enumerate() {
            if filter(i) {
                terms.push((
                    self.cap[i][p],
                    sup.price[p] * prep.periods[p].hours * CHIP_UNIT / MONEY_UNIT,
                ));
                constant += self.reserved_cost[i][p] / MONEY_UNIT;
            }
        }
        (terms, constant)
    }

    /// The calendar years of the periods, in order.
    fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.prep.periods.iter().map(|p| p.year).collect();
        y.dedup();
        y
    }

    /// Rows capping a share (`kind` `vendor` or `provider`, of `who`, the supplies `member`
    /// keeps) at `share` of spend or chips, held or in use, per calendar year inside the
    /// window.
    fn share_rows(
        &mut self,
        kind: &'static str,
        who: &str,
        member: &dyn Fn(usize) -> bool,
        cap: Cap,
    ) {
        let prep = self.prep;
        let share = cap.share;
        for y in self.years() {
            let ps: Vec<usize> = (0..self.n)
                .filter(|&p| prep.periods[p].year == y && cap.covers(&prep.periods[p]))
                .collect();
            if ps.is_empty() {
                continue;
            }
            let mut terms = Vec::new();
            let mut constant = 0.0;
            let mut total = Vec::new();
            let mut total_constant = 0.0;
            for &p in &ps {
                for (i, sup) in prep.supplies.iter().enumerate() {
                    let coef = if member(i) { 1.0 - share } else { -share };
                    if cap.counts == CapCounts::InUse {
                        // Chips in use, bought and reserved (`in_use_columns`), each at
                        // its own price for spend.
                        let hours = prep.periods[p].hours;
                        let (bought, reserved) = self.in_use[i][p].expect("in-use columns");
                        let (wb, wr) = match cap.basis {
                            ShareBasis::Spend => (
                                sup.price[p] * hours * CHIP_UNIT / MONEY_UNIT,
                                self.reserved_cost[i][p] / self.reserved_chips[i][p].max(1e-300)
                                    * CHIP_UNIT
                                    / MONEY_UNIT,
                            ),
                            ShareBasis::Chips => (1.0, 1.0),
                        };
                        terms.push((bought, wb * coef));
                        total.push((bought, wb));
                        if let Some(r) = reserved {
                            terms.push((r, wr * coef));
                            total.push((r, wr));
                        }
                        continue;
                    }
                    let (weight, k) = match cap.basis {
                        ShareBasis::Spend => (
                            sup.price[p] * prep.periods[p].hours * CHIP_UNIT / MONEY_UNIT,
                            self.reserved_cost[i][p] / MONEY_UNIT,
                        ),
                        ShareBasis::Chips => (1.0, self.reserved_chips[i][p] / CHIP_UNIT),
                    };
                    terms.push((self.cap[i][p], weight * coef));
                    constant += k * coef;
                    total.push((self.cap[i][p], weight));
                    total_constant += k;
                }
            }
            let row = self.m.row(
                format!("{kind} cap {who} {y}"),
                f64::NEG_INFINITY,
                -constant,
                &terms,
            );
            self.tags.push((
                row,
                Tag::Share {
                    kind,
                    who: who.to_string(),
                    year: y,
                    share,
                    in_use: cap.counts == CapCounts::InUse,
                    basis: cap.basis,
                    total: (total, total_constant),
                },
            ));
        }
    }
}

/// Constraint 1, cohorts (docs/model.md): the capacity of every supply, bought per period
/// (flexible) or held from cohorts (term), each cohort costing its whole term discounted; and
/// for term supplies the chain `x_op = x_{o,p−1} + q_op − q_{o,p−T_o}`.
fn cohorts(b: &mut Builder<'_>) {
    let prep = b.prep;
    let n = b.n;
    let months_per_period = b.s.file.scenario.period.months();
    let rate = b.s.file.scenario.discount_rate;
    let m = &mut b.m;
    for sup in &prep.supplies {
        let id = &sup.offering.id;
        match sup.purchase {
            Purchase::Flexible => {
                b.cap.push(
                    (0..n)
                        .map(|p| {
                            let per = &prep.periods[p];
                            m.col(
                                format!("buy {id} {}", per.label),
                                0.0,
                                f64::INFINITY,
                                sup.price[p] * per.hours * per.discount * CHIP_UNIT / MONEY_UNIT,
                            )
                        })
                        .collect(),
                );
                b.cohorts.push(vec![None; n]);
            }
            Purchase::Term {
                periods: term,
                months,
            } => {
                let starts: Vec<Option<Col>> = (0..n)
                    .map(|t| {
                        // Full term cost, discounted, including months past the horizon.
                        let mut cost = 0.0;
                        for k in 0..i64::from(months) {
                            let idx = t as i64 * i64::from(months_per_period) + k;
                            let p = (idx / i64::from(months_per_period)) as usize;
                            let price = sup.price[p.min(n - 1)];
                            let years = (idx as f64 + 0.5) / 12.0;
                            cost += price * HOURS_PER_MONTH * (1.0 + rate).powf(-years);
                        }
                        Some(m.col(
                            format!("commit {id} from {}", prep.periods[t].label),
                            0.0,
                            f64::INFINITY,
                            cost * CHIP_UNIT / MONEY_UNIT,
                        ))
                    })
                    .collect();
                // Chips held: last period's, plus the cohort that starts, less the one that
                // ends (x_p − x_{p−1} − q_p + q_{p−T} = 0). Four terms a row where the sum of
                // active cohorts has up to T: half the interior-point time on large models.
                let mut caps: Vec<Col> = Vec::with_capacity(n);
                for p in 0..n {
                    let label = &prep.periods[p].label;
                    let c = m.col(format!("held {id} {label}"), 0.0, f64::INFINITY, 0.0);
                    let mut terms = vec![(c, 1.0)];
                    if let Some(&before) = caps.last() {
                        terms.push((before, -1.0));
                    }
                    if let Some(q) = starts[p] {
                        terms.push((q, -1.0));
                    }
                    if let Some(q) = p.checked_sub(term).and_then(|t| starts[t]) {
                        terms.push((q, 1.0));
                    }
                    m.row(format!("cohorts {id} {label}"), 0.0, 0.0, &terms);
                    caps.push(c);
                }
                b.cap.push(caps);
                b.cohorts.push(starts);
            }
        }
    }
}

/// Constraint 2, supply covers use (docs/model.md): one row per serving class and period, the
/// class's supply (efficiency-weighted, reservations included) at least what it is drawn for.
/// Training and serving add themselves to these rows (3, 4); a training cluster on a pool of a
/// class with other pools also draws on the pool's own row ([`Builder::own_pool_row`]).
fn supply_covers_use(b: &mut Builder<'_>) {
    let prep = b.prep;
    b.classes = serving_classes(prep, b.options.pool_serving, counts_in_use(b.s));
    let mut class_rows = Vec::with_capacity(b.classes.len());
    for (g, class) in b.classes.iter().enumerate() {
        let p = class.period;
        let mut terms = Vec::new();
        let mut reserved = 0.0;
        for &k in &class.pools {
            b.class_of[k][p] = g;
            let (t, r) = b.pool_terms(k, p);
            terms.extend(t);
            reserved += r;
        }
        let name = match class.pools[..] {
            [k] => b.pool_name(k, p),
            _ => format!(
                "supply {} class #{g} ({} pools) {}",
                prep.pools[class.pools[0]].chip,
                class.pools.len(),
                prep.periods[p].label
            ),
        };
        class_rows.push(b.m.row(name, -reserved, f64::INFINITY, &terms));
    }
    b.class_rows = class_rows;
}

/// Constraint 3, training runs (docs/model.md): per run, one option chosen (`Σ_k y_jk = 1`);
/// per option, semi-continuous cluster sizes drawing on supply, chips only on the chosen option
/// (`Σ_p z_jkp ≤ |P_jk| n_max y_jk`), and the work row (`Σ_p z_jkp h_p 3600 ρ_jk ≥ tokens_j
/// y_jk`).
fn training_runs(b: &mut Builder<'_>) {
    let prep = b.prep;
    for (r_index, run) in prep.training.iter().enumerate() {
        let choices: Vec<Col> = run
            .options
            .iter()
            .map(|o| {
                b.m.binary(
                    format!("place {} on {}", run.name, option_name(run, o, prep)),
                    0.0,
                )
            })
            .collect();
        let terms: Vec<(Col, f64)> = choices.iter().map(|c| (*c, 1.0)).collect();
        b.m.row(format!("place {} once", run.name), 1.0, 1.0, &terms);
        let mut per_option = Vec::new();
        for (o, opt) in run.options.iter().enumerate() {
            let name = option_name(run, opt, prep);
            let mut work = Vec::new();
            let mut cols = Vec::new();
            for &p in &opt.periods {
                let label = &prep.periods[p].label;
                // Semi-continuous: a cluster in use has at least its minimum chips.
                let x = b.m.semi_continuous(
                    format!("train {} {name} {label}", run.name),
                    opt.min_chips / CHIP_UNIT,
                    opt.max_chips / CHIP_UNIT,
                    0.0,
                );
                let g = b.class_of[opt.pool][p];
                b.m.add(b.class_rows[g], x, -1.0);
                if b.classes[g].pools.len() > 1 {
                    let row = b.own_pool_row(opt.pool, p);
                    b.m.add(row, x, -1.0);
                }
                work.push((
                    x,
                    prep.periods[p].hours * 3600.0 * opt.tokens_per_s_per_chip * CHIP_UNIT
                        / TOKEN_UNIT,
                ));
                cols.push((p, x));
            }
            // Chips only on the chosen option: Σ_p chips ≤ (periods · max) · choice. Exact,
            // since each period's chips are at most max by their bounds; one row per option
            // instead of one per period.
            let mut cluster: Vec<(Col, f64)> = cols.iter().map(|&(_, x)| (x, 1.0)).collect();
            cluster.push((choices[o], -(cols.len() as f64) * opt.max_chips / CHIP_UNIT));
            b.m.row(
                format!("cluster max {} {name}", run.name),
                f64::NEG_INFINITY,
                0.0,
                &cluster,
            );
            work.push((choices[o], -run.tokens / TOKEN_UNIT));
            let row = b.m.row(
                format!("work {} on {name}", run.name),
                0.0,
                f64::INFINITY,
                &work,
            );
            b.tags.push((
                row,
                Tag::Work {
                    run: r_index,
                    option: o,
                },
            ));
            per_option.push(cols);
        }
        b.train_choice.push(choices);
        b.train_chips.push(per_option);
    }
}

/// Constraint 4, inference demands (docs/model.md): per demand and period with demand, the
/// tokens served by the chips of its classes (`Σ_g w_igp h_p / u_ig ≥ T_ip / 10⁶`), each
/// serving column drawing on its class's supply row (2).
fn inference_demands(b: &mut Builder<'_>) {
    let prep = b.prep;
    let n = b.n;
    // Under a cap on capacity in use (8) a demand is served exactly: serving more than it
    // would count chips that do no needed work.
    let exact = counts_in_use(b.s);
    let serve_rows: Vec<Vec<Option<crate::lp::Row>>> = prep
        .serving
        .iter()
        .enumerate()
        .map(|(d_index, d)| {
            (0..n)
                .map(|p| {
                    (d.tokens[p] > 0.0).then(|| {
                        let row = b.m.row(
                            format!("serve {} {}", d.name, prep.periods[p].label),
                            d.tokens[p] / TOKEN_UNIT,
                            if exact {
                                d.tokens[p] / TOKEN_UNIT
                            } else {
                                f64::INFINITY
                            },
                            &[],
                        );
                        b.tags.push((
                            row,
                            Tag::Serve {
                                demand: d_index,
                                period: p,
                            },
                        ));
                        row
                    })
                })
                .collect()
        })
        .collect();
    // Billions of tokens one thousand chips of option `o` of demand `d` serve in period `p`.
    let served_per = |d: usize, o: usize, p: usize| {
        prep.periods[p].hours / prep.serving[d].options[o].chip_hours_per_million * 1e6 * CHIP_UNIT
            / TOKEN_UNIT
    };
    let mut serve_chips: Vec<Vec<Vec<(usize, Col)>>> = prep
        .serving
        .iter()
        .map(|d| vec![Vec::new(); d.options.len()])
        .collect();
    let classes = std::mem::take(&mut b.classes);
    let mut serve_classes = Vec::with_capacity(classes.len());
    for (g, class) in classes.into_iter().enumerate() {
        let p = class.period;
        let label = &prep.periods[p].label;
        let first = &prep.pools[class.pools[0]];
        let mut demands = Vec::with_capacity(class.demands.len());
        for &(d, o) in &class.demands {
            let Some(row) = serve_rows[d][p] else {
                continue;
            };
            let name = &prep.serving[d].name;
            let col = b.m.col(
                match class.pools[..] {
                    [_] => format!("serve {name} {}/{} {label}", first.provider, first.chip),
                    _ => format!("serve {name} {} class #{g} {label}", first.chip),
                },
                0.0,
                f64::INFINITY,
                0.0,
            );
            b.m.add(row, col, served_per(d, o, p));
            b.m.add(b.class_rows[g], col, -1.0);
            // A class of one pool: `o` is the demand's option on it. Classes come in period
            // order, so each option's columns do too.
            if class.pools.len() == 1 {
                serve_chips[d][o].push((p, col));
            }
            demands.push((d, col));
        }
        serve_classes.push(ServeClass {
            period: p,
            pools: class.pools,
            demands,
        });
    }
    b.serve_chips = serve_chips;
    b.serve_classes = serve_classes;
}

/// Constraint 5, delivery ramps (docs/model.md): per `[[availability]]` entry and period, the
/// chips of its offering (or its provider's chip), reservations included, at most those
/// available (the series averaged over the period's months).
fn delivery_ramps(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    let catalog = &s.catalog;
    for (a_index, a) in s.file.availability.iter().enumerate() {
        let chips = per_period(&a.chips, s, prep);
        let provider = a.provider.as_deref().and_then(|v| catalog.provider(v));
        let chip = a.chip.as_deref().and_then(|c| catalog.accelerator(c));
        let members: Vec<usize> = prep
            .supplies
            .iter()
            .enumerate()
            .filter(|(_, x)| match (&a.offering, provider, chip) {
                (Some(o), _, _) => x.offering.id.eq_ignore_ascii_case(o.trim()),
                (None, Some(v), Some(c)) => v.id == x.offering.provider && c.id == x.offering.chip,
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        for (p, &available) in chips.iter().enumerate() {
            let reserved: f64 = members.iter().map(|&i| b.reserved_chips[i][p]).sum();
            let terms: Vec<(Col, f64)> = members.iter().map(|&i| (b.cap[i][p], 1.0)).collect();
            let row = b.m.row(
                format!("availability[{a_index}] {}", prep.periods[p].label),
                f64::NEG_INFINITY,
                (available - reserved) / CHIP_UNIT,
                &terms,
            );
            b.tags.push((
                row,
                Tag::Availability {
                    index: a_index,
                    period: p,
                },
            ));
        }
    }
}

/// What a commitment reaches: its provider and chips (empty: all of the provider's), the
/// months of its term in each period and inside the horizon, and whether it has a minimum to
/// meet (a monthly minimum, or take-or-pay, with months inside the horizon).
struct Reach {
    provider: String,
    scope: Vec<String>,
    months_in: Vec<i64>,
    inside: i64,
    minimum: bool,
}

impl Reach {
    fn of(s: &Scenario, prep: &Prepared, c: &allot_scenario::Commitment) -> Reach {
        let catalog = &s.catalog;
        let inside = overlap(
            c.start,
            i64::from(c.term_months),
            s.file.scenario.start,
            i64::from(s.file.scenario.horizon_months),
        );
        Reach {
            provider: catalog
                .provider(&c.provider)
                .map(|v| v.id.clone())
                .unwrap_or_default(),
            scope: c
                .chips
                .iter()
                .filter_map(|x| catalog.accelerator(x).map(|a| a.id.clone()))
                .collect(),
            months_in: prep
                .periods
                .iter()
                .map(|per| {
                    overlap(
                        per.start,
                        i64::from(per.months),
                        c.start,
                        i64::from(c.term_months),
                    )
                })
                .collect(),
            inside,
            minimum: inside > 0
                && (matches!(
                    c.payment,
                    PaymentTerms::MonthlyMinimum | PaymentTerms::AsDelivered
                ) || c.take_or_pay),
        }
    }

    /// Whether the commitment covers `chip` of `provider`.
    fn covers(&self, provider: &str, chip: &str) -> bool {
        self.provider == provider && (self.scope.is_empty() || self.scope.iter().any(|c| c == chip))
    }
}

/// Constraint 6, spend attribution (docs/model.md): each dollar spent on a provider's chip in a
/// period counts toward at most one of the commitments with a minimum that cover it, and toward
/// a commitment only for the share of the period inside its term. Where one commitment covers
/// a chip in a period, its share of the spend is attributed to it as it stands; where several
/// do, each gets a column `a_mcp ≥ 0` with `Σ_m a_mcp ≤ spend_cp` (and `a_mcp ≤ f_mp spend_cp`
/// for a term covering part of the period).
fn spend_attribution(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    let reach: Vec<Reach> = s
        .file
        .commitment
        .iter()
        .map(|c| Reach::of(s, prep, c))
        .collect();
    let mut attribution: Vec<Vec<Attributed>> = vec![Vec::new(); reach.len()];
    // The supplies of each provider's chip.
    let mut chips: std::collections::BTreeMap<(&str, &str), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, x) in prep.supplies.iter().enumerate() {
        chips
            .entry((x.offering.provider.as_str(), x.offering.chip.as_str()))
            .or_default()
            .push(i);
    }
    for p in 0..b.n {
        let label = &prep.periods[p].label;
        let months = f64::from(prep.periods[p].months);
        for (&(provider, chip), members) in &chips {
            let by: Vec<(usize, f64)> = reach
                .iter()
                .enumerate()
                .filter(|(_, r)| r.minimum && r.months_in[p] > 0 && r.covers(provider, chip))
                .map(|(m, r)| (m, r.months_in[p] as f64 / months))
                .collect();
            if by.is_empty() {
                continue;
            }
            let (spend, constant) = b.cost_terms(&|i| members.contains(&i), p);
            if let [(m, share)] = by[..] {
                attribution[m].push(Attributed {
                    period: p,
                    chip: chip.to_string(),
                    terms: spend.iter().map(|&(c, v)| (c, v * share)).collect(),
                    constant: constant * share,
                });
                continue;
            }
            let mut total: Vec<(Col, f64)> = spend.iter().map(|&(c, v)| (c, -v)).collect();
            for &(m, share) in &by {
                let name = &s.file.commitment[m].name;
                let a = b.m.col(
                    format!("attribute {provider}/{chip} {label} to {name}"),
                    0.0,
                    f64::INFINITY,
                    0.0,
                );
                total.push((a, 1.0));
                if share < 1.0 {
                    let mut terms: Vec<(Col, f64)> =
                        spend.iter().map(|&(c, v)| (c, -v * share)).collect();
                    terms.push((a, 1.0));
                    b.m.row(
                        format!("attributable {provider}/{chip} {label} to {name}"),
                        f64::NEG_INFINITY,
                        constant * share,
                        &terms,
                    );
                }
                attribution[m].push(Attributed {
                    period: p,
                    chip: chip.to_string(),
                    terms: vec![(a, 1.0)],
                    constant: 0.0,
                });
            }
            b.m.row(
                format!("attribution {provider}/{chip} {label}"),
                f64::NEG_INFINITY,
                constant,
                &total,
            );
        }
    }
    b.attribution = attribution;
}

/// Constraint 7, spend commitments (docs/model.md): a monthly minimum's top-up per period of
/// its term, or a take-or-pay commitment's shortfall over the part of its term inside the
/// horizon, paid in the term's last period there; the spend counted is the spend attributed to
/// the commitment (6).
fn spend_commitments(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    for (c_index, c) in s.file.commitment.iter().enumerate() {
        let reach = Reach::of(s, prep, c);
        // Paid as delivered: the least paid in each period, the term's months in it at their
        // share of the delivered chips.
        let delivered: Option<Vec<f64>> = (c.payment == PaymentTerms::AsDelivered)
            .then(|| allot_scenario::delivery::delivered_minimums(&s.file, &s.catalog, c))
            .flatten()
            .map(|months| {
                allot_scenario::delivery::per_period_minimums(
                    c.start,
                    &months,
                    prep.periods.iter().map(|per| (per.start, per.months)),
                )
            });
        let owed = match &delivered {
            Some(due) => due.iter().sum(),
            None => c.total_usd * reach.inside as f64 / f64::from(c.term_months),
        };
        // Spend attributed to the commitment in each period of its term: (period, months of
        // the term in it, terms, constant).
        type Spend = (usize, i64, Vec<(Col, f64)>, f64);
        let mut spend: Vec<Spend> = reach
            .months_in
            .iter()
            .enumerate()
            .filter(|(_, k)| **k > 0)
            .map(|(p, &k)| (p, k, Vec::new(), 0.0))
            .collect();
        for a in &b.attribution[c_index] {
            if let Some(at) = spend.iter_mut().find(|x| x.0 == a.period) {
                at.2.extend(a.terms.iter().copied());
                at.3 += a.constant;
            }
        }
        // Each group of spend must reach its minimum, or the difference is paid in `paid_in`:
        // (tag period, paid_in, terms, minimum USD, column name, row name).
        type Group = (Option<usize>, usize, Vec<(Col, f64)>, f64, String, String);
        let mut groups: Vec<Group> = Vec::new();
        if let (Some(due), true) = (&delivered, reach.minimum) {
            // At least the period's share of the delivered capacity, topped up in the period.
            for (p, _, terms, constant) in spend {
                let label = &prep.periods[p].label;
                groups.push((
                    Some(p),
                    p,
                    terms,
                    due[p] - constant * MONEY_UNIT,
                    format!("top-up {} {label}", c.name),
                    format!("minimum {} {label}", c.name),
                ));
            }
        } else if c.payment == PaymentTerms::MonthlyMinimum && reach.minimum {
            // Each period pays at least total / term months for each of its months in the
            // term; the top-up above the spend is paid then and not credited later.
            let per_month = c.total_usd / f64::from(c.term_months);
            for (p, months, terms, constant) in spend {
                let label = &prep.periods[p].label;
                groups.push((
                    Some(p),
                    p,
                    terms,
                    per_month * months as f64 - constant * MONEY_UNIT,
                    format!("top-up {} {label}", c.name),
                    format!("minimum {} {label}", c.name),
                ));
            }
        } else if reach.minimum {
            // The unspent part of the obligation is paid in the term's last period inside the
            // horizon.
            let end_period = spend.last().map_or(0, |s| s.0);
            let mut terms = Vec::new();
            let mut constant = 0.0;
            for (_, _, t, k) in spend {
                terms.extend(t);
                constant += k;
            }
            groups.push((
                None,
                end_period,
                terms,
                owed - constant * MONEY_UNIT,
                format!("shortfall {}", c.name),
                format!("commitment {}", c.name),
            ));
        }
        let mut short = Vec::new();
        for (period, paid_in, mut terms, minimum, col_name, row_name) in groups {
            let disc = prep.periods[paid_in].discount;
            let col = b.m.col(col_name, 0.0, f64::INFINITY, disc);
            terms.push((col, 1.0));
            let row =
                b.m.row(row_name, minimum / MONEY_UNIT, f64::INFINITY, &terms);
            b.tags.push((
                row,
                Tag::Commitment {
                    index: c_index,
                    period,
                },
            ));
            short.push((paid_in, col));
        }
        b.shortfall.push(short);
        b.obligation.push(owed);
    }
}

/// A share cap as constraint 8 reads it.
#[derive(Debug, Clone, Copy)]
struct Cap {
    share: f64,
    basis: ShareBasis,
    counts: CapCounts,
    start: Option<allot_scenario::Month>,
    end: Option<allot_scenario::Month>,
}

impl Cap {
    fn vendor(c: &allot_scenario::VendorCap) -> Cap {
        Cap {
            share: c.max_share,
            basis: c.basis,
            counts: c.counts,
            start: c.start,
            end: c.end,
        }
    }

    fn provider(c: &allot_scenario::ProviderCap) -> Cap {
        Cap {
            share: c.max_share,
            basis: c.basis,
            counts: c.counts,
            start: c.start,
            end: c.end,
        }
    }

    /// Whether the cap's window reaches into the period.
    fn covers(&self, per: &crate::prep::Period) -> bool {
        self.start
            .is_none_or(|s| per.start.plus(i64::from(per.months) - 1) >= s)
            && self.end.is_none_or(|e| per.start <= e)
    }
}

/// The scenario's caps, vendor caps first.
fn caps(s: &Scenario) -> impl Iterator<Item = Cap> + '_ {
    let policy = &s.file.policy;
    (policy.vendor_cap.iter().map(Cap::vendor)).chain(policy.provider_cap.iter().map(Cap::provider))
}

/// Whether any cap counts capacity in use (constraint 8): serving is then exact (4) and
/// serving classes keep to one provider (2).
fn counts_in_use(s: &Scenario) -> bool {
    caps(s).any(|c| c.counts == CapCounts::InUse)
}

/// Constraint 8, vendor and provider caps (docs/model.md): per cap and calendar year inside its
/// window, the member's spend (or chips), reservations included, at most its share of all;
/// held, or in use ([`in_use_columns`]).
fn vendor_and_provider_caps(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    in_use_columns(b);
    for cap_def in &s.file.policy.vendor_cap {
        let vendor = cap_def.vendor.trim().to_lowercase();
        b.share_rows(
            "vendor",
            &vendor,
            &|i| prep.supplies[i].vendor == vendor,
            Cap::vendor(cap_def),
        );
    }
    for cap_def in &s.file.policy.provider_cap {
        let provider = s
            .catalog
            .provider(&cap_def.provider)
            .map(|v| v.id.clone())
            .unwrap_or_default();
        b.share_rows(
            "provider",
            &provider,
            &|i| prep.supplies[i].offering.provider == provider,
            Cap::provider(cap_def),
        );
    }
}

/// The chips in use that caps on capacity in use count (constraint 8), in the periods such a
/// cap covers: per supply and period, `u_op` of the chips bought (`u_op ≤ x_op`) and `v_op` of
/// those reserved (`v_op ≤ R_op`, a bound), with, per serving class, `Σ e_o (u_op + v_op)`
/// equal to the chips its training clusters and serving draw. Which of a class's supplies does
/// the work is the model's choice (any choice the capacity allows); capacity nothing draws on
/// is in none of them.
fn in_use_columns(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    let periods: Vec<bool> = prep
        .periods
        .iter()
        .map(|per| caps(s).any(|c| c.counts == CapCounts::InUse && c.covers(per)))
        .collect();
    b.in_use = vec![vec![None; b.n]; prep.supplies.len()];
    if !periods.contains(&true) {
        return;
    }
    for (i, sup) in prep.supplies.iter().enumerate() {
        for p in (0..b.n).filter(|&p| periods[p]) {
            let label = &prep.periods[p].label;
            let id = &sup.offering.id;
            let u =
                b.m.col(format!("in use {id} {label}"), 0.0, f64::INFINITY, 0.0);
            b.m.row(
                format!("in use at most held {id} {label}"),
                f64::NEG_INFINITY,
                0.0,
                &[(u, 1.0), (b.cap[i][p], -1.0)],
            );
            let reserved = b.reserved_chips[i][p] / CHIP_UNIT;
            let v = (reserved > 0.0).then(|| {
                b.m.col(format!("in use reserved {id} {label}"), 0.0, reserved, 0.0)
            });
            b.in_use[i][p] = Some((u, v));
        }
    }
    // What each class's work draws: training clusters on its pools, and its serving.
    let mut drawn: Vec<Vec<(Col, f64)>> = vec![Vec::new(); b.serve_classes.len()];
    for (run, options) in b.train_chips.iter().enumerate() {
        for (o, cols) in options.iter().enumerate() {
            let pool = prep.training[run].options[o].pool;
            for &(p, z) in cols {
                drawn[b.class_of[pool][p]].push((z, -1.0));
            }
        }
    }
    for (g, class) in b.serve_classes.iter().enumerate() {
        let p = class.period;
        if !periods[p] {
            continue;
        }
        let mut terms = std::mem::take(&mut drawn[g]);
        terms.extend(class.demands.iter().map(|&(_, w)| (w, -1.0)));
        for &k in &class.pools {
            for &i in &b.supplies_of[k] {
                let e = prep.supplies[i].efficiency;
                let (u, v) = b.in_use[i][p].expect("in-use columns");
                terms.push((u, e));
                terms.extend(v.map(|v| (v, e)));
            }
        }
        let pool = &prep.pools[class.pools[0]];
        b.m.row(
            format!(
                "in use {}/{} class #{g} {}",
                pool.provider, pool.chip, prep.periods[p].label
            ),
            0.0,
            0.0,
            &terms,
        );
    }
}

/// Constraint 9, power (docs/model.md): per period, every chip held (reservations included) at
/// its TDP times the PUE, at most the cap.
fn power(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    let Some(power) = &s.file.policy.power else {
        return;
    };
    let cap_mw = per_period(&power.cap_mw, s, prep);
    for (p, &cap) in cap_mw.iter().enumerate() {
        let mut terms = Vec::new();
        let mut constant = 0.0;
        for (i, sup) in prep.supplies.iter().enumerate() {
            let mw = sup.tdp_w * power.pue / 1e6 * CHIP_UNIT;
            terms.push((b.cap[i][p], mw));
            constant += b.reserved_chips[i][p] / CHIP_UNIT * mw;
        }
        let row = b.m.row(
            format!("power {}", prep.periods[p].label),
            f64::NEG_INFINITY,
            cap - constant,
            &terms,
        );
        b.tags.push((row, Tag::Power { period: p }));
    }
}

/// Constraint 10, yearly budgets (docs/model.md): per `[[policy.budget]]`, the compute spend of
/// its calendar year (reservations included) at most its `max_usd`.
fn yearly_budgets(b: &mut Builder<'_>) {
    let prep = b.prep;
    for budget in &b.s.file.policy.budget {
        let mut terms = Vec::new();
        let mut constant = 0.0;
        for p in (0..b.n).filter(|&p| prep.periods[p].year == budget.year) {
            let (t, k) = b.cost_terms(&|_| true, p);
            terms.extend(t);
            constant += k;
        }
        let row = b.m.row(
            format!("budget {}", budget.year),
            f64::NEG_INFINITY,
            budget.max_usd / MONEY_UNIT - constant,
            &terms,
        );
        b.tags.push((row, Tag::Budget { year: budget.year }));
    }
}

/// Constraint 11, cash floor (docs/model.md): with `[finance] cash_floor_usd`, a running
/// balance per period, bounded below by the floor: last period's cash, plus revenue and token
/// revenue less other opex and funding, less compute, shortfalls and top-ups paid in the period.
fn cash_floor(b: &mut Builder<'_>) {
    let (s, prep) = (b.s, b.prep);
    let n = b.n;
    let Some(fin) = &s.file.finance else {
        return;
    };
    let Some(floor) = fin.cash_floor_usd else {
        return;
    };
    let monthly = |series: &Option<allot_scenario::Series>| match series {
        Some(x) => per_period(x, s, prep),
        None => vec![0.0; n],
    };
    let revenue = monthly(&fin.revenue_usd_per_month);
    let opex = monthly(&fin.other_opex_usd_per_month);
    // Every demand is served in full, so its revenue is a known inflow, as the finance
    // projection counts it.
    let mut tokens = vec![0.0; n];
    for work in &prep.serving {
        let price = s
            .file
            .inference
            .iter()
            .find(|d| d.name == work.name)
            .and_then(|d| d.price_usd_per_million_tokens);
        if let Some(price) = price {
            for (t, w) in tokens.iter_mut().zip(&work.tokens) {
                *t += w / 1e6 * price;
            }
        }
    }
    let mut prev: Option<Col> = None;
    for (p, per) in prep.periods.iter().enumerate() {
        let cash = b.m.col(
            format!("cash {}", per.label),
            floor / MONEY_UNIT,
            f64::INFINITY,
            0.0,
        );
        let funding: f64 = fin
            .funding
            .iter()
            .filter(|e| {
                // Funding before the horizon is in the starting cash.
                let k = e.month.index();
                k >= per.start.index() && k < per.start.index() + i64::from(per.months)
            })
            .map(|e| e.usd)
            .sum();
        let (mut terms, reserved) = b.cost_terms(&|_| true, p);
        terms.push((cash, 1.0));
        if let Some(before) = prev {
            terms.push((before, -1.0));
        }
        for &(_, col) in b.shortfall.iter().flatten().filter(|(q, _)| *q == p) {
            terms.push((col, 1.0));
        }
        let start_cash = if p == 0 { fin.starting_cash_usd } else { 0.0 };
        let inflow =
            (start_cash + (revenue[p] - opex[p]) * f64::from(per.months) + tokens[p] + funding)
                / MONEY_UNIT
                - reserved;
        let row =
            b.m.row(format!("cash {}", per.label), inflow, inflow, &terms);
        b.tags.push((row, Tag::Cash { period: p }));
        prev = Some(cash);
    }
}

impl Built {
    /// Chips (model units) serving each demand per option and period, `[demand][option]` as
    /// `(period, chips)` in period order, from the solution `values`. A class's serving is split
    /// among its pools in order, each demand in turn taking what the one before left of the
    /// pools' chips after training (so each demand spans few pools); no pool serves more than
    /// it has. A pooled option appears only in the periods it serves in.
    pub fn serving_chips(&self, prep: &Prepared, values: &[f64]) -> Vec<Vec<Vec<(usize, f64)>>> {
        let value = |c: Col| values.get(c.0).copied().unwrap_or(0.0).max(0.0);
        let n = prep.periods.len();
        // Chips each pool has for serving: supply less training.
        let mut spare = vec![vec![0.0; n]; prep.pools.len()];
        for (i, x) in prep.supplies.iter().enumerate() {
            for (p, spare) in spare[x.pool].iter_mut().enumerate() {
                *spare +=
                    x.efficiency * (value(self.cap[i][p]) + self.reserved_chips[i][p] / CHIP_UNIT);
            }
        }
        for (r, run) in prep.training.iter().enumerate() {
            for (o, opt) in run.options.iter().enumerate() {
                for &(p, col) in &self.train_chips[r][o] {
                    spare[opt.pool][p] -= value(col);
                }
            }
        }
        let mut out: Vec<Vec<Vec<(usize, f64)>>> = self
            .serve_chips
            .iter()
            .map(|options| {
                options
                    .iter()
                    .map(|cols| cols.iter().map(|&(p, c)| (p, value(c))).collect())
                    .collect()
            })
            .collect();
        // A class of several pools: its serving, filled in demand order into the pools in
        // order. The chips go to the demand's option on the pool.
        let mut pooled = false;
        for class in self.serve_classes.iter().filter(|c| c.pools.len() > 1) {
            let p = class.period;
            let mut pools = class.pools.iter().map(|&k| (k, spare[k][p].max(0.0)));
            let mut current = pools.next();
            let last = class.pools.last().copied();
            for &(d, col) in &class.demands {
                let mut need = value(col);
                while need > 0.0 {
                    let Some((k, left)) = current.as_mut() else {
                        break;
                    };
                    // The last pool takes any rounding excess.
                    let take = if Some(*k) == last {
                        need
                    } else {
                        need.min(*left)
                    };
                    if take > 0.0 {
                        let on_pool = prep.serving[d].options.iter().position(|o| o.pool == *k);
                        if let Some(o) = on_pool {
                            out[d][o].push((p, take));
                            pooled = true;
                        }
                    }
                    need -= take;
                    *left -= take;
                    if need > 0.0 {
                        current = pools.next();
                    }
                }
            }
        }
        if pooled {
            for cols in out.iter_mut().flatten() {
                cols.sort_by_key(|&(p, _)| p);
            }
        }
        out
    }
}
