//! Why a plan is infeasible, and what would fix it: an elastic version of the model in which
//! deadlines, delivery ramps, share caps, the power cap and budgets may give, each at a
//! penalty reflecting how hard it is to change. The least-penalty relaxation is one answer;
//! forbidding each kind of change it used in turn gives the alternatives ("move the deadline,
//! or add capacity, or raise the cap").
//!
//! Each answer is found in two solves: the first minimises the penalty alone, the second the
//! plan's cost with the relaxations held at most at what the first needed.

use allot_scenario::Scenario;

use crate::build::{self, Built, CHIP_UNIT, MONEY_UNIT, Tag};
use crate::explain::{ramp_subject, span};
use crate::lp::Col;
use crate::plan::{Change, Relaxation};
use crate::prep::{self, Prepared};
use crate::solver::{self, SolveSettings};

/// Penalty per month a run finishes late (per thousand chips working late).
const PENALTY_LATE_MONTH: f64 = 1.0;
/// Penalty per thousand chips of extra delivery in a period.
const PENALTY_CHIPS: f64 = 2.0;
/// Penalty per million USD of share-cap excess.
const PENALTY_SHARE: f64 = 1e-2;
/// Penalty per MW of extra power.
const PENALTY_MW: f64 = 1e-2;
/// Penalty per million USD of extra budget.
const PENALTY_BUDGET: f64 = 2e-2;
/// Penalty per million USD of extra funding (slightly more the earlier it is needed).
const PENALTY_FUNDING: f64 = 2e-2;

/// Alternatives sought at most.
const MAX_ALTERNATIVES: usize = 4;

/// A kind of relaxation, for forbidding it in the next alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Deadline,
    Availability,
    Share,
    Power,
    Budget,
    Funding,
}

/// A slack column and what it relaxes.
#[derive(Debug, Clone)]
struct Slack {
    col: Col,
    kind: Kind,
    /// The tag of the relaxed row, or the run and period for a deadline.
    what: What,
}

#[derive(Debug, Clone)]
enum What {
    Row(Tag),
    Late { run: usize, period: usize },
}

/// The relaxations that make an infeasible `scenario` feasible, the least penalised first.
/// Empty when none of the modelled relaxations helps (or the scenario is feasible).
pub fn diagnose(scenario: &Scenario, settings: &SolveSettings) -> Vec<Relaxation> {
    let mut out = exclusivity_fixes(scenario);
    // Deadlines may slip to the end of the horizon.
    let original = prep::prepare(scenario);
    let mut late = scenario.clone();
    let last = scenario
        .file
        .scenario
        .start
        .plus(i64::from(scenario.file.scenario.horizon_months) - 1);
    for t in &mut late.file.training {
        t.deadline = Some(last);
    }
    let prepared = prep::prepare(&late);
    let built = build::build(&late, &prepared);
    let (model, slacks) = elastic_model(&prepared, &original, &built);
    let mut forbidden: Vec<Kind> = Vec::new();
    for _ in 0..MAX_ALTERNATIVES {
        let mut m = model.clone();
        for s in &slacks {
            if forbidden.contains(&s.kind) {
                m.cols[s.col.0].hi = 0.0;
            }
        }
        // Phase 1: the least penalty.
        let mut phase1 = m.clone();
        for c in &mut phase1.cols {
            c.cost = 0.0;
        }
        phase1.objective_constant = 0.0;
        for s in &slacks {
            phase1.cols[s.col.0].cost = m.cols[s.col.0].cost;
        }
        let p1 = solver::solve(&phase1, settings);
        if !p1.status.has_solution() {
            break;
        }
        // Phase 2: the least cost within that relaxation.
        let mut phase2 = m.clone();
        for s in &slacks {
            let v = p1.values[s.col.0];
            phase2.cols[s.col.0].cost = 0.0;
            phase2.cols[s.col.0].hi = if v > 1e-9 {
                v * (1.0 + 1e-6) + 1e-9
            } else {
                0.0
            };
        }
        let p2 = solver::solve(&phase2, settings);
        let sol = if p2.status.has_solution() { p2 } else { p1 };
        let changes = describe(scenario, &original, &prepared, &built, &slacks, &sol.values);
        if changes.is_empty() {
            break;
        }
        let used: Vec<Kind> = slacks
            .iter()
            .filter(|s| sol.values[s.col.0] > 1e-7)
            .map(|s| s.kind)
            .collect();
        let objective: f64 = model.objective_constant
            + model
                .cols
                .iter()
                .enumerate()
                .filter(|(i, _)| !slacks.iter().any(|s| s.col.0 == *i))
                .map(|(i, c)| c.cost * sol.values[i])
                .sum::<f64>();
        out.push(Relaxation {
            changes,
            objective_usd: objective * MONEY_UNIT,
        });
        forbidden.extend(used);
        forbidden.sort();
        forbidden.dedup();
    }
    out
}

