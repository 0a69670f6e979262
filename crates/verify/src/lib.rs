//! The independent verifier: given a scenario and a plan (the JSON wire format), recompute every
//! cost and check every constraint from the scenario, the catalog and the performance model.
//!
//! It shares no code with the model builder (`allot-plan`'s `prep`, `build` and `extract`): only
//! the plan's data types. A plan that passes here is feasible and reports its own costs
//! correctly, whatever the solver did.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use allot_catalog::{Offering, PriceModel};
use allot_model::Architecture;
use allot_perf::{LatencyClass, Precision, ServeRequest, TrainKind, TrainRequest, calibration};
use allot_plan_format::Plan;
use allot_scenario::{CapCounts, ModelSpec, Month, Scenario, ShareBasis};

const HOURS: f64 = allot_catalog::HOURS_PER_MONTH;
const DAYS: f64 = 365.25 / 12.0;
const REL: f64 = 1e-6;

/// One violated constraint or mismatched number.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// What was checked, e.g. `supply aws/h100 2027-03`.
    pub check: String,
    /// What is wrong.
    pub message: String,
}

/// The outcome of verification.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Problems found.
    pub violations: Vec<Violation>,
    /// Checks performed.
    pub checks: usize,
}

impl Report {
    fn check(&mut self, ok: bool, check: impl Into<String>, message: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.violations.push(Violation {
                check: check.into(),
                message: message(),
            });
        }
    }

    /// Whether the plan passed.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Each name a plan lists for lines of `kind` is one the scenario has (`known`), listed once.
fn check_names<'a>(
    r: &mut Report,
    kind: &str,
    names: impl Iterator<Item = &'a str>,
    known: impl Fn(&str) -> bool,
) {
    let mut seen = HashSet::new();
    for name in names {
        let what = format!("{kind} {name}");
        r.check(known(name), what.clone(), || {
            "not in the scenario".to_string()
        });
        r.check(seen.insert(name), what, || "listed twice".to_string());
    }
}

/// `a ≤ b` up to solver tolerance.
fn le(a: f64, b: f64) -> bool {
    a <= b + REL * a.abs().max(b.abs()) + 1e-3
}

/// `a = b` to a relative 1e-6.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()) + 1e-6
}

/// The whole number of chips a cluster of `chips` (as the plan reports it) has: rounded up,
/// after forgiving a solver's rounding noise (8192.000000001 is 8192).
fn whole_chips(chips: f64) -> u32 {
    (chips * (1.0 - 1e-9)).ceil().clamp(1.0, 4e9) as u32
}

struct Period {
    start: Month,
    months: u32,
    label: String,
}

fn months_overlap(a: Month, n: i64, b: Month, m: i64) -> f64 {
    let s = a.index().max(b.index());
    let e = (a.index() + n).min(b.index() + m);
    (e - s).max(0) as f64
}

fn arch_of(m: &ModelSpec) -> Option<Architecture> {
    match m {
        ModelSpec::Preset(p) => allot_model::preset(p).map(|p| p.architecture()),
        ModelSpec::Architecture(a) => Some(a.clone()),
    }
}

fn precision(p: allot_scenario::Precision) -> Precision {
    match p {
        allot_scenario::Precision::Bf16 => Precision::Bf16,
        allot_scenario::Precision::Fp8 => Precision::Fp8,
    }
}

