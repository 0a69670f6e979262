//! Two plans side by side — a base plan and a changed one — in the scenario's own terms: costs,
//! vendor shares, where each training run went, serving mixes and take-or-pay shortfalls; the
//! amounts that make up the cost difference, and what else moved.

use std::collections::{BTreeMap, BTreeSet};

use allot_plan_format::Plan;
use serde::Serialize;

use crate::number::{money, num, pct, signed_money};
use crate::table::{Align, Table};

/// One part of the cost difference, or a constraint that binds harder.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// `workload` (the one asked about), `provider`, `timing` or `constraint`.
    pub kind: &'static str,
    /// Undiscounted USD this part adds (negative: saves); for a constraint, the discounted
    /// USD a natural step of relaxation would save, as the planner reports it.
    pub amount_usd: f64,
    /// The sentence.
    pub message: String,
}

/// Differences smaller than this are noise: a thousandth of a percent of the base plan's cost.
fn small(base: &Plan) -> f64 {
    (base.total_cost_usd.abs() * 1e-5).max(1.0)
}

/// Compute spend by provider: cost minus take-or-pay shortfalls, which are attributed to the
/// commitment's provider.
fn compute_spend_by_provider(plan: &Plan) -> BTreeMap<String, f64> {
    let mut out = plan.cost_by_provider.clone();
    for c in &plan.commitments {
        *out.entry(c.provider.clone()).or_default() -= c.shortfall_usd;
    }
    out
}

/// Where a workload runs in a plan: `(provider/chip, chip-hours, USD paid per chip-hour
/// there, on average over the periods it uses)`.
fn placements(plan: &Plan, name: &str) -> Vec<(String, f64, Option<f64>)> {
    let price = |provider: &str, chip: &str, periods: &BTreeSet<&str>| {
        let (mut usd, mut chips) = (0.0, 0.0);
        for c in &plan.capacity {
            if c.provider == provider && c.chip == chip && periods.contains(c.period.as_str()) {
                usd += c.usd_per_chip_hour * c.chips;
                chips += c.chips;
            }
        }
        (chips > 0.0).then(|| usd / chips)
    };
    if let Some(t) = plan.training.iter().find(|t| t.name == name) {
        if t.provider.is_empty() {
            return Vec::new();
        }
        let periods = t
            .chips_by_period
            .iter()
            .filter(|(_, c)| **c > 0.0)
            .map(|(p, _)| p.as_str())
            .collect();
        return vec![(
            format!("{}/{}", t.provider, t.chip),
            t.chip_hours,
            price(&t.provider, &t.chip, &periods),
        )];
    }
    let Some(d) = plan.inference.iter().find(|d| d.name == name) else {
        return Vec::new();
    };
    d.mix
        .iter()
        .filter(|m| m.chip_hours > 0.0)
        .map(|m| {
            let periods = d
                .chips_by_period
                .iter()
                .filter(|c| c.provider == m.provider && c.chip == m.chip && c.chips > 0.0)
                .map(|c| c.period.as_str())
                .collect();
            (
                format!("{}/{}", m.provider, m.chip),
                m.chip_hours,
                price(&m.provider, &m.chip, &periods),
            )
        })
        .collect()
}

fn placement_text(p: &[(String, f64, Option<f64>)]) -> String {
    let parts: Vec<String> = p
        .iter()
        .take(3)
        .map(|(place, hours, price)| match price {
            Some(usd) => format!("{hours:.3e} chip-hours on {place} at ${usd:.2}/chip-hour"),
            None => format!("{hours:.3e} chip-hours on {place}"),
        })
        .collect();
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    }
}

/// What a question is about, beyond the change itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    /// The workload forced.
    pub workload: Option<&'a str>,
    /// A constraint imposed: its binding kind (`vendor_cap`, `provider_cap`) and subject.
    pub constraint: Option<(&'a str, &'a str)>,
}