/// The model with slack columns on the rows that may give, and lateness penalties.
fn elastic_model(
    prepared: &Prepared,
    original: &Prepared,
    built: &Built,
) -> (crate::lp::Model, Vec<Slack>) {
    let mut m = built.model.clone();
    let mut slacks = Vec::new();
    for (row, tag) in &built.tags {
        let (kind, penalty) = match tag {
            Tag::Availability { .. } => (Kind::Availability, PENALTY_CHIPS),
            Tag::Share { .. } => (Kind::Share, PENALTY_SHARE),
            Tag::Power { .. } => (Kind::Power, PENALTY_MW),
            Tag::Budget { .. } => (Kind::Budget, PENALTY_BUDGET),
            Tag::Cash { period } => (
                Kind::Funding,
                PENALTY_FUNDING * (1.0 + 1e-3 * (prepared.periods.len() - period) as f64),
            ),
            _ => continue,
        };
        let col = m.col(
            format!("slack {}", m.rows[row.0].name),
            0.0,
            f64::INFINITY,
            penalty,
        );
        m.add(*row, col, -1.0);
        slacks.push(Slack {
            col,
            kind,
            what: What::Row(tag.clone()),
        });
    }
    // Working after the original deadline: penalised per month late, through a column that
    // must cover the chips working in that period.
    for (r, run) in prepared.training.iter().enumerate() {
        let Some(orig) = original.training.iter().find(|t| t.name == run.name) else {
            continue;
        };
        let deadline = orig.window.1;
        for (o, opt) in run.options.iter().enumerate() {
            for &(p, x) in &built.train_chips[r][o] {
                if p <= deadline {
                    continue;
                }
                let months: f64 = prepared.periods[deadline + 1..=p]
                    .iter()
                    .map(|q| f64::from(q.months))
                    .sum();
                let late = m.col(
                    format!("late {} {}", run.name, prepared.periods[p].label),
                    0.0,
                    opt.max_chips / CHIP_UNIT,
                    PENALTY_LATE_MONTH * months,
                );
                m.row(
                    format!("lateness {} {}", run.name, prepared.periods[p].label),
                    0.0,
                    f64::INFINITY,
                    &[(late, 1.0), (x, -1.0)],
                );
                slacks.push(Slack {
                    col: late,
                    kind: Kind::Deadline,
                    what: What::Late { run: r, period: p },
                });
            }
        }
    }
    (m, slacks)
}