/// The constraint families of docs/model.md's list "Constraints", in its order: its number,
/// its name (the function's, which is the doc's bold name in snake case) and the function that
/// checks it. [`verify`] calls them in this order, after reading the plan's capacity lines and
/// before checking its reported totals.
macro_rules! families {
    ($($number:literal $name:ident),* $(,)?) => {
        const FAMILIES: &[(u32, &str, fn(&mut Verifier<'_>))] =
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

/// The constraint families the verifier checks, as `(number, name)` in docs/model.md's order
/// (a test keeps this list, the builder's and the doc's in step).
pub fn constraint_families() -> Vec<(u32, &'static str)> {
    FAMILIES.iter().map(|&(n, name, _)| (n, name)).collect()
}

/// Verifies `plan` against `scenario`: its format, status, scenario and periods; its capacity
/// lines (offerings, prices, costs, reservations); each constraint family of docs/model.md in
/// its order; then every total it reports.
pub fn verify(scenario: &Scenario, plan: &Plan) -> Report {
    let mut r = Report::default();
    let set = &scenario.file.scenario;
    r.check(
        plan.format == "allot-plan" && plan.version == 1,
        "format",
        || {
            format!(
                "not an allot plan of version 1: format '{}', version {}",
                plan.format, plan.version
            )
        },
    );
    if !plan.status.has_solution() {
        r.check(false, "status", || {
            format!(
                "the plan has status '{}': there is nothing to verify",
                plan.status
            )
        });
        return r;
    }

    mip_gap(&mut r, plan);
    r.check(plan.scenario == set.name, "scenario", || {
        format!(
            "the plan is of scenario '{}', not '{}'",
            plan.scenario, set.name
        )
    });
    let mut v = Verifier::new(scenario, plan, r);
    v.r.check(plan.periods == v.labels, "periods", || {
        "the plan's periods are not the scenario's".to_string()
    });
    v.capacity_lines();
    for (_, _, family) in FAMILIES {
        family(&mut v);
    }
    v.reported_totals();
    v.r
}

/// The plan's gap: a finite number from 0 up, and the one its status words state (an optimal
/// plan "within a relative gap of G%", a plan the time limit stopped "at a gap of G%"). The
/// verifier has no bound of its own on the least cost, so whether the gap is within the one the
/// solve asked for, which the plan does not record, is taken on trust.
fn mip_gap(r: &mut Report, plan: &Plan) {
    let gap = plan.mip_gap;
    r.check(gap.is_finite() && gap >= 0.0, "mip gap", || {
        format!("{gap}: a relative gap is a finite number from 0 up")
    });
    let stated = match plan.status {
        allot_plan_format::SolveStatus::Optimal => Some(format!(
            "optimal (within a relative gap of {:.2}%)",
            gap * 100.0
        )),
        _ if plan.status_message.contains(" at a gap of ") => {
            Some(format!(" at a gap of {:.2}%", gap * 100.0))
        }
        _ => None,
    };
    if let Some(words) = stated {
        r.check(plan.status_message.contains(&words), "mip gap", || {
            format!(
                "status {} at a gap of {:.2}%, but its words say '{}'",
                plan.status,
                gap * 100.0,
                plan.status_message
            )
        });
    }
}

/// The scenario and plan under verification, and what the checks so far recomputed.
struct Verifier<'a> {
    f: &'a allot_scenario::ScenarioFile,
    cat: &'a allot_catalog::Catalog,
    set: &'a allot_scenario::Settings,
    plan: &'a Plan,
    r: Report,
    /// Months per period.
    pm: u32,
    periods: Vec<Period>,
    labels: Vec<String>,
    index_of: HashMap<String, usize>,
    /// Useful chips per spot chip bought.
    spot_eff: f64,
    /// Maturity overrides of the performance model, by chip id.
    overrides: BTreeMap<String, f64>,
    /// Reservations held, per (offering, period): chips and cost.
    held: HashMap<(String, usize), (f64, f64)>,
    /// Chips and cost of the plan's capacity lines, per (offering, period).
    chips_at: HashMap<(String, usize), f64>,
    cost_at: HashMap<(String, usize), f64>,
    /// The discounted cost, recomputed.
    objective: f64,
    /// Compute spend per period (capacity and reservations), and all spend (with shortfalls).
    compute: Vec<f64>,
    by_period: Vec<f64>,
    /// Compute spend by provider, and shortfalls paid to each (in the order paid).
    by_provider: BTreeMap<String, f64>,
    shortfalls: Vec<(String, f64)>,
    by_vendor: BTreeMap<String, f64>,
    by_chip: BTreeMap<String, f64>,
    /// Spend attributed to each commitment with a minimum, per period (by the scenario's
    /// commitments; `None` for one without a minimum).
    attributed: Vec<Option<Vec<f64>>>,
    /// Per demand and period, the share of the tokens its chips serve that the demand needs
    /// (1 when it serves no more): what of its serving is work, for caps on capacity in use.
    needed_share: HashMap<(String, usize), f64>,
}

impl<'a> Verifier<'a> {
    /// The scenario's periods and the reservations it holds.
    fn new(scenario: &'a Scenario, plan: &'a Plan, r: Report) -> Verifier<'a> {
        let f = &scenario.file;
        let cat = &scenario.catalog;
        let set = &f.scenario;
        let pm = set.period.months();
        let periods: Vec<Period> = (0..set.periods())
            .map(|p| {
                let start = set.start.plus(i64::from(p * pm));
                Period {
                    start,
                    months: pm.min(set.horizon_months - p * pm),
                    label: if pm == 1 {
                        start.to_string()
                    } else {
                        start.quarter_label()
                    },
                }
            })
            .collect();
        let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
        let index_of = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        let spot_eff = f.policy.spot.as_ref().map_or(1.0, |s| {
            (1.0 - s.availability_haircut) * (1.0 - s.preemption_overhead)
        });
        let overrides = f
            .performance
            .maturity
            .iter()
            .filter_map(|(k, v)| cat.accelerator(k).map(|a| (a.id.clone(), *v)))
            .collect();
        let mut held: HashMap<(String, usize), (f64, f64)> = HashMap::new();
        for (res, o) in allot_scenario::held_reservations(scenario) {
            let unit = res
                .usd_per_chip_hour
                .or(o.usd_per_chip_hour())
                .unwrap_or(0.0);
            for (p, per) in periods.iter().enumerate() {
                let k = months_overlap(
                    per.start,
                    i64::from(per.months),
                    res.start,
                    i64::from(res.term_months),
                );
                if k > 0.0 {
                    let e = held.entry((o.id.clone(), p)).or_default();
                    e.0 += f64::from(res.chips) * k / f64::from(per.months);
                    e.1 += f64::from(res.chips) * unit * k * HOURS;
                }
            }
        }
        Verifier {
            f,
            cat,
            set,
            plan,
            r,
            pm,
            periods,
            labels,
            index_of,
            spot_eff,
            overrides,
            held,
            chips_at: HashMap::new(),
            cost_at: HashMap::new(),
            objective: 0.0,
            compute: Vec::new(),
            by_period: Vec::new(),
            by_provider: BTreeMap::new(),
            shortfalls: Vec::new(),
            by_vendor: BTreeMap::new(),
            by_chip: BTreeMap::new(),
            attributed: Vec::new(),
            needed_share: HashMap::new(),
        }
    }

    /// Hours in period `p`.
    fn hours(&self, p: usize) -> f64 {
        f64::from(self.periods[p].months) * HOURS
    }

    /// The discount factor `months_from_start` months after the scenario start.
    fn discount(&self, months_from_start: f64) -> f64 {
        (1.0 + self.set.discount_rate).powf(-months_from_start / 12.0)
    }

    /// Months from the scenario start to the middle of period `p`.
    fn mid(&self, p: usize) -> f64 {
        f64::from(p as u32 * self.pm) + f64::from(self.periods[p].months) / 2.0
    }

    /// The price of offering `o` in period `p`, after commitment discounts.
    fn price(&self, o: &Offering, p: usize) -> f64 {
        let (f, cat, periods) = (self.f, self.cat, &self.periods);
        let list = o.usd_per_chip_hour().unwrap_or(0.0);
        let d = f
            .commitment
            .iter()
            .filter(|c| {
                cat.provider(&c.provider)
                    .is_some_and(|v| v.id == o.provider)
                    && (c.chips.is_empty()
                        || c.chips
                            .iter()
                            .any(|x| cat.accelerator(x).is_some_and(|a| a.id == o.chip)))
                    && months_overlap(
                        periods[p].start,
                        i64::from(periods[p].months),
                        c.start,
                        i64::from(c.term_months),
                    ) > 0.0
            })
            .map(|c| c.discount)
            .fold(0.0, f64::max);
        list * (1.0 - d)
    }

    /// Whether `workload` may run on `provider` in period `p` under the exclusivities.
    fn allowed(&self, workload: &str, provider: &str, p: usize) -> bool {
        let per = &self.periods[p];
        let cat = self.cat;
        self.f.exclusivity.iter().all(|e| {
            let applies = e
                .workloads
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(workload.trim()))
                && e.start
                    .is_none_or(|s| per.start.plus(i64::from(per.months) - 1) >= s)
                && e.end.is_none_or(|end| per.start <= end);
            !applies
                || e.providers
                    .iter()
                    .any(|x| cat.provider(x).is_some_and(|v| v.id == provider))
        })
    }

    /// The period of month `m` (clamped to the horizon).
    fn period_of(&self, m: Month) -> usize {
        ((self.set.start.months_until(m).max(0) as u32 / self.pm) as usize)
            .min(self.periods.len() - 1)
    }

    /// The average of a monthly series over period `p`.
    fn average(&self, monthly: &[f64], p: usize) -> f64 {
        let start = p * self.pm as usize;
        let per = &self.periods[p];
        monthly[start..start + per.months as usize]
            .iter()
            .sum::<f64>()
            / f64::from(per.months)
    }

    /// The capacity lines: known offerings a plan may hold, their reservations, prices and
    /// costs; every reservation held listed. Records chips and cost per offering and period,
    /// the flexible and reserved part of the objective, and the compute spend by period,
    /// provider, vendor and chip.
    fn capacity_lines(&mut self) {
        let (f, cat, plan) = (self.f, self.cat, self.plan);
        for line in &plan.capacity {
            let what = format!("capacity {} {}", line.offering, line.period);
            let (Some(o), Some(&p)) = (
                cat.offering(&line.offering),
                self.index_of.get(line.period.as_str()),
            ) else {
                self.r
                    .check(false, what, || "unknown offering or period".to_string());
                continue;
            };
            self.r.check(
                line.provider == o.provider && line.chip == o.chip,
                what.clone(),
                || {
                    format!(
                        "listed as {}/{} but the offering is {}/{}",
                        line.provider, line.chip, o.provider, o.chip
                    )
                },
            );
            let holdable = allot_scenario::holdable_in(f, o);
            self.r.check(holdable.is_ok(), what.clone(), || {
                holdable
                    .err()
                    .map_or_else(String::new, |why| format!("the offering {}", why.message()))
            });
            let (res_chips, res_cost) = self
                .held
                .get(&(o.id.clone(), p))
                .copied()
                .unwrap_or((0.0, 0.0));
            self.r
                .check(same(line.reserved_chips, res_chips), what.clone(), || {
                    format!(
                        "reserved chips {} but the scenario's reservations hold {res_chips}",
                        line.reserved_chips
                    )
                });
            self.r.check(le(res_chips, line.chips), what.clone(), || {
                "fewer chips than already reserved".to_string()
            });
            let bought = (line.chips - res_chips).max(0.0);
            let unit = self.price(o, p);
            self.r
                .check(same(line.usd_per_chip_hour, unit), what.clone(), || {
                    format!(
                        "price {} per chip-hour, but the catalog and commitments give {unit}",
                        line.usd_per_chip_hour
                    )
                });
            let cost = bought * unit * self.hours(p) + res_cost;
            self.r.check(same(line.cost_usd, cost), what.clone(), || {
                format!("cost {} but recomputed {cost}", line.cost_usd)
            });
            *self.chips_at.entry((o.id.clone(), p)).or_default() += line.chips;
            *self.cost_at.entry((o.id.clone(), p)).or_default() += cost;
            if term_months(o).is_none() {
                self.objective += bought * unit * self.hours(p) * self.discount(self.mid(p));
            }
        }
        // Reservations must appear even if the plan left them out.
        for ((id, p), (chips, cost)) in &self.held {
            if *chips > 0.0 && !self.chips_at.contains_key(&(id.clone(), *p)) {
                self.r
                    .check(false, format!("capacity {id} {}", self.labels[*p]), || {
                        "a reservation is missing from the plan".to_string()
                    });
            }
            self.objective += cost * self.discount(self.mid(*p));
        }
        // Costs by period, provider, vendor and chip.
        let mut by_period = vec![0.0; self.periods.len()];
        for ((id, p), cost) in &self.cost_at {
            let Some(o) = cat.offering(id) else { continue };
            let vendor = cat.vendor_of(o).unwrap_or("").to_string();
            by_period[*p] += cost;
            *self.by_provider.entry(o.provider.clone()).or_default() += cost;
            *self.by_vendor.entry(vendor).or_default() += cost;
            *self.by_chip.entry(o.chip.clone()).or_default() += cost;
        }
        self.compute = by_period.clone();
        self.by_period = by_period;
    }

    /// Chips the plan's training and serving lines use per (provider, chip, period), for the
    /// lines [`training_runs`] and [`inference_demands`] can read (a run or demand of the
    /// scenario, a known chip and model, a known period). With `needed`, serving counts only
    /// the share of its chips the demand needs (chips serving past the demand do no work).
    fn chips_used(&self, needed: bool) -> HashMap<(String, String, usize), f64> {
        let (f, cat, plan) = (self.f, self.cat, self.plan);
        let mut used: HashMap<(String, String, usize), f64> = HashMap::new();
        for t in &f.training {
            let Some(line) = plan.training.iter().find(|x| x.name == t.name) else {
                continue;
            };
            let (Some(chip), Some(_)) = (cat.accelerator(&line.chip), arch_of(&t.model)) else {
                continue;
            };
            for (label, chips) in &line.chips_by_period {
                if let Some(&p) = self.index_of.get(label.as_str()) {
                    *used
                        .entry((line.provider.clone(), chip.id.clone(), p))
                        .or_default() += chips;
                }
            }
        }
        for d in &f.inference {
            let Some(line) = plan.inference.iter().find(|x| x.name == d.name) else {
                continue;
            };
            if arch_of(&d.model).is_none() {
                continue;
            }
            for c in &line.chips_by_period {
                if let (Some(chip), Some(&p)) = (
                    cat.accelerator(&c.chip),
                    self.index_of.get(c.period.as_str()),
                ) {
                    let share = if needed {
                        let key = (d.name.clone(), p);
                        self.needed_share.get(&key).copied().unwrap_or(1.0)
                    } else {
                        1.0
                    };
                    *used
                        .entry((c.provider.clone(), chip.id.clone(), p))
                        .or_default() += c.chips * share;
                }
            }
        }
        used
    }

    /// Every cost and share the plan reports, against the recomputed ones: by period, the
    /// total, by provider, vendor, chip and year, the shares, and the objective.
    fn reported_totals(&mut self) {
        let plan = self.plan;
        let r = &mut self.r;
        for (p, cost) in self.by_period.iter().enumerate() {
            let reported = plan.cost_by_period.get(p).copied().unwrap_or(f64::NAN);
            r.check(
                same(reported, *cost),
                format!("cost {}", self.labels[p]),
                || format!("reported {reported} but recomputed {cost}"),
            );
        }
        let total: f64 = self.by_period.iter().sum();
        r.check(same(plan.total_cost_usd, total), "total cost", || {
            format!("reported {} but recomputed {total}", plan.total_cost_usd)
        });
        let mut by_year: BTreeMap<String, f64> = BTreeMap::new();
        for (p, cost) in self.by_period.iter().enumerate() {
            *by_year
                .entry(self.periods[p].start.year().to_string())
                .or_default() += cost;
        }
        // Shares are of compute spend: before shortfalls are added to the providers.
        let compute_total: f64 = self.compute.iter().sum();
        let share_of = |by: &BTreeMap<String, f64>| -> BTreeMap<String, f64> {
            by.iter()
                .map(|(k, v)| {
                    let share = if compute_total > 0.0 {
                        v / compute_total
                    } else {
                        0.0
                    };
                    (k.clone(), share)
                })
                .collect()
        };
        let (vendor_share, provider_share) =
            (share_of(&self.by_vendor), share_of(&self.by_provider));
        let mut by_provider = self.by_provider.clone();
        for (provider, v) in &self.shortfalls {
            *by_provider.entry(provider.clone()).or_default() += v;
        }
        // Every key either side: a cost or share reported for something that has none is wrong too.
        for (name, reported, recomputed) in [
            ("cost by provider", &plan.cost_by_provider, &by_provider),
            ("cost by vendor", &plan.cost_by_vendor, &self.by_vendor),
            ("cost by chip", &plan.cost_by_chip, &self.by_chip),
            ("cost by year", &plan.cost_by_year, &by_year),
            ("vendor share", &plan.vendor_share, &vendor_share),
            ("provider share", &plan.provider_share, &provider_share),
        ] {
            for k in recomputed
                .keys()
                .chain(reported.keys())
                .collect::<BTreeSet<_>>()
            {
                let got = reported.get(k).copied().unwrap_or(0.0);
                let v = recomputed.get(k).copied().unwrap_or(0.0);
                r.check(same(got, v), format!("{name} {k}"), || {
                    format!("reported {got} but recomputed {v}")
                });
            }
        }
        let objective = self.objective;
        r.check(same(plan.objective_usd, objective), "objective", || {
            format!("reported {} but recomputed {objective}", plan.objective_usd)
        });
    }
}

/// Constraint 1, cohorts (docs/model.md): each cohort of a term offering, with the catalog's
/// term and no negative chips, pays its whole term (added to the objective); the chips a plan
/// holds of a term offering beyond its reservations equal its active cohorts in every period.
fn cohorts(v: &mut Verifier<'_>) {
    let (cat, plan, pm) = (v.cat, v.plan, v.pm);
    let mut cohort_chips: HashMap<(String, usize), f64> = HashMap::new();
    for c in &plan.cohorts {
        let what = format!("cohort {} from {}", c.offering, c.start);
        let (Some(o), Some(&t)) = (cat.offering(&c.offering), v.index_of.get(c.start.as_str()))
        else {
            v.r.check(false, what, || "unknown offering or period".to_string());
            continue;
        };
        let Some(term) = term_months(o) else {
            v.r.check(false, what, || {
                "the offering is not bought by term".to_string()
            });
            continue;
        };
        v.r.check(c.term_months == term, what.clone(), || {
            format!("term {} months, the catalog says {term}", c.term_months)
        });
        // A negative cohort would cancel part of a term commitment and its cost.
        v.r.check(c.chips >= 0.0, what.clone(), || {
            format!("{} chips: a commitment cannot be negative", c.chips)
        });
        let term_periods = term.div_ceil(pm) as usize;
        for p in t..(t + term_periods).min(v.periods.len()) {
            *cohort_chips.entry((o.id.clone(), p)).or_default() += c.chips;
        }
        for k in 0..i64::from(term) {
            let month = t as i64 * i64::from(pm) + k;
            let p = ((month / i64::from(pm)) as usize).min(v.periods.len() - 1);
            v.objective += c.chips * v.price(o, p) * HOURS * v.discount(month as f64 + 0.5);
        }
    }
    for o in cat.offerings().iter().filter(|o| term_months(o).is_some()) {
        for (p, label) in v.labels.iter().enumerate() {
            let held_chips = v.chips_at.get(&(o.id.clone(), p)).copied().unwrap_or(0.0)
                - v.held.get(&(o.id.clone(), p)).map_or(0.0, |h| h.0);
            let cohorts = cohort_chips.get(&(o.id.clone(), p)).copied().unwrap_or(0.0);
            v.r.check(
                same(held_chips.max(0.0), cohorts) || (held_chips - cohorts).abs() < 1e-3,
                format!("cohorts {} {label}", o.id),
                || format!("{held_chips} chips held but active cohorts give {cohorts}"),
            );
        }
    }
}

/// Constraint 2, supply covers use (docs/model.md): per provider, chip and period, the chips
/// the training and serving lines use at most the useful chips provisioned (spot chips at the
/// spot policy's efficiency), which checks every pool.
fn supply_covers_use(v: &mut Verifier<'_>) {
    let cat = v.cat;
    let mut supply: HashMap<(String, String, bool, usize), f64> = HashMap::new();
    for ((id, p), chips) in &v.chips_at {
        if let Some(o) = cat.offering(id) {
            let spot = o.price_model == PriceModel::Spot;
            let eff = if spot { v.spot_eff } else { 1.0 };
            *supply
                .entry((o.provider.clone(), o.chip.clone(), spot, *p))
                .or_default() += chips * eff;
        }
    }
    for ((provider, chip, p), use_) in &v.chips_used(false) {
        let have = supply
            .get(&(provider.clone(), chip.clone(), false, *p))
            .copied()
            .unwrap_or(0.0)
            + supply
                .get(&(provider.clone(), chip.clone(), true, *p))
                .copied()
                .unwrap_or(0.0);
        v.r.check(
            le(*use_, have),
            format!("supply {provider}/{chip} {}", v.labels[*p]),
            || format!("{use_} chips used but {have} provisioned"),
        );
    }
}

/// Constraint 3, training runs (docs/model.md): each run placed once, on an allowed provider
/// and chip, in its window and exclusivities, each period's cluster within its minimum and
/// maximum; its work recomputed period by period at the performance model's rate for that
/// period's cluster (whole chips, rounded up) at least its tokens; its largest cluster,
/// chip-hours, start and finish those of its periods.
fn training_runs(v: &mut Verifier<'_>) {
    let (f, cat, plan, set) = (v.f, v.cat, v.plan, v.set);
    let cal = calibration();
    for t in &f.training {
        let what = format!("training {}", t.name);
        let Some(line) = plan.training.iter().find(|x| x.name == t.name) else {
            v.r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        let (Some(chip), Some(arch)) = (cat.accelerator(&line.chip), arch_of(&t.model)) else {
            v.r.check(false, what, || {
                format!("placed on unknown chip '{}'", line.chip)
            });
            continue;
        };
        let chips_ok = t.chips.is_empty()
            || t.chips
                .iter()
                .any(|c| cat.accelerator(c).is_some_and(|a| a.id == chip.id));
        let providers_ok = t.providers.is_empty()
            || t.providers
                .iter()
                .any(|c| cat.provider(c).is_some_and(|v| v.id == line.provider));
        v.r.check(chips_ok && providers_ok, what.clone(), || {
            format!("{}/{} is not allowed", line.provider, line.chip)
        });
        let first = v.period_of(t.earliest_start.unwrap_or(set.start));
        let last = v.period_of(t.deadline.unwrap_or(set.last_month()));
        let fit =
            allot_perf::min_chips(&arch, TrainKind::Full, chip).map_or(f64::INFINITY, f64::from);
        let lo = fit.max(f64::from(t.min_chips.unwrap_or(1)));
        let hi = t.max_chips.map_or(f64::INFINITY, f64::from);
        let maturity = allot_perf::maturity(chip, &v.overrides);
        let rate_at = |n: u32| {
            let req = TrainRequest {
                arch: &arch,
                tokens: t.tokens,
                chips: n,
                precision: precision(t.precision),
                kind: TrainKind::Full,
                maturity,
            };
            allot_perf::estimate_train(chip, &req, cal).tokens_per_s_per_chip
        };
        let mut trained = 0.0;
        // The line's summary, recomputed from its chips by period.
        let (mut largest, mut chip_hours) = (0.0f64, 0.0);
        let mut span: Option<(usize, usize)> = None;
        for (label, chips) in &line.chips_by_period {
            let Some(&p) = v.index_of.get(label.as_str()) else {
                v.r.check(false, what.clone(), || format!("unknown period {label}"));
                continue;
            };
            if *chips > 0.0 {
                largest = largest.max(*chips);
                chip_hours += chips * v.hours(p);
                span = Some(span.map_or((p, p), |(a, b)| (a.min(p), b.max(p))));
            }
            let at = format!("{what} {label}");
            v.r.check(p >= first && p <= last, at.clone(), || {
                "outside the run's window".to_string()
            });
            let allowed = v.allowed(&t.name, &line.provider, p);
            v.r.check(allowed, at.clone(), || {
                "violates an exclusivity".to_string()
            });
            v.r.check(le(lo, *chips) && le(*chips, hi), at.clone(), || {
                format!("{chips} chips, outside [{lo}, {hi}]")
            });
            // Each period's work at the performance model's rate for that period's cluster,
            // in whole chips (rounded up, less rounding noise: never optimistic).
            if *chips > 0.0 {
                trained += chips * v.hours(p) * 3600.0 * rate_at(whole_chips(*chips));
            }
        }
        v.r.check(le(t.tokens, trained), what.clone(), || {
            format!("trains {trained:.4e} of {:.4e} tokens", t.tokens)
        });
        v.r.check(same(line.chips, largest), what.clone(), || {
            format!(
                "largest cluster {} but its periods give {largest}",
                line.chips
            )
        });
        v.r.check(same(line.chip_hours, chip_hours), what.clone(), || {
            format!(
                "{} chip-hours but its periods give {chip_hours}",
                line.chip_hours
            )
        });
        let (start, finish) = span.map_or((String::new(), String::new()), |(a, b)| {
            (v.labels[a].clone(), v.labels[b].clone())
        });
        v.r.check(line.start == start && line.finish == finish, what, || {
            format!(
                "runs {}..{} but its periods with chips run {start}..{finish}",
                line.start, line.finish
            )
        });
    }
    check_names(
        &mut v.r,
        "training",
        plan.training.iter().map(|l| l.name.as_str()),
        |n| f.training.iter().any(|t| t.name == n),
    );
}

/// Constraint 4, inference demands (docs/model.md): each demand served in every period from
/// allowed providers and chips, within its exclusivities, where the performance model fits
/// the model and meets its latency, with no negative chips; the tokens its chips serve (at the
/// performance model's chip-hours per token) at least those demanded; its reported tokens and
/// serving mix those of its chips.
fn inference_demands(v: &mut Verifier<'_>) {
    let (f, cat, plan, set, pm) = (v.f, v.cat, v.plan, v.set, v.pm);
    let cal = calibration();
    for d in &f.inference {
        let what = format!("inference {}", d.name);
        let Some(line) = plan.inference.iter().find(|x| x.name == d.name) else {
            v.r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        let Some(arch) = arch_of(&d.model) else {
            continue;
        };
        let latency = d.min_tokens_per_s_per_user.or(match d.latency {
            allot_scenario::LatencyClass::Interactive => {
                LatencyClass::Interactive.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Standard => {
                LatencyClass::Standard.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Batch => None,
        });
        let mut served = vec![0.0; v.periods.len()];
        // Tokens and chip-hours per (provider, chip), for the serving mix.
        let mut by_pool: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for c in &line.chips_by_period {
            let at = format!("{what} {}/{} {}", c.provider, c.chip, c.period);
            let (Some(chip), Some(&p)) =
                (cat.accelerator(&c.chip), v.index_of.get(c.period.as_str()))
            else {
                v.r.check(false, at, || "unknown chip or period".to_string());
                continue;
            };
            let chips_ok = d.chips.is_empty()
                || d.chips
                    .iter()
                    .any(|x| cat.accelerator(x).is_some_and(|a| a.id == chip.id));
            let providers_ok = d.providers.is_empty()
                || d.providers
                    .iter()
                    .any(|x| cat.provider(x).is_some_and(|v| v.id == c.provider));
            v.r.check(chips_ok && providers_ok, at.clone(), || {
                "provider or chip not allowed".to_string()
            });
            let allowed = v.allowed(&d.name, &c.provider, p);
            v.r.check(allowed, at.clone(), || {
                "violates an exclusivity".to_string()
            });
            // Negative serving would free another demand's chips on paper.
            v.r.check(c.chips >= 0.0, at.clone(), || {
                format!("{} chips: serving cannot be negative", c.chips)
            });
            let req = ServeRequest {
                arch: &arch,
                input_tokens: d.input_tokens,
                output_tokens: d.output_tokens,
                context: None,
                precision: precision(d.precision),
                min_tokens_per_s_per_user: latency,
                batch: None,
                chips_per_replica: None,
                maturity: allot_perf::maturity(chip, &v.overrides),
            };
            let e = allot_perf::estimate_serve(chip, &req, cal);
            v.r.check(e.fits && e.meets_latency, at, || {
                "the model does not fit or meet its latency on this chip".to_string()
            });
            let tokens = c.chips * v.hours(p) / e.chip_hours_per_million_tokens * 1e6;
            served[p] += tokens;
            let pool = by_pool
                .entry((c.provider.clone(), chip.id.clone()))
                .or_default();
            pool.0 += tokens;
            pool.1 += c.chips * v.hours(p);
        }
        let mut demanded = 0.0;
        let needs = demand_tokens(d, set, &v.periods, pm);
        for p in 0..v.periods.len() {
            let need = needs[p];
            if served[p] > need {
                v.needed_share.insert((d.name.clone(), p), need / served[p]);
            }
            v.r.check(
                le(need, served[p]),
                format!("{what} {}", v.labels[p]),
                || format!("serves {:.4e} of {need:.4e} tokens", served[p]),
            );
            demanded += need;
        }
        v.r.check(same(line.tokens, demanded), what.clone(), || {
            format!(
                "{:.6e} tokens but the demand is {demanded:.6e}",
                line.tokens
            )
        });
        // The mix: each pool's share of the tokens its chips serve, and its chip-hours.
        let all: f64 = by_pool.values().map(|v| v.0).sum();
        let mut reported: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for m in &line.mix {
            let e = reported
                .entry((m.provider.clone(), m.chip.clone()))
                .or_default();
            e.0 += m.token_share;
            e.1 += m.chip_hours;
        }
        for key in by_pool
            .keys()
            .chain(reported.keys())
            .collect::<BTreeSet<_>>()
        {
            let (tokens, chip_hours) = by_pool.get(key).copied().unwrap_or_default();
            let share = if all > 0.0 { tokens / all } else { 0.0 };
            let (got_share, got_hours) = reported.get(key).copied().unwrap_or_default();
            v.r.check(
                same(got_share, share) && same(got_hours, chip_hours),
                format!("{what} mix {}/{}", key.0, key.1),
                || {
                    format!(
                        "share {got_share:.6} and {got_hours:.6e} chip-hours, but its chips give {share:.6} and {chip_hours:.6e}"
                    )
                },
            );
        }
    }
    check_names(
        &mut v.r,
        "inference",
        plan.inference.iter().map(|l| l.name.as_str()),
        |n| f.inference.iter().any(|d| d.name == n),
    );
}

/// Constraint 5, delivery ramps (docs/model.md): per `[[availability]]` entry and period, the
/// chips held of its offering (or its provider's chip), reservations included, at most those
/// available (the series averaged over the period's months).
fn delivery_ramps(v: &mut Verifier<'_>) {
    let (f, cat, set, pm) = (v.f, v.cat, v.set, v.pm);
    for (i, a) in f.availability.iter().enumerate() {
        let monthly = a.chips.monthly(set.start, set.horizon_months, pm);
        for p in 0..v.periods.len() {
            let avail = v.average(&monthly, p);
            let in_use: f64 = v
                .chips_at
                .iter()
                .filter(|((id, q), _)| {
                    *q == p
                        && cat.offering(id).is_some_and(|o| {
                            match (&a.offering, &a.provider, &a.chip) {
                                (Some(x), _, _) => o.id.eq_ignore_ascii_case(x.trim()),
                                (None, Some(v), Some(c)) => {
                                    cat.provider(v).is_some_and(|v| v.id == o.provider)
                                        && cat.accelerator(c).is_some_and(|c| c.id == o.chip)
                                }
                                _ => false,
                            }
                        })
                })
                .map(|(_, c)| c)
                .sum();
            v.r.check(
                le(in_use, avail),
                format!("availability[{i}] {}", v.labels[p]),
                || format!("{in_use} chips but {avail} available"),
            );
        }
    }
}

/// Months of commitment `c`'s term in each period, and inside the horizon.
fn term_in(v: &Verifier<'_>, c: &allot_scenario::Commitment) -> (Vec<f64>, f64) {
    let months_in = v
        .periods
        .iter()
        .map(|per| {
            months_overlap(
                per.start,
                i64::from(per.months),
                c.start,
                i64::from(c.term_months),
            )
        })
        .collect();
    let inside = months_overlap(
        c.start,
        i64::from(c.term_months),
        v.set.start,
        i64::from(v.set.horizon_months),
    );
    (months_in, inside)
}

/// Whether commitment `c` (with `inside` months in the horizon) has a minimum to meet: a
/// monthly minimum, or take-or-pay.
fn has_minimum(c: &allot_scenario::Commitment, inside: f64) -> bool {
    use allot_scenario::PaymentTerms::{AsDelivered, MonthlyMinimum};
    inside > 0.0 && (matches!(c.payment, MonthlyMinimum | AsDelivered) || c.take_or_pay)
}

/// Paid as delivered: the least owed in each period, the commitment's total split over its
/// term's months in proportion to the chips its provider's ramps in scope deliver each month
/// (read from the scenario start; before it, its first month; past a list of values, its last).
fn due_as_delivered(v: &Verifier<'_>, c: &allot_scenario::Commitment) -> Option<Vec<f64>> {
    let (f, cat, set) = (v.f, v.cat, v.set);
    let provider = cat.provider(&c.provider)?.id.clone();
    let covers = |chip: &str| {
        c.chips.is_empty()
            || c.chips
                .iter()
                .any(|x| cat.accelerator(x).is_some_and(|a| a.id == chip))
    };
    let months_to_end = set.start.months_until(c.end());
    let span = months_to_end.max(i64::from(set.horizon_months)).max(1);
    let mut delivered = vec![0.0; c.term_months as usize];
    for a in &f.availability {
        let of = match (&a.offering, &a.provider, &a.chip) {
            (Some(o), _, _) => cat
                .offering(o.trim())
                .map(|o| (o.provider.clone(), o.chip.clone())),
            (None, Some(p), Some(x)) => cat
                .provider(p)
                .zip(cat.accelerator(x))
                .map(|(p, x)| (p.id.clone(), x.id.clone())),
            _ => None,
        };
        let Some((p, chip)) = of else { continue };
        if p != provider || !covers(&chip) {
            continue;
        }
        let monthly = a.chips.monthly(set.start, span as u32, v.pm);
        for (k, d) in delivered.iter_mut().enumerate() {
            let i = set
                .start
                .months_until(c.start.plus(k as i64))
                .clamp(0, span - 1) as usize;
            let value = match &a.chips {
                allot_scenario::Series::Values(list) if i / v.pm as usize >= list.len() => {
                    list.last().copied().unwrap_or(0.0)
                }
                _ => monthly[i],
            };
            *d += value;
        }
    }
    let total: f64 = delivered.iter().sum();
    if total <= 0.0 {
        return None;
    }
    Some(
        v.periods
            .iter()
            .map(|per| {
                (0..i64::from(per.months))
                    .filter_map(|k| usize::try_from(c.start.months_until(per.start.plus(k))).ok())
                    .filter_map(|i| delivered.get(i))
                    .map(|d| c.total_usd * d / total)
                    .sum()
            })
            .collect(),
    )
}

/// Constraint 6, spend attribution (docs/model.md): the spend a plan counts toward each
/// commitment with a minimum is attributed to chips of its provider in its scope, in periods of
/// its term, never negative and at most the term's share of that chip's spend in the period;
/// and what all commitments count of one chip in one period is at most what was spent on it, so
/// no dollar counts twice. Records each commitment's attributed spend per period.
fn spend_attribution(v: &mut Verifier<'_>) {
    let (f, cat, plan) = (v.f, v.cat, v.plan);
    // Spend per (provider, chip, period), from the capacity lines.
    let mut spent: HashMap<(String, String, usize), f64> = HashMap::new();
    for ((id, p), cost) in &v.cost_at {
        if let Some(o) = cat.offering(id) {
            *spent
                .entry((o.provider.clone(), o.chip.clone(), *p))
                .or_default() += cost;
        }
    }
    let mut counted: HashMap<(String, String, usize), f64> = HashMap::new();
    let mut attributed = Vec::with_capacity(f.commitment.len());
    for c in &f.commitment {
        let what = format!("commitment {} attribution", c.name);
        let (months_in, inside) = term_in(v, c);
        let line = plan.commitments.iter().find(|x| x.name == c.name);
        if !has_minimum(c, inside) {
            v.r.check(line.is_none_or(|l| l.attribution.is_empty()), what, || {
                "spend attributed to a commitment without a minimum".to_string()
            });
            attributed.push(None);
            continue;
        }
        let provider = cat
            .provider(&c.provider)
            .map(|x| x.id.clone())
            .unwrap_or_default();
        let scope: Vec<String> = c
            .chips
            .iter()
            .filter_map(|x| cat.accelerator(x).map(|a| a.id.clone()))
            .collect();
        let mut per_period = vec![0.0; v.periods.len()];
        for a in line.map(|l| l.attribution.as_slice()).unwrap_or_default() {
            let at = format!("{what} {} {}", a.chip, a.period);
            let (Some(chip), Some(&p)) =
                (cat.accelerator(&a.chip), v.index_of.get(a.period.as_str()))
            else {
                v.r.check(false, at, || "unknown chip or period".to_string());
                continue;
            };
            v.r.check(
                scope.is_empty() || scope.contains(&chip.id),
                at.clone(),
                || "a chip the commitment does not cover".to_string(),
            );
            v.r.check(a.usd >= 0.0 && a.usd.is_finite(), at.clone(), || {
                format!("{} USD: an attribution is a finite amount from 0 up", a.usd)
            });
            let key = (provider.clone(), chip.id.clone(), p);
            let share = months_in[p] / f64::from(v.periods[p].months);
            let most = share * spent.get(&key).copied().unwrap_or(0.0);
            v.r.check(le(a.usd, most), at, || {
                format!(
                    "{} USD counted, but the term's share of the spend is {most}",
                    a.usd
                )
            });
            *counted.entry(key).or_default() += a.usd;
            per_period[p] += a.usd;
        }
        attributed.push(Some(per_period));
    }
    for ((provider, chip, p), n) in &counted {
        let paid = spent
            .get(&(provider.clone(), chip.clone(), *p))
            .copied()
            .unwrap_or(0.0);
        v.r.check(
            le(*n, paid),
            format!("attribution {provider}/{chip} {}", v.labels[*p]),
            || format!("commitments count {n} USD of {paid} spent: a dollar counted twice"),
        );
    }
    v.attributed = attributed;
}

/// Constraint 7, spend commitments (docs/model.md): each commitment's provider, obligation
/// inside the horizon, spend and utilisation recomputed; no negative payment; a monthly
/// minimum topped up in every period of its term, a take-or-pay shortfall at least the
/// obligation less the spend. What is paid is added to the period's and provider's cost and
/// to the objective.
fn spend_commitments(v: &mut Verifier<'_>) {
    let (f, cat, plan) = (v.f, v.cat, v.plan);
    for (c_index, c) in f.commitment.iter().enumerate() {
        let what = format!("commitment {}", c.name);
        let provider = cat
            .provider(&c.provider)
            .map(|v| v.id.clone())
            .unwrap_or_default();
        let scope: Vec<String> = c
            .chips
            .iter()
            .filter_map(|x| cat.accelerator(x).map(|a| a.id.clone()))
            .collect();
        let (months_in, inside) = term_in(v, c);
        let due = (c.payment == allot_scenario::PaymentTerms::AsDelivered)
            .then(|| due_as_delivered(v, c))
            .flatten();
        let owed = match &due {
            Some(due) => due.iter().sum(),
            None => c.total_usd * inside / f64::from(c.term_months),
        };
        let last = months_in.iter().rposition(|k| *k > 0.0).unwrap_or(0);
        // The spend counted toward it in each period: attributed (6), or, without a minimum,
        // all the spend it covers.
        let spend_in = match v.attributed.get(c_index).cloned().flatten() {
            Some(attributed) => attributed,
            None => {
                let mut spend_in = vec![0.0; v.periods.len()];
                for ((id, p), cost) in &v.cost_at {
                    let Some(o) = cat.offering(id) else { continue };
                    if o.provider != provider || !(scope.is_empty() || scope.contains(&o.chip)) {
                        continue;
                    }
                    spend_in[*p] += cost * months_in[*p] / f64::from(v.periods[*p].months);
                }
                spend_in
            }
        };
        let spend: f64 = spend_in.iter().sum();
        let Some(line) = plan.commitments.iter().find(|x| x.name == c.name) else {
            v.r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        v.r.check(line.provider == provider, what.clone(), || {
            format!(
                "provider {} but the scenario's is {provider}",
                line.provider
            )
        });
        v.r.check(same(line.obligation_usd, owed), what.clone(), || {
            format!("obligation {} but recomputed {owed}", line.obligation_usd)
        });
        v.r.check(same(line.spend_usd, spend), what.clone(), || {
            format!("spend {} but recomputed {spend}", line.spend_usd)
        });
        let utilisation = if owed > 0.0 { spend / owed } else { 0.0 };
        v.r.check(same(line.utilisation, utilisation), what.clone(), || {
            format!(
                "utilisation {} but recomputed {utilisation}",
                line.utilisation
            )
        });
        // What is paid beyond the spend, by period: the plan's own split when it gives one.
        let paid: Vec<f64> = if line.shortfall_by_period_usd.len() == v.periods.len() {
            line.shortfall_by_period_usd.clone()
        } else {
            let mut paid = vec![0.0; v.periods.len()];
            paid[last] = line.shortfall_usd;
            paid
        };
        // A negative payment would be a refund that moves cost to later, cheaper periods.
        v.r.check(paid.iter().all(|x| *x >= 0.0), what.clone(), || {
            "a shortfall payment is negative".to_string()
        });
        let total_paid: f64 = paid.iter().sum();
        v.r.check(same(total_paid, line.shortfall_usd), what.clone(), || {
            format!(
                "shortfall {} but its periods sum to {total_paid}",
                line.shortfall_usd
            )
        });
        if let (Some(due), true) = (&due, inside > 0.0) {
            // At least the period's share of the delivered capacity, period by period.
            for (p, k) in months_in.iter().enumerate() {
                if *k <= 0.0 {
                    continue;
                }
                let needed = (due[p] - spend_in[p]).max(0.0);
                v.r.check(
                    le(needed, paid[p]),
                    format!("{what} minimum {}", v.labels[p]),
                    || {
                        format!(
                            "top-up {} but at least {needed} is owed as delivered",
                            paid[p]
                        )
                    },
                );
            }
        } else if c.payment == allot_scenario::PaymentTerms::MonthlyMinimum && inside > 0.0 {
            // At least total / term months for each month of the term, period by period.
            let per_month = c.total_usd / f64::from(c.term_months);
            for (p, k) in months_in.iter().enumerate() {
                if *k <= 0.0 {
                    continue;
                }
                let needed = (per_month * k - spend_in[p]).max(0.0);
                v.r.check(
                    le(needed, paid[p]),
                    format!("{what} minimum {}", v.labels[p]),
                    || format!("top-up {} but at least {needed} is owed", paid[p]),
                );
            }
        } else {
            let needed = if c.take_or_pay && inside > 0.0 {
                (owed - spend).max(0.0)
            } else {
                0.0
            };
            v.r.check(le(needed, line.shortfall_usd), what.clone(), || {
                format!(
                    "shortfall {} but at least {needed} is owed",
                    line.shortfall_usd
                )
            });
        }
        for (p, x) in paid.iter().enumerate() {
            if *x > 0.0 {
                v.by_period[p] += x;
                v.shortfalls.push((provider.clone(), *x));
                v.objective += x * v.discount(v.mid(p));
            }
        }
    }
    check_names(
        &mut v.r,
        "commitment",
        plan.commitments.iter().map(|l| l.name.as_str()),
        |n| f.commitment.iter().any(|c| c.name == n),
    );
}

/// Constraint 8, vendor and provider caps (docs/model.md): per cap and calendar year inside its
/// window, the member's spend (or chips) at most its share of all: of capacity held, or of
/// capacity in use ([`Verifier::in_use_amounts`]).
fn vendor_and_provider_caps(v: &mut Verifier<'_>) {
    let (f, cat) = (v.f, v.cat);
    for c in &f.policy.vendor_cap {
        let who = c.vendor.trim().to_lowercase();
        v.share_cap(
            &format!("vendor cap {who}"),
            &|o| cat.vendor_of(o) == Some(who.as_str()),
            c.max_share,
            (c.basis, c.counts),
            c.start,
            c.end,
        );
    }
    for c in &f.policy.provider_cap {
        let who = cat
            .provider(&c.provider)
            .map(|x| x.id.clone())
            .unwrap_or_default();
        v.share_cap(
            &format!("provider cap {who}"),
            &|o| o.provider == who,
            c.max_share,
            (c.basis, c.counts),
            c.start,
            c.end,
        );
    }
}

impl Verifier<'_> {
    /// The capacity in use per (provider, chip) and period, as `(period, member, amount)`: the
    /// chips the plan's training and serving lines draw (serving only what its demand needs)
    /// spread over the offerings of that provider and chip the plan holds (bought and
    /// reserved chips apart, spot ones delivering the spot policy's useful chips per chip),
    /// counted in chips or at their price. The plan does not say which offering does which
    /// work: a member's work is counted as cheaply as the capacity allows and the others' as
    /// dearly, so a plan passes if some spread of its work meets the cap (the planner's model
    /// picks one spread for all caps, a stricter test).
    fn in_use_amounts(
        &self,
        member: &dyn Fn(&Offering) -> bool,
        basis: ShareBasis,
    ) -> Vec<(usize, bool, f64)> {
        // (useful chips per chip, amount per chip, chips) of each holding, per pool.
        type Holding = (f64, f64, f64);
        let mut held: BTreeMap<(String, String, usize), (bool, Vec<Holding>)> = BTreeMap::new();
        for ((id, p), chips) in &self.chips_at {
            let Some(o) = self.cat.offering(id) else {
                continue;
            };
            let eff = if o.price_model == PriceModel::Spot {
                self.spot_eff
            } else {
                1.0
            };
            let (res_chips, res_cost) = self
                .held
                .get(&(id.clone(), *p))
                .copied()
                .unwrap_or_default();
            let bought = (chips - res_chips).max(0.0);
            let (per_bought, per_reserved) = match basis {
                ShareBasis::Spend => (
                    self.price(o, *p) * self.hours(*p),
                    res_cost / res_chips.max(1e-300),
                ),
                ShareBasis::Chips => (1.0, 1.0),
            };
            let e = held
                .entry((o.provider.clone(), o.chip.clone(), *p))
                .or_insert_with(|| (member(o), Vec::new()));
            e.1.push((eff, per_bought, bought));
            if res_chips > 0.0 {
                e.1.push((eff, per_reserved, res_chips));
            }
        }
        let used = self.chips_used(true);
        let mut out = Vec::new();
        for ((provider, chip, p), (is_member, mut holdings)) in held {
            let mut need = used.get(&(provider, chip, p)).copied().unwrap_or(0.0);
            // Amount per useful chip, cheapest first for a member, dearest first otherwise.
            holdings.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
            if !is_member {
                holdings.reverse();
            }
            let mut amount = 0.0;
            for (eff, per_chip, chips) in holdings {
                let take = chips.min(need / eff);
                amount += take * per_chip;
                need -= take * eff;
                if need <= 0.0 {
                    break;
                }
            }
            out.push((p, is_member, amount));
        }
        out
    }

    /// One share cap: per calendar year inside `start..=end`, the spend (or chips) of the
    /// offerings `member` keeps at most `share` of all, held or in use.
    fn share_cap(
        &mut self,
        label: &str,
        member: &dyn Fn(&Offering) -> bool,
        share: f64,
        (basis, counts): (ShareBasis, CapCounts),
        start: Option<Month>,
        end: Option<Month>,
    ) {
        let amounts: Vec<(usize, bool, f64)> = match counts {
            CapCounts::InUse => self.in_use_amounts(member, basis),
            CapCounts::Held => self
                .cost_at
                .iter()
                .filter_map(|((id, p), cost)| {
                    let o = self.cat.offering(id)?;
                    let amount = match basis {
                        ShareBasis::Spend => *cost,
                        ShareBasis::Chips => self.chips_at[&(id.clone(), *p)],
                    };
                    Some((*p, member(o), amount))
                })
                .collect(),
        };
        let mut years: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
        for (p, is_member, amount) in amounts {
            let per = &self.periods[p];
            let inside = start.is_none_or(|s| per.start.plus(i64::from(per.months) - 1) >= s)
                && end.is_none_or(|e| per.start <= e);
            if !inside {
                continue;
            }
            let e = years.entry(per.start.year()).or_default();
            e.1 += amount;
            if is_member {
                e.0 += amount;
            }
        }
        for (y, (part, all)) in years {
            self.r
                .check(le(part, share * all), format!("{label} {y}"), || {
                    format!("share {:.4} above the cap {share}", part / all.max(1e-300))
                });
        }
    }
}

/// Constraint 9, power (docs/model.md): per period, every chip held (reservations included) at
/// its TDP (1 kW when the catalog has none) times the PUE, at most the cap.
fn power(v: &mut Verifier<'_>) {
    let (f, cat, set, pm) = (v.f, v.cat, v.set, v.pm);
    let Some(pw) = &f.policy.power else {
        return;
    };
    let mut watts = vec![0.0; v.periods.len()];
    for ((id, p), chips) in &v.chips_at {
        let Some(o) = cat.offering(id) else { continue };
        let tdp = cat
            .accelerator(&o.chip)
            .and_then(|a| a.tdp_w)
            .unwrap_or(1000.0);
        watts[*p] += chips * tdp;
    }
    let monthly = pw.cap_mw.monthly(set.start, set.horizon_months, pm);
    for (p, w) in watts.iter().enumerate() {
        let cap = v.average(&monthly, p);
        let mw = w * pw.pue / 1e6;
        v.r.check(le(mw, cap), format!("power {}", v.labels[p]), || {
            format!("{mw:.1} MW over the cap of {cap:.1} MW")
        });
    }
}

/// Constraint 10, yearly budgets (docs/model.md): per `[[policy.budget]]`, the compute spend of
/// its calendar year (reservations included, shortfalls not) at most its `max_usd`.
fn yearly_budgets(v: &mut Verifier<'_>) {
    for b in &v.f.policy.budget {
        let spent: f64 = (0..v.periods.len())
            .filter(|&p| v.periods[p].start.year() == b.year)
            .map(|p| v.compute[p])
            .sum();
        v.r.check(le(spent, b.max_usd), format!("budget {}", b.year), || {
            format!("spends {spent:.4e} of {:.4e}", b.max_usd)
        });
    }
}

/// Constraint 11, cash floor (docs/model.md): with `[finance] cash_floor_usd`, the running
/// balance (starting cash, revenue and token revenue less other opex, funding, less everything
/// the plan pays in the period as it times it) at least the floor in every period.
fn cash_floor(v: &mut Verifier<'_>) {
    let (f, set) = (v.f, v.set);
    let Some(fin) = &f.finance else {
        return;
    };
    let Some(floor) = fin.cash_floor_usd else {
        return;
    };
    let series = |x: &Option<allot_scenario::Series>| match x {
        Some(x) => x.monthly(set.start, set.horizon_months, 1),
        None => vec![0.0; set.horizon_months as usize],
    };
    let (revenue, opex) = (
        series(&fin.revenue_usd_per_month),
        series(&fin.other_opex_usd_per_month),
    );
    let tokens = token_revenue(v);
    let mut cash = fin.starting_cash_usd;
    for (p, per) in v.periods.iter().enumerate() {
        let first = (per.start.index() - set.start.index()) as usize;
        let months = first..(first + per.months as usize).min(revenue.len());
        let inflow: f64 = months.clone().map(|k| revenue[k] - opex[k]).sum::<f64>()
            + tokens[p]
            + fin
                .funding
                .iter()
                .filter(|e| {
                    let k = e.month.index();
                    k >= per.start.index() && k < per.start.index() + i64::from(per.months)
                })
                .map(|e| e.usd)
                .sum::<f64>();
        cash += inflow - v.by_period[p];
        v.r.check(
            le(floor, cash),
            format!("cash floor {}", v.labels[p]),
            || format!("cash {cash:.4e} below the floor {floor:.4e}"),
        );
    }
}

/// Tokens (input + output) demand `d` asks to be served in each period: requests per day of
/// each month inside its start and end, times 30.4375 days, times tokens per request.
fn demand_tokens(
    d: &allot_scenario::InferenceDemand,
    set: &allot_scenario::Settings,
    periods: &[Period],
    pm: u32,
) -> Vec<f64> {
    let monthly = d
        .requests_per_day
        .monthly(set.start, set.horizon_months, pm);
    let per_request = f64::from(d.input_tokens) + f64::from(d.output_tokens);
    let first = d.start.unwrap_or(set.start);
    let last = d.end.unwrap_or(set.last_month());
    periods
        .iter()
        .enumerate()
        .map(|(p, per)| {
            (0..per.months)
                .map(|k| {
                    let month = per.start.plus(i64::from(k));
                    if month < first || month > last {
                        0.0
                    } else {
                        monthly[(p as u32 * pm + k) as usize]
                    }
                })
                .sum::<f64>()
                * DAYS
                * per_request
        })
        .collect()
}

/// Revenue from serving in each period: every priced demand's tokens times its price.
fn token_revenue(v: &Verifier<'_>) -> Vec<f64> {
    let mut out = vec![0.0; v.periods.len()];
    for d in &v.f.inference {
        let Some(price) = d.price_usd_per_million_tokens else {
            continue;
        };
        for (o, t) in out
            .iter_mut()
            .zip(demand_tokens(d, v.set, &v.periods, v.pm))
        {
            *o += t / 1e6 * price;
        }
    }
    out
}

/// How many months of a term offering's term (its depreciation for owned hardware); `None`
/// for offerings bought per period.
fn term_months(o: &Offering) -> Option<u32> {
    match o.price_model {
        PriceModel::Owned => o.depreciation_months,
        PriceModel::Reserved1y
        | PriceModel::Reserved3y
        | PriceModel::SavingsPlan
        | PriceModel::Negotiated => o.term_months(),
        _ => None,
    }
}

/// Checks the finance block a plan JSON reports (`finance`, which `allot plan --json` writes
/// beside the plan) against the projection of this plan for this scenario: every figure, with
/// keys on either side. The projection's arithmetic (`allot-finance`) is taken on trust; what is
/// checked is that the figures reported are the projection of the plan verified by [`verify`],
/// not edited. A plan JSON without the block reports no figure to check.
pub fn verify_finance(
    scenario: &Scenario,
    plan: &Plan,
    reported: Option<&serde_json::Value>,
) -> Report {
    let mut r = Report::default();
    let Some(reported) = reported.filter(|v| !v.is_null()) else {
        return r;
    };
    if !plan.status.has_solution() {
        return r;
    }
    let projected = allot_finance::project(scenario, plan)
        .ok()
        .map(|st| allot_present::finance_json::FinanceJson::new(&st, false))
        .and_then(|f| serde_json::to_value(f).ok());
    let Some(projected) = projected else {
        r.check(false, "finance", || {
            "finance figures reported, but the plan has no projection for this scenario".to_string()
        });
        return r;
    };
    compare_figures(&mut r, "finance", reported, &projected);
    r
}

/// Each figure of `got` equal to `want`'s (numbers to a relative 1e-6), recursively.
fn compare_figures(r: &mut Report, at: &str, got: &serde_json::Value, want: &serde_json::Value) {
    use serde_json::Value;
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for k in g.keys().chain(w.keys()).collect::<BTreeSet<_>>() {
                let path = format!("{at}.{k}");
                match (g.get(k), w.get(k)) {
                    (Some(a), Some(b)) => compare_figures(r, &path, a, b),
                    (None, Some(Value::Null)) | (Some(Value::Null), None) => {}
                    (Some(_), None) => r.check(false, path, || {
                        "reported, but the plan's projection has no such figure".to_string()
                    }),
                    (None, Some(_)) => r.check(false, path, || {
                        "missing, but the plan's projection has it".to_string()
                    }),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            r.check(g.len() == w.len(), at, || {
                format!(
                    "{} entries, but the plan's projection has {}",
                    g.len(),
                    w.len()
                )
            });
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                compare_figures(r, &format!("{at}[{i}]"), a, b);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            r.check(same(a, b), at, || {
                format!("reported {a} but the plan's projection gives {b}")
            });
        }
        _ => r.check(got == want, at, || {
            format!("reported {got} but the plan's projection gives {want}")
        }),
    }
}
