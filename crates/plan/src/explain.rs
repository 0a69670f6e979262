//! What binds and what it costs: the duals of the plan's LP (at its integral choices) turned
//! into sentences in the scenario's terms: ramps, caps, commitments, budgets, power, runs and
//! demands, with months and dollars.
//!
//! A dual is the rate at which the discounted cost changes as a constraint's limit moves. The
//! model is in scaled units (`build::CHIP_UNIT`, `MONEY_UNIT`, `TOKEN_UNIT`); every price here
//! is converted back to USD per chip, per share point, per MW, per USD or per billion tokens.
//! Degenerate LPs have more than one valid dual: each is reported as *a* shadow price.

use std::collections::BTreeMap;

use allot_scenario::Scenario;

use crate::build::{Built, CHIP_UNIT, MONEY_UNIT, TOKEN_UNIT, Tag};
use crate::plan::{Binding, Plan};
use crate::prep::{Prepared, overlap};

/// Duals smaller than this (model units) are taken as zero.
const ZERO: f64 = 1e-9;

/// Bindings whose effect is below this fraction of the plan's discounted cost are left out.
const MIN_EFFECT: f64 = 1e-6;

/// The binding constraints of a plan, largest effect first.
///
/// `row_duals` are the duals of the LP at the plan's integral choices (one per model row);
/// `values` the plan's column values.
pub fn bindings(
    scenario: &Scenario,
    prep: &Prepared,
    built: &Built,
    plan: &Plan,
    values: &[f64],
    row_duals: &[f64],
) -> Vec<Binding> {
    bindings_ranged(scenario, prep, built, plan, values, row_duals, &[])
}