/// The changes a solution of the elastic model makes, in the scenario's words.
fn describe(
    scenario: &Scenario,
    original: &Prepared,
    prepared: &Prepared,
    built: &Built,
    slacks: &[Slack],
    values: &[f64],
) -> Vec<Change> {
    use std::collections::BTreeMap;
    let f = &scenario.file;
    let label = |p: usize| prepared.periods[p].label.clone();
    let mut late: BTreeMap<usize, usize> = BTreeMap::new();
    let mut ramps: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    let mut shares: BTreeMap<(&str, String, &str), (f64, f64)> = BTreeMap::new();
    let mut power: Vec<(usize, f64)> = Vec::new();
    let mut budgets: BTreeMap<i32, f64> = BTreeMap::new();
    let mut funding: Vec<(usize, f64)> = Vec::new();
    for s in slacks {
        let v = values[s.col.0];
        if v <= 1e-7 {
            continue;
        }
        match &s.what {
            What::Late { run, period } => {
                let e = late.entry(*run).or_insert(*period);
                *e = (*e).max(*period);
            }
            What::Row(Tag::Availability { index, period }) => {
                ramps
                    .entry(*index)
                    .or_default()
                    .push((*period, v * CHIP_UNIT));
            }
            What::Row(Tag::Share {
                kind,
                who,
                share,
                in_use,
                basis,
                total,
                ..
            }) => {
                // The share the plan needs: the capped share plus the excess over the total.
                let t: f64 = total.0.iter().map(|(c, w)| w * values[c.0]).sum::<f64>() + total.1;
                let needed = if t > 0.0 { share + v / t } else { 1.0 };
                // One change per cap: a vendor may have caps of spend and of chips, each
                // counting capacity held or in use.
                let e = shares
                    .entry((*kind, who.clone(), build::share_of(*basis, *in_use)))
                    .or_insert((*share, *share));
                e.1 = e.1.max(needed);
            }
            What::Row(Tag::Power { period }) => power.push((*period, v)),
            What::Row(Tag::Budget { year }) => *budgets.entry(*year).or_default() += v * MONEY_UNIT,
            What::Row(Tag::Cash { period }) => funding.push((*period, v * MONEY_UNIT)),
            What::Row(_) => {}
        }
    }
    let mut out = Vec::new();
    for (r, p) in late {
        let name = &prepared.training[r].name;
        let from = original
            .training
            .iter()
            .find(|t| &t.name == name)
            .map_or(String::new(), |t| {
                original.periods[t.window.1].label.clone()
            });
        // The deadline is a month: the last month of the period.
        let per = &prepared.periods[p];
        let to = per.start.plus(i64::from(per.months) - 1).to_string();
        out.push(Change {
            kind: "deadline".into(),
            subject: name.clone(),
            period: None,
            message: format!("move the deadline of training run {name} from {from} to {to}"),
            from,
            to,
        });
    }
    for (index, periods) in ramps {
        let a = &f.availability[index];
        let what = ramp_subject(a);
        let most = periods.iter().map(|x| x.1).fold(0.0, f64::max);
        let extra = least(most, 1.0);
        let span = span(&periods, &label);
        out.push(Change {
            kind: "availability".into(),
            subject: what.clone(),
            period: Some(span.clone()),
            from: "ramp".into(),
            to: format!("+{extra:.0} chips"),
            message: format!("add {} more chips of {what} in {span}", thousands(extra)),
        });
    }
    for ((kind, who, of), (from, to)) in shares {
        // Up to the next tenth of a point, forgiving the solver's noise (a share that needs
        // all of the total is 100%, not 100.1%), and never past 100%.
        let to = (((to * 1000.0) - 1e-6).ceil() / 1000.0).min(1.0);
        out.push(Change {
            kind: format!("{kind}_cap"),
            subject: who.clone(),
            period: None,
            from: format!("{from}"),
            to: format!("{to}"),
            message: format!(
                "raise the {kind} cap on {who}'s share{of} from {:.1}% to {:.1}%",
                from * 100.0,
                to * 100.0
            ),
        });
    }
    if !power.is_empty() {
        let most = least(power.iter().map(|x| x.1).fold(0.0, f64::max), 0.001);
        let span = span(&power, &label);
        let mw = figures(most);
        out.push(Change {
            kind: "power".into(),
            subject: "power cap".into(),
            period: Some(span.clone()),
            from: "cap_mw".into(),
            to: format!("+{mw} MW"),
            message: format!("raise the power cap by {mw} MW in {span}"),
        });
    }
    for (year, extra) in budgets {
        let from = f
            .policy
            .budget
            .iter()
            .find(|b| b.year == year)
            .map_or(0.0, |b| b.max_usd);
        let to = from + least(extra, 1.0);
        out.push(Change {
            kind: "budget".into(),
            subject: format!("budget {year}"),
            period: Some(year.to_string()),
            from: format!("{from}"),
            to: format!("{to}"),
            message: format!(
                "raise the {year} compute budget from ${} to ${} (+${})",
                money(from),
                money(to),
                money(to - from)
            ),
        });
    }
    for (p, usd_needed) in funding {
        let amount = least(usd_needed, 1.0);
        out.push(Change {
            kind: "funding".into(),
            subject: "funding".into(),
            period: Some(label(p)),
            from: "0".into(),
            to: format!("{amount}"),
            message: format!(
                "raise ${} more funding by {} (or lower the cash floor by as much)",
                money(amount),
                label(p)
            ),
        });
    }
    let _ = built;
    out
}