/// The amounts that make up the cost difference. First the focus workload's own compute (when
/// the question is about one workload); then, largest first, each provider's change in what is
/// paid to it — compute spend and take-or-pay shortfall, which offset each other where a
/// commitment is not used up — and the part of the discounted difference that comes from when
/// money is paid; then the constraints that bind harder in the changed plan (when the plans
/// carry explanations).
pub fn reasons(base: &Plan, changed: &Plan, about: &About<'_>) -> Vec<Reason> {
    let focus = about.workload;
    let small = small(base);
    let mut out = Vec::new();
    if let Some(name) = focus {
        let (b, c) = (placements(base, name), placements(changed, name));
        let cost = |p: &[(String, f64, Option<f64>)]| -> f64 {
            p.iter().map(|(_, h, usd)| h * usd.unwrap_or(0.0)).sum()
        };
        let d = cost(&c) - cost(&b);
        if b != c {
            out.push(Reason {
                kind: "workload",
                amount_usd: d,
                message: format!(
                    "{name} uses {} instead of {} ({} of compute)",
                    placement_text(&c),
                    placement_text(&b),
                    signed_money(d)
                ),
            });
        }
    }
    let mut rest = Vec::new();
    let (spend_b, spend_c) = (
        compute_spend_by_provider(base),
        compute_spend_by_provider(changed),
    );
    let get = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(0.0);
    for p in keys(&spend_b, &spend_c) {
        let compute = get(&spend_c, &p) - get(&spend_b, &p);
        let mut shortfall = 0.0;
        let mut names = Vec::new();
        for c in changed.commitments.iter().filter(|c| c.provider == p) {
            let before = base
                .commitments
                .iter()
                .find(|b| b.name == c.name)
                .map_or(0.0, |b| b.shortfall_usd);
            let d = c.shortfall_usd - before;
            shortfall += d;
            if d.abs() >= small {
                names.push(format!("{} {}", c.name, signed_money(d)));
            }
        }
        if compute.abs() < small && shortfall.abs() < small {
            continue;
        }
        let net = compute + shortfall;
        let message = if shortfall.abs() < small {
            format!("{p}: {} of compute spend", signed_money(compute))
        } else if net.abs() < small {
            format!(
                "{p}: {} of compute spend, offset by the take-or-pay shortfall it {} ({}): money owed anyway",
                signed_money(compute),
                if shortfall < 0.0 { "uses up" } else { "leaves" },
                names.join(", ")
            )
        } else {
            format!(
                "{p}: {} in all, {} of compute spend and {} of take-or-pay shortfall ({})",
                signed_money(net),
                signed_money(compute),
                signed_money(shortfall),
                names.join(", ")
            )
        };
        rest.push((
            compute.abs(),
            Reason {
                kind: "provider",
                amount_usd: net,
                message,
            },
        ));
    }
    let timing = (changed.objective_usd - base.objective_usd)
        - (changed.total_cost_usd - base.total_cost_usd);
    if timing.abs() >= small {
        rest.push((
            0.0,
            Reason {
            kind: "timing",
            amount_usd: timing,
            message: format!(
                "{} from when money is paid: the discounted cost weighs later payments less and counts terms that run past the horizon{}",
                signed_money(timing),
                year_moves(base, changed)
                    .map(|m| format!(" (cost by year: {m})"))
                    .unwrap_or_default()
            ),
        },
        ));
    }
    // Amounts that count first, largest first; then offsetting moves, largest first.
    let key = |(moved, r): &(f64, Reason)| {
        let amount = r.amount_usd.abs();
        if amount >= small {
            (1, amount)
        } else {
            (0, *moved)
        }
    };
    rest.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
    out.extend(rest.into_iter().map(|(_, r)| r));
    // A constraint binds harder when its shadow price rose (or it binds only now); ranked by
    // how much its effect grew. A commitment's effect grows with its shortfall at the same
    // price, which the provider lines above already tell.
    let tiny = (base.objective_usd.abs() * 1e-6).max(1e-9);
    let mut binding: Vec<Reason> = changed
        .explanations
        .iter()
        .filter_map(|c| {
            let before = base
                .explanations
                .iter()
                .find(|b| b.kind == c.kind && b.subject == c.subject && b.period == c.period);
            let harder = before
                .is_none_or(|b| c.shadow_price_usd.abs() > b.shadow_price_usd.abs() * 1.01 + 1e-12);
            let d = c.effect_usd - before.map_or(0.0, |b| b.effect_usd);
            (harder && d > tiny).then(|| Reason {
                kind: "constraint",
                amount_usd: d,
                message: format!("binds harder: {}", sentence_part(&c.message)),
            })
        })
        .collect();
    if let Some((kind, subject)) = about.constraint {
        let theirs: Vec<&str> = changed
            .explanations
            .iter()
            .filter(|b| b.kind == kind && b.subject.eq_ignore_ascii_case(subject))
            .map(|b| b.message.as_str())
            .collect();
        binding.retain(|r| {
            !theirs
                .iter()
                .any(|m| r.message.ends_with(&sentence_part(m)))
        });
    }
    binding.sort_by(|a, b| b.amount_usd.total_cmp(&a.amount_usd));
    binding.truncate(3);
    if let Some(r) = about.constraint.and_then(|c| imposed(changed, c)) {
        binding.insert(0, r);
    }
    out.extend(binding);
    out
}

