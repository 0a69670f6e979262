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
use allot_scenario::{ModelSpec, Month, Scenario, ShareBasis};

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

/// Verifies `plan` against `scenario`.
pub fn verify(scenario: &Scenario, plan: &Plan) -> Report {
    let mut r = Report::default();
    let f = &scenario.file;
    let cat = &scenario.catalog;
    let set = &f.scenario;
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

    r.check(plan.scenario == set.name, "scenario", || {
        format!(
            "the plan is of scenario '{}', not '{}'",
            plan.scenario, set.name
        )
    });

    // Periods.
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
    r.check(plan.periods == labels, "periods", || {
        "the plan's periods are not the scenario's".to_string()
    });
    let index_of: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let hours = |p: usize| f64::from(periods[p].months) * HOURS;
    let discount =
        |months_from_start: f64| (1.0 + set.discount_rate).powf(-months_from_start / 12.0);
    let mid = |p: usize| f64::from(p as u32 * pm) + f64::from(periods[p].months) / 2.0;

    // Prices after commitment discounts.
    let price = |o: &Offering, p: usize| -> f64 {
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
    };
    let term_months = |o: &Offering| -> Option<u32> {
        match o.price_model {
            PriceModel::Owned => o.depreciation_months,
            PriceModel::Reserved1y
            | PriceModel::Reserved3y
            | PriceModel::SavingsPlan
            | PriceModel::Negotiated => o.term_months(),
            _ => None,
        }
    };
    let spot_eff = f.policy.spot.as_ref().map_or(1.0, |s| {
        (1.0 - s.availability_haircut) * (1.0 - s.preemption_overhead)
    });

    // Reservations held, per (offering, period): chips and cost.
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

    // Capacity lines: known offerings, prices, costs, reservations.
    let mut chips_at: HashMap<(String, usize), f64> = HashMap::new();
    let mut cost_at: HashMap<(String, usize), f64> = HashMap::new();
    let mut objective = 0.0;
    for line in &plan.capacity {
        let what = format!("capacity {} {}", line.offering, line.period);
        let (Some(o), Some(&p)) = (
            cat.offering(&line.offering),
            index_of.get(line.period.as_str()),
        ) else {
            r.check(false, what, || "unknown offering or period".to_string());
            continue;
        };
        r.check(
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
        r.check(holdable.is_ok(), what.clone(), || {
            holdable
                .err()
                .map_or_else(String::new, |why| format!("the offering {}", why.message()))
        });
        let (res_chips, res_cost) = held.get(&(o.id.clone(), p)).copied().unwrap_or((0.0, 0.0));
        r.check(same(line.reserved_chips, res_chips), what.clone(), || {
            format!(
                "reserved chips {} but the scenario's reservations hold {res_chips}",
                line.reserved_chips
            )
        });
        r.check(le(res_chips, line.chips), what.clone(), || {
            "fewer chips than already reserved".to_string()
        });
        let bought = (line.chips - res_chips).max(0.0);
        let unit = price(o, p);
        r.check(same(line.usd_per_chip_hour, unit), what.clone(), || {
            format!(
                "price {} per chip-hour, but the catalog and commitments give {unit}",
                line.usd_per_chip_hour
            )
        });
        let cost = bought * unit * hours(p) + res_cost;
        r.check(same(line.cost_usd, cost), what.clone(), || {
            format!("cost {} but recomputed {cost}", line.cost_usd)
        });
        *chips_at.entry((o.id.clone(), p)).or_default() += line.chips;
        *cost_at.entry((o.id.clone(), p)).or_default() += cost;
        if term_months(o).is_none() {
            objective += bought * unit * hours(p) * discount(mid(p));
        }
    }
    // Reservations must appear even if the plan left them out.
    for ((id, p), (chips, cost)) in &held {
        if *chips > 0.0 && !chips_at.contains_key(&(id.clone(), *p)) {
            r.check(false, format!("capacity {id} {}", labels[*p]), || {
                "a reservation is missing from the plan".to_string()
            });
        }
        objective += cost * discount(mid(*p));
    }

    // Term cohorts: held chips equal the active cohorts; each cohort pays its whole term.
    let mut cohort_chips: HashMap<(String, usize), f64> = HashMap::new();
    for c in &plan.cohorts {
        let what = format!("cohort {} from {}", c.offering, c.start);
        let (Some(o), Some(&t)) = (cat.offering(&c.offering), index_of.get(c.start.as_str()))
        else {
            r.check(false, what, || "unknown offering or period".to_string());
            continue;
        };
        let Some(term) = term_months(o) else {
            r.check(false, what, || {
                "the offering is not bought by term".to_string()
            });
            continue;
        };
        r.check(c.term_months == term, what.clone(), || {
            format!("term {} months, the catalog says {term}", c.term_months)
        });
        // A negative cohort would cancel part of a term commitment and its cost.
        r.check(c.chips >= 0.0, what.clone(), || {
            format!("{} chips: a commitment cannot be negative", c.chips)
        });
        let term_periods = term.div_ceil(pm) as usize;
        for p in t..(t + term_periods).min(periods.len()) {
            *cohort_chips.entry((o.id.clone(), p)).or_default() += c.chips;
        }
        for k in 0..i64::from(term) {
            let month = t as i64 * i64::from(pm) + k;
            let p = ((month / i64::from(pm)) as usize).min(periods.len() - 1);
            objective += c.chips * price(o, p) * HOURS * discount(month as f64 + 0.5);
        }
    }
    for o in cat.offerings().iter().filter(|o| term_months(o).is_some()) {
        for (p, label) in labels.iter().enumerate() {
            let held_chips = chips_at.get(&(o.id.clone(), p)).copied().unwrap_or(0.0)
                - held.get(&(o.id.clone(), p)).map_or(0.0, |h| h.0);
            let cohorts = cohort_chips.get(&(o.id.clone(), p)).copied().unwrap_or(0.0);
            r.check(
                same(held_chips.max(0.0), cohorts) || (held_chips - cohorts).abs() < 1e-3,
                format!("cohorts {} {label}", o.id),
                || format!("{held_chips} chips held but active cohorts give {cohorts}"),
            );
        }
    }

    // Supply covers use, per provider, chip, spot and period.
    let mut supply: HashMap<(String, String, bool, usize), f64> = HashMap::new();
    for ((id, p), chips) in &chips_at {
        if let Some(o) = cat.offering(id) {
            let spot = o.price_model == PriceModel::Spot;
            let eff = if spot { spot_eff } else { 1.0 };
            *supply
                .entry((o.provider.clone(), o.chip.clone(), spot, *p))
                .or_default() += chips * eff;
        }
    }
    let mut used: HashMap<(String, String, usize), f64> = HashMap::new();
    let cal = calibration();
    let overrides: BTreeMap<String, f64> = f
        .performance
        .maturity
        .iter()
        .filter_map(|(k, v)| cat.accelerator(k).map(|a| (a.id.clone(), *v)))
        .collect();
    let allowed = |workload: &str, provider: &str, p: usize| -> bool {
        let per = &periods[p];
        f.exclusivity.iter().all(|e| {
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
    };
    let period_of =
        |m: Month| ((set.start.months_until(m).max(0) as u32 / pm) as usize).min(periods.len() - 1);

    // Training runs.
    for t in &f.training {
        let what = format!("training {}", t.name);
        let Some(line) = plan.training.iter().find(|x| x.name == t.name) else {
            r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        let (Some(chip), Some(arch)) = (cat.accelerator(&line.chip), arch_of(&t.model)) else {
            r.check(false, what, || {
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
        r.check(chips_ok && providers_ok, what.clone(), || {
            format!("{}/{} is not allowed", line.provider, line.chip)
        });
        let first = period_of(t.earliest_start.unwrap_or(set.start));
        let last = period_of(t.deadline.unwrap_or(set.last_month()));
        let fit =
            allot_perf::min_chips(&arch, TrainKind::Full, chip).map_or(f64::INFINITY, f64::from);
        let lo = fit.max(f64::from(t.min_chips.unwrap_or(1)));
        let hi = t.max_chips.map_or(f64::INFINITY, f64::from);
        let maturity = allot_perf::maturity(chip, &overrides);
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
            let Some(&p) = index_of.get(label.as_str()) else {
                r.check(false, what.clone(), || format!("unknown period {label}"));
                continue;
            };
            if *chips > 0.0 {
                largest = largest.max(*chips);
                chip_hours += chips * hours(p);
                span = Some(span.map_or((p, p), |(a, b)| (a.min(p), b.max(p))));
            }
            let at = format!("{what} {label}");
            r.check(p >= first && p <= last, at.clone(), || {
                "outside the run's window".to_string()
            });
            r.check(allowed(&t.name, &line.provider, p), at.clone(), || {
                "violates an exclusivity".to_string()
            });
            r.check(le(lo, *chips) && le(*chips, hi), at.clone(), || {
                format!("{chips} chips, outside [{lo}, {hi}]")
            });
            // Each period's work at the performance model's rate for that period's cluster,
            // in whole chips (rounded up, less rounding noise: never optimistic).
            if *chips > 0.0 {
                trained += chips * hours(p) * 3600.0 * rate_at(whole_chips(*chips));
            }
            *used
                .entry((line.provider.clone(), chip.id.clone(), p))
                .or_default() += chips;
        }
        r.check(le(t.tokens, trained), what.clone(), || {
            format!("trains {trained:.4e} of {:.4e} tokens", t.tokens)
        });
        r.check(same(line.chips, largest), what.clone(), || {
            format!(
                "largest cluster {} but its periods give {largest}",
                line.chips
            )
        });
        r.check(same(line.chip_hours, chip_hours), what.clone(), || {
            format!(
                "{} chip-hours but its periods give {chip_hours}",
                line.chip_hours
            )
        });
        let (start, finish) = span.map_or((String::new(), String::new()), |(a, b)| {
            (labels[a].clone(), labels[b].clone())
        });
        r.check(line.start == start && line.finish == finish, what, || {
            format!(
                "runs {}..{} but its periods with chips run {start}..{finish}",
                line.start, line.finish
            )
        });
    }
    check_names(
        &mut r,
        "training",
        plan.training.iter().map(|l| l.name.as_str()),
        |n| f.training.iter().any(|t| t.name == n),
    );

    // Inference demands.
    for d in &f.inference {
        let what = format!("inference {}", d.name);
        let Some(line) = plan.inference.iter().find(|x| x.name == d.name) else {
            r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        let Some(arch) = arch_of(&d.model) else {
            continue;
        };
        let monthly = d
            .requests_per_day
            .monthly(set.start, set.horizon_months, pm);
        let per_request = f64::from(d.input_tokens) + f64::from(d.output_tokens);
        let first = d.start.unwrap_or(set.start);
        let lastm = d.end.unwrap_or(set.last_month());
        let latency = d.min_tokens_per_s_per_user.or(match d.latency {
            allot_scenario::LatencyClass::Interactive => {
                LatencyClass::Interactive.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Standard => {
                LatencyClass::Standard.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Batch => None,
        });
        let mut served = vec![0.0; periods.len()];
        // Tokens and chip-hours per (provider, chip), for the serving mix.
        let mut by_pool: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for c in &line.chips_by_period {
            let at = format!("{what} {}/{} {}", c.provider, c.chip, c.period);
            let (Some(chip), Some(&p)) =
                (cat.accelerator(&c.chip), index_of.get(c.period.as_str()))
            else {
                r.check(false, at, || "unknown chip or period".to_string());
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
            r.check(chips_ok && providers_ok, at.clone(), || {
                "provider or chip not allowed".to_string()
            });
            r.check(allowed(&d.name, &c.provider, p), at.clone(), || {
                "violates an exclusivity".to_string()
            });
            // Negative serving would free another demand's chips on paper.
            r.check(c.chips >= 0.0, at.clone(), || {
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
                maturity: allot_perf::maturity(chip, &overrides),
            };
            let e = allot_perf::estimate_serve(chip, &req, cal);
            r.check(e.fits && e.meets_latency, at, || {
                "the model does not fit or meet its latency on this chip".to_string()
            });
            let tokens = c.chips * hours(p) / e.chip_hours_per_million_tokens * 1e6;
            served[p] += tokens;
            let pool = by_pool
                .entry((c.provider.clone(), chip.id.clone()))
                .or_default();
            pool.0 += tokens;
            pool.1 += c.chips * hours(p);
            *used
                .entry((c.provider.clone(), chip.id.clone(), p))
                .or_default() += c.chips;
        }
        let mut demanded = 0.0;
        for (p, per) in periods.iter().enumerate() {
            let need: f64 = (0..per.months)
                .map(|k| {
                    let month = per.start.plus(i64::from(k));
                    if month < first || month > lastm {
                        0.0
                    } else {
                        monthly[(p as u32 * pm + k) as usize]
                    }
                })
                .sum::<f64>()
                * DAYS
                * per_request;
            r.check(le(need, served[p]), format!("{what} {}", labels[p]), || {
                format!("serves {:.4e} of {need:.4e} tokens", served[p])
            });
            demanded += need;
        }
        r.check(same(line.tokens, demanded), what.clone(), || {
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
            r.check(
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
        &mut r,
        "inference",
        plan.inference.iter().map(|l| l.name.as_str()),
        |n| f.inference.iter().any(|d| d.name == n),
    );
    for ((provider, chip, p), use_) in &used {
        let have = supply
            .get(&(provider.clone(), chip.clone(), false, *p))
            .copied()
            .unwrap_or(0.0)
            + supply
                .get(&(provider.clone(), chip.clone(), true, *p))
                .copied()
                .unwrap_or(0.0);
        r.check(
            le(*use_, have),
            format!("supply {provider}/{chip} {}", labels[*p]),
            || format!("{use_} chips used but {have} provisioned"),
        );
    }

    // Delivery ramps.
    for (i, a) in f.availability.iter().enumerate() {
        let monthly = a.chips.monthly(set.start, set.horizon_months, pm);
        for (p, per) in periods.iter().enumerate() {
            let start = p * pm as usize;
            let avail = monthly[start..start + per.months as usize]
                .iter()
                .sum::<f64>()
                / f64::from(per.months);
            let in_use: f64 = chips_at
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
            r.check(
                le(in_use, avail),
                format!("availability[{i}] {}", labels[p]),
                || format!("{in_use} chips but {avail} available"),
            );
        }
    }

    // Costs by period, provider, vendor, chip, year; power; budgets; shares.
    let mut by_period = vec![0.0; periods.len()];
    let mut by_provider: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_vendor: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_chip: BTreeMap<String, f64> = BTreeMap::new();
    let mut power = vec![0.0; periods.len()];
    for ((id, p), cost) in &cost_at {
        let Some(o) = cat.offering(id) else { continue };
        let vendor = cat.vendor_of(o).unwrap_or("").to_string();
        by_period[*p] += cost;
        *by_provider.entry(o.provider.clone()).or_default() += cost;
        *by_vendor.entry(vendor).or_default() += cost;
        *by_chip.entry(o.chip.clone()).or_default() += cost;
        let tdp = cat
            .accelerator(&o.chip)
            .and_then(|a| a.tdp_w)
            .unwrap_or(1000.0);
        power[*p] += chips_at[&(id.clone(), *p)] * tdp;
    }
    let compute = by_period.clone();
    // Shares are of compute spend: before shortfalls are added to the providers.
    let compute_total: f64 = compute.iter().sum();
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
    let (vendor_share, provider_share) = (share_of(&by_vendor), share_of(&by_provider));
    if let Some(pw) = &f.policy.power {
        let monthly = pw.cap_mw.monthly(set.start, set.horizon_months, pm);
        for (p, per) in periods.iter().enumerate() {
            let start = p * pm as usize;
            let cap = monthly[start..start + per.months as usize]
                .iter()
                .sum::<f64>()
                / f64::from(per.months);
            let mw = power[p] * pw.pue / 1e6;
            r.check(le(mw, cap), format!("power {}", labels[p]), || {
                format!("{mw:.1} MW over the cap of {cap:.1} MW")
            });
        }
    }
    for b in &f.policy.budget {
        let spent: f64 = (0..periods.len())
            .filter(|&p| periods[p].start.year() == b.year)
            .map(|p| compute[p])
            .sum();
        r.check(le(spent, b.max_usd), format!("budget {}", b.year), || {
            format!("spends {spent:.4e} of {:.4e}", b.max_usd)
        });
    }
    let share_check = |r: &mut Report,
                       label: String,
                       member: &dyn Fn(&Offering) -> bool,
                       share: f64,
                       basis: ShareBasis,
                       start: Option<Month>,
                       end: Option<Month>| {
        let mut years: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
        for ((id, p), cost) in &cost_at {
            let per = &periods[*p];
            let inside = start.is_none_or(|s| per.start.plus(i64::from(per.months) - 1) >= s)
                && end.is_none_or(|e| per.start <= e);
            let Some(o) = cat.offering(id) else { continue };
            if !inside {
                continue;
            }
            let amount = match basis {
                ShareBasis::Spend => *cost,
                ShareBasis::Chips => chips_at[&(id.clone(), *p)],
            };
            let e = years.entry(per.start.year()).or_default();
            e.1 += amount;
            if member(o) {
                e.0 += amount;
            }
        }
        for (y, (part, all)) in years {
            r.check(le(part, share * all), format!("{label} {y}"), || {
                format!("share {:.4} above the cap {share}", part / all.max(1e-300))
            });
        }
    };
    for c in &f.policy.vendor_cap {
        let v = c.vendor.trim().to_lowercase();
        share_check(
            &mut r,
            format!("vendor cap {v}"),
            &|o| cat.vendor_of(o) == Some(v.as_str()),
            c.max_share,
            c.basis,
            c.start,
            c.end,
        );
    }
    for c in &f.policy.provider_cap {
        let v = cat
            .provider(&c.provider)
            .map(|x| x.id.clone())
            .unwrap_or_default();
        share_check(
            &mut r,
            format!("provider cap {v}"),
            &|o| o.provider == v,
            c.max_share,
            c.basis,
            c.start,
            c.end,
        );
    }

    // Commitments.
    for c in &f.commitment {
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
        let inside = months_overlap(
            c.start,
            i64::from(c.term_months),
            set.start,
            i64::from(set.horizon_months),
        );
        let owed = c.total_usd * inside / f64::from(c.term_months);
        // Months of the term in each period, and the spend counted toward it there.
        let months_in: Vec<f64> = periods
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
        let last = months_in.iter().rposition(|k| *k > 0.0).unwrap_or(0);
        let mut spend_in = vec![0.0; periods.len()];
        for ((id, p), cost) in &cost_at {
            let Some(o) = cat.offering(id) else { continue };
            if o.provider != provider || !(scope.is_empty() || scope.contains(&o.chip)) {
                continue;
            }
            spend_in[*p] += cost * months_in[*p] / f64::from(periods[*p].months);
        }
        let spend: f64 = spend_in.iter().sum();
        let Some(line) = plan.commitments.iter().find(|x| x.name == c.name) else {
            r.check(false, what, || "missing from the plan".to_string());
            continue;
        };
        r.check(line.provider == provider, what.clone(), || {
            format!(
                "provider {} but the scenario's is {provider}",
                line.provider
            )
        });
        r.check(same(line.obligation_usd, owed), what.clone(), || {
            format!("obligation {} but recomputed {owed}", line.obligation_usd)
        });
        r.check(same(line.spend_usd, spend), what.clone(), || {
            format!("spend {} but recomputed {spend}", line.spend_usd)
        });
        let utilisation = if owed > 0.0 { spend / owed } else { 0.0 };
        r.check(same(line.utilisation, utilisation), what.clone(), || {
            format!(
                "utilisation {} but recomputed {utilisation}",
                line.utilisation
            )
        });
        // What is paid beyond the spend, by period: the plan's own split when it gives one.
        let paid: Vec<f64> = if line.shortfall_by_period_usd.len() == periods.len() {
            line.shortfall_by_period_usd.clone()
        } else {
            let mut v = vec![0.0; periods.len()];
            v[last] = line.shortfall_usd;
            v
        };
        // A negative payment would be a refund that moves cost to later, cheaper periods.
        r.check(paid.iter().all(|v| *v >= 0.0), what.clone(), || {
            "a shortfall payment is negative".to_string()
        });
        let total_paid: f64 = paid.iter().sum();
        r.check(same(total_paid, line.shortfall_usd), what.clone(), || {
            format!(
                "shortfall {} but its periods sum to {total_paid}",
                line.shortfall_usd
            )
        });
        if c.payment == allot_scenario::PaymentTerms::MonthlyMinimum && inside > 0.0 {
            // At least total / term months for each month of the term, period by period.
            let per_month = c.total_usd / f64::from(c.term_months);
            for (p, k) in months_in.iter().enumerate() {
                if *k <= 0.0 {
                    continue;
                }
                let needed = (per_month * k - spend_in[p]).max(0.0);
                r.check(
                    le(needed, paid[p]),
                    format!("{what} minimum {}", labels[p]),
                    || format!("top-up {} but at least {needed} is owed", paid[p]),
                );
            }
        } else {
            let needed = if c.take_or_pay && inside > 0.0 {
                (owed - spend).max(0.0)
            } else {
                0.0
            };
            r.check(le(needed, line.shortfall_usd), what.clone(), || {
                format!(
                    "shortfall {} but at least {needed} is owed",
                    line.shortfall_usd
                )
            });
        }
        for (p, v) in paid.iter().enumerate() {
            if *v > 0.0 {
                by_period[p] += v;
                *by_provider.entry(provider.clone()).or_default() += v;
                objective += v * discount(mid(p));
            }
        }
    }

    check_names(
        &mut r,
        "commitment",
        plan.commitments.iter().map(|l| l.name.as_str()),
        |n| f.commitment.iter().any(|c| c.name == n),
    );

    // Reported totals.
    for (p, cost) in by_period.iter().enumerate() {
        let reported = plan.cost_by_period.get(p).copied().unwrap_or(f64::NAN);
        r.check(same(reported, *cost), format!("cost {}", labels[p]), || {
            format!("reported {reported} but recomputed {cost}")
        });
    }
    // The cash floor: the running balance, with compute paid as the plan times it.
    if let Some(fin) = &f.finance {
        if let Some(floor) = fin.cash_floor_usd {
            let series = |x: &Option<allot_scenario::Series>| match x {
                Some(x) => x.monthly(set.start, set.horizon_months, 1),
                None => vec![0.0; set.horizon_months as usize],
            };
            let (revenue, opex) = (
                series(&fin.revenue_usd_per_month),
                series(&fin.other_opex_usd_per_month),
            );
            let mut cash = fin.starting_cash_usd;
            for (p, per) in periods.iter().enumerate() {
                let first = (per.start.index() - set.start.index()) as usize;
                let months = first..(first + per.months as usize).min(revenue.len());
                let inflow: f64 = months.clone().map(|k| revenue[k] - opex[k]).sum::<f64>()
                    + fin
                        .funding
                        .iter()
                        .filter(|e| {
                            let k = e.month.index();
                            k >= per.start.index() && k < per.start.index() + i64::from(per.months)
                        })
                        .map(|e| e.usd)
                        .sum::<f64>();
                cash += inflow - by_period[p];
                r.check(le(floor, cash), format!("cash floor {}", labels[p]), || {
                    format!("cash {cash:.4e} below the floor {floor:.4e}")
                });
            }
        }
    }
    let total: f64 = by_period.iter().sum();
    r.check(same(plan.total_cost_usd, total), "total cost", || {
        format!("reported {} but recomputed {total}", plan.total_cost_usd)
    });
    let mut by_year: BTreeMap<String, f64> = BTreeMap::new();
    for (p, cost) in by_period.iter().enumerate() {
        *by_year
            .entry(periods[p].start.year().to_string())
            .or_default() += cost;
    }
    // Every key either side: a cost or share reported for something that has none is wrong too.
    for (name, reported, recomputed) in [
        ("cost by provider", &plan.cost_by_provider, &by_provider),
        ("cost by vendor", &plan.cost_by_vendor, &by_vendor),
        ("cost by chip", &plan.cost_by_chip, &by_chip),
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
    r.check(same(plan.objective_usd, objective), "objective", || {
        format!("reported {} but recomputed {objective}", plan.objective_usd)
    });
    r
}