/// [`bindings`], with each row's range `[down, up]` of its bound over which its dual holds
/// (from HiGHS's ranging; empty when not computed), told in the constraint's own terms.
pub fn bindings_ranged(
    scenario: &Scenario,
    prep: &Prepared,
    built: &Built,
    plan: &Plan,
    values: &[f64],
    row_duals: &[f64],
    row_ranges: &[(f64, f64)],
) -> Vec<Binding> {
    if row_duals.len() != built.model.rows.len() {
        return Vec::new();
    }
    let f = &scenario.file;
    let label = |p: usize| prep.periods[p].label.clone();
    // The range of a row's limit, in the limit's own terms: `limit` is its value in the
    // scenario and `scale` converts model units to those terms.
    let range = |row: crate::lp::Row, limit: f64, scale: f64| -> (Option<f64>, Option<f64>) {
        let (Some(&(down, up)), Some(def)) = (row_ranges.get(row.0), built.model.rows.get(row.0))
        else {
            return (None, None);
        };
        let rhs = if def.hi.is_finite() { def.hi } else { def.lo };
        let at = |v: f64| (v.is_finite() && v.abs() < 1e20).then_some(limit + (v - rhs) * scale);
        (at(down), at(up))
    };
    let mut out = Vec::new();
    // Per-period constraints are gathered per subject, then told as one binding each.
    let mut ramps: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    let mut ramp_rows: BTreeMap<(usize, usize), crate::lp::Row> = BTreeMap::new();
    let mut power: Vec<(usize, f64)> = Vec::new();
    let mut power_rows: BTreeMap<usize, crate::lp::Row> = BTreeMap::new();
    let mut cash: Vec<(usize, f64)> = Vec::new();
    let mut serve: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    let mut minimums: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    for (row, tag) in &built.tags {
        let y = row_duals[row.0];
        if y.abs() <= ZERO {
            continue;
        }
        match tag {
            Tag::Availability { index, period } => {
                ramps.entry(*index).or_default().push((*period, y.abs()));
                ramp_rows.insert((*index, *period), *row);
            }
            Tag::Power { period } => {
                power.push((*period, y.abs()));
                power_rows.insert(*period, *row);
            }
            Tag::Cash { period } => cash.push((*period, y.abs())),
            Tag::Serve { demand, period } => {
                serve.entry(*demand).or_default().push((*period, y.abs()));
            }
            Tag::Budget { year } => {
                let per_usd = y.abs();
                let limit = f
                    .policy
                    .budget
                    .iter()
                    .find(|b| b.year == *year)
                    .map_or(0.0, |b| b.max_usd);
                let (holds_from, holds_to) = range(*row, limit, MONEY_UNIT);
                out.push(Binding {
                    holds_from,
                    holds_to,
                    kind: "budget".into(),
                    subject: format!("compute budget {year}"),
                    period: Some(year.to_string()),
                    shadow_price_usd: per_usd,
                    unit: "USD".into(),
                    effect_usd: per_usd * 1e9,
                    message: format!(
                        "The {year} compute budget binds: each extra $1 of budget would save ${per_usd:.2} (discounted), ${} per extra $1B.",
                        usd(per_usd * 1e9)
                    ),
                });
            }
            Tag::Commitment {
                index,
                period: Some(period),
            } => minimums.entry(*index).or_default().push((*period, y.abs())),
            Tag::Commitment {
                index,
                period: None,
            } => {
                let c = &f.commitment[*index];
                let line = plan.commitments.iter().find(|l| l.name == c.name);
                let shortfall = line.map_or(0.0, |l| l.shortfall_usd);
                let per_usd = y.abs();
                let (effect, message) = if shortfall > 1.0 {
                    (
                        per_usd * shortfall,
                        format!(
                            "The {} commitment with {} is {:.0}% used: ${} of take-or-pay shortfall is paid for capacity never used (${} discounted); each $1 less committed would save ${per_usd:.2}.",
                            c.name,
                            c.provider,
                            line.map_or(0.0, |l| l.utilisation * 100.0),
                            usd(shortfall),
                            usd(per_usd * shortfall)
                        ),
                    )
                } else {
                    spent_exactly(c, per_usd, "")
                };
                let owed = line.map_or(0.0, |l| l.obligation_usd);
                let (holds_from, holds_to) = range(*row, owed, MONEY_UNIT);
                out.push(Binding {
                    holds_from,
                    holds_to,
                    kind: "commitment".into(),
                    subject: c.name.clone(),
                    period: None,
                    shadow_price_usd: per_usd,
                    unit: "USD".into(),
                    effect_usd: effect,
                    message,
                });
            }
            Tag::Share {
                kind,
                who,
                year,
                share,
                in_use,
                basis,
                total,
            } => {
                let t: f64 = total.0.iter().map(|(c, w)| w * values[c.0]).sum::<f64>() + total.1;
                let per_point = y.abs() * 0.01 * t * MONEY_UNIT;
                let of = crate::build::share_of(*basis, *in_use);
                out.push(Binding {
                    holds_from: None,
            holds_to: None,
            kind: format!("{kind}_cap"),
                    subject: who.clone(),
                    period: Some(year.to_string()),
                    shadow_price_usd: per_point,
                    unit: "share point".into(),
                    effect_usd: per_point,
                    message: format!(
                        "The {:.0}% cap on {who}'s share{of} in {year} binds: each extra point of share would save ${} (discounted).",
                        share * 100.0,
                        usd(per_point)
                    ),
                });
            }
            Tag::Work { run, option } => {
                // Only the chosen option's work binds for real; the others are empty rows
                // whose duals are degenerate noise.
                if values[built.train_choice[*run][*option].0] < 0.5 {
                    continue;
                }
                let work = &prep.training[*run];
                let pool = &prep.pools[work.options[*option].pool];
                let per_billion = y.abs() * MONEY_UNIT;
                let effect = per_billion * 0.01 * work.tokens / TOKEN_UNIT;
                out.push(Binding {
                    holds_from: None,
            holds_to: None,
            kind: "training_work".into(),
                    subject: work.name.clone(),
                    period: None,
                    shadow_price_usd: per_billion,
                    unit: "billion tokens".into(),
                    effect_usd: effect,
                    message: format!(
                        "Training {} on {}/{}: each billion more tokens would cost ${} (discounted); 1% more data would cost ${}.",
                        work.name,
                        pool.provider,
                        pool.chip,
                        usd(per_billion),
                        usd(effect)
                    ),
                });
            }
        }
    }
    for (index, periods) in ramps {
        let a = &f.availability[index];
        let what = ramp_subject(a);
        let per_chip: Vec<(usize, f64)> = periods
            .iter()
            .map(|&(p, y)| (p, y * MONEY_UNIT / CHIP_UNIT))
            .collect();
        let effect: f64 = per_chip.iter().map(|(_, v)| v * 1000.0).sum();
        let (best_p, best) = peak(&per_chip);
        let span = span(&per_chip, &label);
        let (holds_from, holds_to) = match ramp_rows.get(&(index, best_p)) {
            Some(row) => {
                let limit = built.model.rows[row.0].hi * CHIP_UNIT;
                range(*row, limit, CHIP_UNIT)
            }
            None => (None, None),
        };
        out.push(Binding {
            holds_from,
            holds_to,
            kind: "availability".into(),
            subject: what.clone(),
            period: Some(span.clone()),
            shadow_price_usd: best,
            unit: "chip".into(),
            effect_usd: effect,
            message: format!(
                "The delivery ramp of {what} binds in {span} ({} periods): 1,000 more chips in each would save ${} (discounted); one more chip is worth most in {} (${}).",
                per_chip.len(),
                usd(effect),
                label(best_p),
                usd(best)
            ),
        });
    }
    if !power.is_empty() {
        let per_mw: Vec<(usize, f64)> = power.iter().map(|&(p, y)| (p, y * MONEY_UNIT)).collect();
        let effect: f64 = per_mw.iter().map(|(_, v)| v * 100.0).sum();
        let (best_p, best) = peak(&per_mw);
        let span = span(&per_mw, &label);
        let (holds_from, holds_to) = match power_rows.get(&best_p) {
            Some(row) => range(*row, built.model.rows[row.0].hi, 1.0),
            None => (None, None),
        };
        out.push(Binding {
            holds_from,
            holds_to,
            kind: "power".into(),
            subject: "power cap".into(),
            period: Some(span.clone()),
            shadow_price_usd: best,
            unit: "MW".into(),
            effect_usd: effect,
            message: format!(
                "The power cap binds in {span} ({} periods): 100 MW more in each would save ${} (discounted); one more MW is worth most in {} (${}).",
                per_mw.len(),
                usd(effect),
                label(best_p),
                usd(best)
            ),
        });
    }
    if !cash.is_empty() {
        // Per USD of cash in a period: the dual of its balance row.
        let best = cash.iter().map(|c| c.1).fold(0.0, f64::max);
        let best_p = cash.iter().find(|c| c.1 == best).map_or(0, |c| c.0);
        let span = span(&cash, &label);
        out.push(Binding {
            holds_from: None,
            holds_to: None,
            kind: "cash_floor".into(),
            subject: "cash floor".into(),
            period: Some(span.clone()),
            shadow_price_usd: best,
            unit: "USD".into(),
            effect_usd: best * 1e9,
            message: format!(
                "The cash floor binds in {span}: each extra $1 of cash (funding) would save up to ${best:.2} (discounted), most in {}; $1B more would save ${}.",
                label(best_p),
                usd(best * 1e9)
            ),
        });
    }
    for (index, periods) in minimums {
        // Each $1 less committed lowers every period's minimum by its months / term months.
        let c = &f.commitment[index];
        let line = plan.commitments.iter().find(|l| l.name == c.name);
        let topped: Vec<(usize, f64)> = line
            .map(|l| {
                l.shortfall_by_period_usd
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 1.0)
                    .map(|(p, v)| (p, *v))
                    .collect()
            })
            .unwrap_or_default();
        let months = |p: usize| {
            let per = &prep.periods[p];
            overlap(
                per.start,
                i64::from(per.months),
                c.start,
                i64::from(c.term_months),
            ) as f64
        };
        // Paid as delivered, a period's minimum is its months' share of the delivered chips.
        let delivered = (c.payment == allot_scenario::PaymentTerms::AsDelivered)
            .then(|| allot_scenario::delivery::delivered_chips(f, &scenario.catalog, c))
            .flatten();
        let share = |p: usize| match &delivered {
            Some(chips) => {
                let per = &prep.periods[p];
                let total: f64 = chips.iter().sum();
                let here: f64 = (0..i64::from(per.months))
                    .filter_map(|k| usize::try_from(c.start.months_until(per.start.plus(k))).ok())
                    .filter_map(|i| chips.get(i))
                    .sum();
                if total > 0.0 { here / total } else { 0.0 }
            }
            None => months(p) / f64::from(c.term_months.max(1)),
        };
        let what = if delivered.is_some() {
            "minimum as delivered"
        } else {
            "monthly minimum"
        };
        let per_usd: f64 = periods.iter().map(|&(p, y)| y * share(p)).sum();
        let paid: f64 = topped.iter().map(|t| t.1).sum();
        let discounted: f64 = topped
            .iter()
            .map(|&(p, v)| v * prep.periods[p].discount)
            .sum();
        let (effect, message) = if paid > 1.0 {
            (
                discounted,
                format!(
                    "The {} commitment with {} pays its {what} above use in {} of its periods ({}): ${} of top-ups for capacity not used (${} discounted); each $1 less committed would save ${per_usd:.2}.",
                    c.name,
                    c.provider,
                    topped.len(),
                    span(&topped, &label),
                    usd(paid),
                    usd(discounted)
                ),
            )
        } else {
            spent_exactly(c, per_usd, &format!(" at its {what}"))
        };
        out.push(Binding {
            holds_from: None,
            holds_to: None,
            kind: "commitment".into(),
            subject: c.name.clone(),
            period: Some(span(&periods, &label)),
            shadow_price_usd: per_usd,
            unit: "USD".into(),
            effect_usd: effect,
            message,
        });
    }
    for (demand, periods) in serve {
        let work = &prep.serving[demand];
        let tokens: f64 = periods.iter().map(|&(p, _)| work.tokens[p]).sum();
        let cost: f64 = periods
            .iter()
            .map(|&(p, y)| y * MONEY_UNIT * work.tokens[p] / TOKEN_UNIT)
            .sum();
        let per_million = if tokens > 0.0 {
            cost / tokens * 1e6
        } else {
            0.0
        };
        out.push(Binding {
            holds_from: None,
            holds_to: None,
            kind: "inference_demand".into(),
            subject: work.name.clone(),
            period: None,
            shadow_price_usd: per_million * 1e3,
            unit: "billion tokens".into(),
            effect_usd: 0.01 * cost,
            message: format!(
                "Serving {}: the next tokens cost ${per_million:.4} per million at the margin (discounted, averaged over the horizon); 1% more demand would cost ${}.",
                work.name,
                usd(0.01 * cost)
            ),
        });
    }
    for b in &mut out {
        if b.holds_from.is_none() && b.holds_to.is_none() {
            continue;
        }
        let show = |v: f64| -> String {
            match b.kind.as_str() {
                "power" => format!("{v:.0} MW"),
                "availability" => format!("{v:.0} chips"),
                _ => format!("${}", usd(v)),
            }
        };
        let what = match b.kind.as_str() {
            "budget" => "the budget",
            "commitment" => "the obligation in the horizon",
            "power" => "the cap in that period",
            _ => "the ramp in that period",
        };
        let sentence = match (b.holds_from, b.holds_to) {
            (Some(lo), Some(hi)) if (hi - lo).abs() <= 1e-6 * hi.abs().max(lo.abs()).max(1.0) => {
                format!(
                    " This is a price at the current limit only: the LP is degenerate there, and moving {what} either way gives another (HiGHS ranging)."
                )
            }
            (Some(lo), Some(hi)) => format!(
                " This price holds while {what} stays between {} and {} (HiGHS ranging).",
                show(lo),
                show(hi)
            ),
            (Some(lo), None) => format!(
                " This price holds while {what} stays at or above {} (HiGHS ranging).",
                show(lo)
            ),
            (None, Some(hi)) => format!(
                " This price holds while {what} stays at or below {} (HiGHS ranging).",
                show(hi)
            ),
            (None, None) => String::new(),
        };
        b.message.push_str(&sentence);
    }
    let floor = MIN_EFFECT * plan.objective_usd.abs();
    out.retain(|b| b.effect_usd > floor);
    out.sort_by(|a, b| {
        b.effect_usd
            .total_cmp(&a.effect_usd)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

/// The period with the largest value (the last of equals).
fn peak(periods: &[(usize, f64)]) -> (usize, f64) {
    periods
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0))
}