/// Where an imposed constraint binds in the changed plan, in one line: the periods, and the
/// planner's sentence for the one whose effect is largest.
fn imposed(changed: &Plan, (kind, subject): (&str, &str)) -> Option<Reason> {
    let mut hits: Vec<&allot_plan_format::Binding> = changed
        .explanations
        .iter()
        .filter(|b| b.kind == kind && b.subject.eq_ignore_ascii_case(subject))
        .collect();
    hits.sort_by(|a, b| b.effect_usd.total_cmp(&a.effect_usd));
    let top = hits.first()?;
    let mut periods: Vec<&str> = hits.iter().filter_map(|b| b.period.as_deref()).collect();
    periods.sort_unstable();
    Some(Reason {
        kind: "constraint",
        amount_usd: hits.iter().map(|b| b.effect_usd).sum(),
        message: format!(
            "the cap binds in {}; the largest: {}",
            periods.join(", "),
            sentence_part(&top.message)
        ),
    })
}

/// A sentence as a part of another: first letter in lower case, no final period.
fn sentence_part(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `2030 +$648.39M, 2031 -$279.62M`: cost by calendar year that changes.
fn year_moves(base: &Plan, changed: &Plan) -> Option<String> {
    let years: Vec<String> = keys(&base.cost_by_year, &changed.cost_by_year)
        .into_iter()
        .filter_map(|y| {
            let d = changed.cost_by_year.get(&y).copied().unwrap_or(0.0)
                - base.cost_by_year.get(&y).copied().unwrap_or(0.0);
            (d.abs() >= small(base)).then(|| format!("{y} {}", signed_money(d)))
        })
        .collect();
    (!years.is_empty()).then(|| years.join(", "))
}

fn keys(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> BTreeSet<String> {
    a.keys().chain(b.keys()).cloned().collect()
}

fn training_cell(plan: &Plan, name: &str) -> String {
    match plan.training.iter().find(|t| t.name == name) {
        Some(t) if !t.provider.is_empty() => format!(
            "{}/{} {}..{} {} chips",
            t.provider,
            t.chip,
            t.start,
            t.finish,
            num(Some(t.chips), 0)
        ),
        _ => "not placed".to_string(),
    }
}

/// Token shares by `provider/chip`.
fn mix(plan: &Plan, name: &str) -> BTreeMap<String, f64> {
    plan.inference
        .iter()
        .find(|d| d.name == name)
        .map(|d| {
            d.mix
                .iter()
                .map(|m| (format!("{}/{}", m.provider, m.chip), m.token_share))
                .collect()
        })
        .unwrap_or_default()
}

fn mix_text(m: &BTreeMap<String, f64>) -> String {
    let mut v: Vec<(&String, &f64)> = m.iter().filter(|(_, s)| **s >= 0.005).collect();
    v.sort_by(|a, b| b.1.total_cmp(a.1));
    let parts: Vec<String> = v
        .iter()
        .take(3)
        .map(|(k, s)| format!("{k} {}", pct(**s)))
        .collect();
    let more = v.len().saturating_sub(3);
    if more > 0 {
        format!("{} (+{more} more)", parts.join(", "))
    } else {
        parts.join(", ")
    }
}

/// What else moved between the plans, one line each: training placements and dates, serving
/// mixes, vendor shares (cost by year is in the table and the timing line). `focus` (the workload the
/// question is about) is left out.
pub fn moved(base: &Plan, changed: &Plan, focus: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for c in &changed.training {
        if Some(c.name.as_str()) == focus {
            continue;
        }
        let Some(b) = base.training.iter().find(|b| b.name == c.name) else {
            continue;
        };
        let (bp, cp) = (
            format!("{}/{}", b.provider, b.chip),
            format!("{}/{}", c.provider, c.chip),
        );
        if bp != cp {
            out.push(format!(
                "training run {} moves from {bp} to {cp} ({}..{} to {}..{})",
                c.name, b.start, b.finish, c.start, c.finish
            ));
        } else if (b.start.as_str(), b.finish.as_str()) != (c.start.as_str(), c.finish.as_str()) {
            out.push(format!(
                "training run {} on {cp} moves from {}..{} to {}..{}",
                c.name, b.start, b.finish, c.start, c.finish
            ));
        } else if (c.chips - b.chips).abs() > 0.01 * b.chips.max(1.0) {
            out.push(format!(
                "training run {} on {cp} peaks at {} chips instead of {}",
                c.name,
                num(Some(c.chips), 0),
                num(Some(b.chips), 0)
            ));
        }
    }
    for d in &changed.inference {
        if Some(d.name.as_str()) == focus {
            continue;
        }
        let (b, c) = (mix(base, &d.name), mix(changed, &d.name));
        let mut changes: Vec<(String, f64, f64)> = keys(&b, &c)
            .into_iter()
            .map(|k| {
                let (x, y) = (
                    b.get(&k).copied().unwrap_or(0.0),
                    c.get(&k).copied().unwrap_or(0.0),
                );
                (k, x, y)
            })
            .filter(|(_, x, y)| (y - x).abs() >= 0.01)
            .collect();
        if changes.is_empty() {
            continue;
        }
        changes.sort_by(|p, q| (q.2 - q.1).abs().total_cmp(&(p.2 - p.1).abs()));
        let parts: Vec<String> = changes
            .iter()
            .take(4)
            .map(|(k, x, y)| format!("{k} {} -> {}", pct(*x), pct(*y)))
            .collect();
        out.push(format!(
            "{} is served differently: {}",
            d.name,
            parts.join(", ")
        ));
    }
    let shares: Vec<String> = keys(&base.vendor_share, &changed.vendor_share)
        .into_iter()
        .filter_map(|v| {
            let (x, y) = (
                base.vendor_share.get(&v).copied().unwrap_or(0.0),
                changed.vendor_share.get(&v).copied().unwrap_or(0.0),
            );
            ((y - x).abs() >= 0.005).then(|| format!("{v} {} -> {}", pct(x), pct(y)))
        })
        .collect();
    if !shares.is_empty() {
        out.push(format!(
            "vendor share of compute spend: {}",
            shares.join(", ")
        ));
    }
    out
}

/// The plans side by side as text tables; `label` names the changed plan's column.
pub fn side_by_side(base: &Plan, changed: &Plan, label: &str) -> String {
    let mut out = String::new();
    let mut costs = Table::new(&[
        ("", Align::Left),
        ("BASE", Align::Right),
        (label, Align::Right),
        ("DIFFERENCE", Align::Right),
    ]);
    let mut row = |what: String, b: f64, c: f64| {
        costs.row(vec![what, money(b), money(c), signed_money(c - b)]);
    };
    row(
        "discounted cost (objective)".into(),
        base.objective_usd,
        changed.objective_usd,
    );
    row(
        "total cost in the horizon".into(),
        base.total_cost_usd,
        changed.total_cost_usd,
    );
    let get = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(0.0);
    for y in keys(&base.cost_by_year, &changed.cost_by_year) {
        row(
            format!("  in {y}"),
            get(&base.cost_by_year, &y),
            get(&changed.cost_by_year, &y),
        );
    }
    for p in keys(&base.cost_by_provider, &changed.cost_by_provider) {
        row(
            format!("  paid to {p}"),
            get(&base.cost_by_provider, &p),
            get(&changed.cost_by_provider, &p),
        );
    }
    for v in keys(&base.cost_by_vendor, &changed.cost_by_vendor) {
        row(
            format!("  compute on {v} chips"),
            get(&base.cost_by_vendor, &v),
            get(&changed.cost_by_vendor, &v),
        );
    }
    out.push_str(&costs.render());

    let mut shares = Table::new(&[
        ("VENDOR SHARE OF COMPUTE SPEND", Align::Left),
        ("BASE", Align::Right),
        (label, Align::Right),
        ("DIFFERENCE", Align::Right),
    ]);
    for v in keys(&base.vendor_share, &changed.vendor_share) {
        let (b, c) = (get(&base.vendor_share, &v), get(&changed.vendor_share, &v));
        shares.row(vec![
            v,
            pct(b),
            pct(c),
            match (c - b) * 100.0 {
                d if d.abs() < 0.05 => "0.0 pts".to_string(),
                d => format!("{d:+.1} pts"),
            },
        ]);
    }
    out.push('\n');
    out.push_str(&shares.render());

    if !changed.training.is_empty() {
        let mut t = Table::new(&[
            ("TRAINING RUN", Align::Left),
            ("BASE", Align::Left),
            (label, Align::Left),
        ]);
        for r in &changed.training {
            let (b, c) = (
                training_cell(base, &r.name),
                training_cell(changed, &r.name),
            );
            let name = if b == c {
                r.name.clone()
            } else {
                format!("{} *", r.name)
            };
            t.row(vec![name, b, c]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }

    let serving: Vec<&str> = changed
        .inference
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| mix_text(&mix(base, n)) != mix_text(&mix(changed, n)))
        .collect();
    if !serving.is_empty() {
        let mut t = Table::new(&[
            ("SERVING MIX (changed)", Align::Left),
            ("BASE", Align::Left),
            (label, Align::Left),
        ]);
        for n in serving {
            t.row(vec![
                n.to_string(),
                mix_text(&mix(base, n)),
                mix_text(&mix(changed, n)),
            ]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }

    let shortfall = |p: &Plan, n: &str| {
        p.commitments
            .iter()
            .find(|c| c.name == n)
            .map_or(0.0, |c| c.shortfall_usd)
    };
    let names: Vec<&str> = changed
        .commitments
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| shortfall(base, n) > 0.5 || shortfall(changed, n) > 0.5)
        .collect();
    if !names.is_empty() {
        let mut t = Table::new(&[
            ("TAKE-OR-PAY SHORTFALL", Align::Left),
            ("BASE", Align::Right),
            (label, Align::Right),
            ("DIFFERENCE", Align::Right),
        ]);
        for n in names {
            let (b, c) = (shortfall(base, n), shortfall(changed, n));
            t.row(vec![n.to_string(), money(b), money(c), signed_money(c - b)]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    out
}