/// Workloads with no option at all: would dropping an exclusivity give them one?
fn exclusivity_fixes(scenario: &Scenario) -> Vec<Relaxation> {
    let base = prep::prepare(scenario);
    if base.unplaceable.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, e) in scenario.file.exclusivity.iter().enumerate() {
        let mut without = scenario.clone();
        without.file.exclusivity.remove(i);
        let p = prep::prepare(&without);
        if p.unplaceable.len() < base.unplaceable.len() {
            out.push(Relaxation {
                changes: vec![Change {
                    kind: "exclusivity".into(),
                    subject: e.name.clone(),
                    period: None,
                    from: e.providers.join(", "),
                    to: "(dropped)".into(),
                    message: format!(
                        "drop or widen the exclusivity '{}' (to {}): none of those providers offers a chip its workloads can use",
                        e.name,
                        e.providers.join(", ")
                    ),
                }],
                objective_usd: 0.0,
            });
        }
    }
    out
}

/// `v` rounded up to four significant figures, in steps of at least `unit` (a whole dollar, a
/// whole chip, a kW): the least change that suffices, in the scenario's own scale — $496.84
/// becomes $497, $113,496.84 becomes $113,500, 28,664,310,000 becomes 28,670,000,000.
pub fn least(v: f64, unit: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return v.max(0.0);
    }
    let exponent = (v.log10().floor() - 3.0).max(unit.log10().round()) as i32;
    // Whole multiples of a power of ten, computed so that 113,500 is not 113,500.00000000001.
    if exponent >= 0 {
        let step = 10f64.powi(exponent);
        (v / step).ceil() * step
    } else {
        let scale = 10f64.powi(-exponent);
        (v * scale).ceil() / scale
    }
}

/// A positive figure with its four significant figures and no trailing zeros: `113.5`, `497`,
/// `0.125`.
fn figures(v: f64) -> String {
    let decimals = if v > 0.0 {
        (3 - v.log10().floor() as i32).clamp(0, 6) as usize
    } else {
        0
    };
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Dollars to four significant figures: `28.67B`, `160M`, `113.5K`, `497`.
fn money(v: f64) -> String {
    let a = v.abs();
    let (scale, suffix) = if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    format!("{}{suffix}", figures(v / scale))
}

fn thousands(v: f64) -> String {
    let s = format!("{v:.0}");
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_change_is_stated_in_the_scenario_s_own_scale() {
        // (need, unit, least, as money)
        let cases = [
            (496.84, 1.0, 497.0, "497"),
            (113_496.84, 1.0, 113_500.0, "113.5K"),
            (28_664_310_000.0, 1.0, 28_670_000_000.0, "28.67B"),
            (160_000_000.0, 1.0, 160_000_000.0, "160M"),
            (0.3, 1.0, 1.0, "1"),
            (7.0, 1.0, 7.0, "7"),
        ];
        for (need, unit, want, shown) in cases {
            let got = least(need, unit);
            assert_eq!(got, want, "{need}");
            assert!(got >= need, "{need}: {got} does not suffice");
            assert_eq!(money(got), shown, "{need}");
        }
        assert_eq!(least(12.3456, 0.001), 12.35);
        assert_eq!(figures(least(12.3456, 0.001)), "12.35");
        assert_eq!(least(0.01234, 0.001), 0.013);
        assert_eq!(figures(0.013), "0.013");
        assert_eq!(least(0.0, 1.0), 0.0);
    }
}