/// What a delivery ramp is of: its offering, or `provider/chip`.
pub(crate) fn ramp_subject(a: &allot_scenario::Availability) -> String {
    a.offering.clone().unwrap_or_else(|| {
        format!(
            "{}/{}",
            a.provider.as_deref().unwrap_or("?"),
            a.chip.as_deref().unwrap_or("?")
        )
    })
}

/// `2027-03..2028-06` (first and last periods of a list).
pub(crate) fn span(periods: &[(usize, f64)], label: &dyn Fn(usize) -> String) -> String {
    let first = periods.iter().map(|p| p.0).min().unwrap_or(0);
    let last = periods.iter().map(|p| p.0).max().unwrap_or(0);
    if first == last {
        label(first)
    } else {
        format!("{}..{}", label(first), label(last))
    }
}

/// The effect (1% of the commitment) and sentence of a commitment spent exactly (`how`: where,
/// e.g. " at its monthly minimum"), at `per_usd` per dollar less committed.
fn spent_exactly(c: &allot_scenario::Commitment, per_usd: f64, how: &str) -> (f64, String) {
    let effect = per_usd * 0.01 * c.total_usd;
    (
        effect,
        format!(
            "The {} commitment with {} is spent exactly{how}: each $1 less committed would save ${per_usd:.2} (discounted), ${} per 1% of the ${} commitment.",
            c.name,
            c.provider,
            usd(effect),
            usd(c.total_usd)
        ),
    )
}

/// A dollar amount in words a CFO reads: `1.23B`, `45.6M`, `789K`, `12.34`.
pub fn usd(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}K", v / 1e3)
    } else {
        format!("{v:.2}")
    }
}
