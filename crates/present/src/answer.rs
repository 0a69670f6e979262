//! The answer to a "why not?" or "what if?" question (`allot explain`): the two plans compared
//! in one sentence, what makes up the difference, what else moved, the plans side by side, and
//! the same as JSON.

use std::fmt::Write as _;

use allot_plan_format::{Plan, SolveStatus};
use serde::Serialize;

use crate::compare::{self, About, Reason};
use crate::number::{money, signed_money};

/// A question about a plan and the two plans that answer it.
#[derive(Debug, Clone, Copy)]
pub struct Comparison<'a> {
    /// The question as asked.
    pub question: &'a str,
    /// `why_not` or `what_if`.
    pub kind: &'a str,
    /// What was changed, in the scenario's words (the subject of the answer's sentence).
    pub change: &'a str,
    /// The workload the question is about, if any.
    pub focus: Option<&'a str>,
    /// The constraint the question imposes, if any: binding kind and subject.
    pub imposed: Option<(&'a str, &'a str)>,
    /// Notes on how the question was posed.
    pub notes: &'a [String],
    /// The least-cost plan.
    pub base: &'a Plan,
    /// The plan with the change.
    pub changed: &'a Plan,
    /// Whether the changed plan's solve started from the base plan's.
    pub warm_start: bool,
}

impl Comparison<'_> {
    fn about(&self) -> About<'_> {
        About {
            workload: self.focus,
            constraint: self.imposed,
        }
    }
}

fn solved(p: &Plan) -> bool {
    p.status.has_solution()
}

/// The answer in one sentence.
fn sentence(a: &Comparison<'_>, reasons: &[Reason]) -> String {
    let (b, c) = (a.base, a.changed);
    if !solved(b) {
        return format!(
            "The scenario itself has no plan ({}: {}), so there is nothing to compare; `allot plan` says more.",
            b.status, b.status_message
        );
    }
    if c.status == SolveStatus::Infeasible {
        return format!(
            "{} makes the scenario infeasible: no plan meets every constraint then.",
            a.change
        );
    }
    if !solved(c) {
        return format!("{} leaves no plan: {}.", a.change, c.status_message);
    }
    let d = c.objective_usd - b.objective_usd;
    let gap = b.mip_gap.max(c.mip_gap) * b.objective_usd.abs();
    let rel = match d / b.objective_usd * 100.0 {
        r if r.is_finite() && r.abs() >= 0.005 => format!(", {r:+.2}%"),
        _ => String::new(),
    };
    let mut totals = format!(
        "discounted cost {} -> {}{rel}; undiscounted in the horizon: {}",
        money(b.objective_usd),
        money(c.objective_usd),
        match signed_money(c.total_cost_usd - b.total_cost_usd).as_str() {
            "$0" => "unchanged".to_string(),
            d => d.to_string(),
        }
    );
    if gap > 0.1 * d.abs() && d.abs() > gap.max(0.5) {
        let _ = write!(totals, "; give or take {}, the solver's gap", money(gap));
    }
    let mut s = if d.abs() <= 0.5_f64.max(1e-9 * b.objective_usd.abs()) {
        format!("{} does not change the cost ({totals})", a.change)
    } else if d.abs() <= gap {
        format!(
            "{} costs nothing more to within the solver's gap of {} ({totals})",
            a.change,
            money(gap)
        )
    } else if d > 0.0 {
        format!("{} costs {} more ({totals})", a.change, money(d))
    } else {
        format!("{} saves {} ({totals})", a.change, money(-d))
    };
    // The workload asked about, then the largest amounts that push the same way.
    let because: Vec<&str> = reasons
        .iter()
        .filter(|r| {
            r.kind == "workload"
                || (r.kind != "constraint"
                    && r.amount_usd * d > 0.0
                    && r.amount_usd.abs() >= 0.05 * d.abs())
        })
        .take(3)
        .map(|r| r.message.as_str())
        .collect();
    if !because.is_empty() && d.abs() > gap.max(0.5) {
        let _ = write!(s, ", because {}", because.join("; "));
    }
    s.push('.');
    if let Some(r) = reasons.iter().find(|r| r.kind == "constraint") {
        match r.message.strip_prefix("binds harder: ") {
            // Within the gap, a shadow price that moved says nothing about the change.
            Some(_) if d.abs() <= gap.max(0.5) => {}
            Some(m) => {
                let _ = write!(s, " What binds harder: {m}.");
            }
            None => {
                let mut text = r.message.chars();
                if let Some(first) = text.next() {
                    let _ = write!(s, " {}{}.", first.to_uppercase(), text.as_str());
                }
            }
        }
    }
    s
}

/// The answer as text, as `allot explain` prints it; `seconds` is the time both plans took.
pub fn report(a: &Comparison<'_>, seconds: f64) -> String {
    let mut out = String::new();
    let label = if a.kind == "why_not" {
        "why not"
    } else {
        "what if"
    };
    let _ = writeln!(out, "{label}: {}", a.question);
    for n in a.notes {
        let _ = writeln!(out, "  ({n})");
    }
    let reasons = if solved(a.base) && solved(a.changed) {
        compare::reasons(a.base, a.changed, &a.about())
    } else {
        Vec::new()
    };
    let _ = writeln!(out, "\n{}", sentence(a, &reasons));
    if a.changed.status == SolveStatus::Infeasible && solved(a.base) {
        for u in &a.changed.unplaceable {
            let _ = writeln!(out, "  {u}");
        }
        if !a.changed.relaxations.is_empty() {
            let _ = writeln!(out, "\nEach of these would make it feasible again:");
            for r in &a.changed.relaxations {
                let msgs: Vec<&str> = r.changes.iter().map(|c| c.message.as_str()).collect();
                let _ = writeln!(out, "  - {}", msgs.join("; and "));
            }
        }
    }
    if !(solved(a.base) && solved(a.changed)) {
        return out;
    }
    if !reasons.is_empty() {
        let d = a.changed.objective_usd - a.base.objective_usd;
        let gap = a.base.mip_gap.max(a.changed.mip_gap) * a.base.objective_usd.abs();
        let title = if d.abs() <= gap.max(0.5) {
            "What changes at (nearly) the same cost: the least-cost plan is not unique"
        } else {
            "What makes up the difference"
        };
        let _ = writeln!(out, "\n{title}:");
        for r in &reasons {
            let _ = writeln!(out, "  - {}", r.message);
        }
    }
    let moved = compare::moved(a.base, a.changed, a.focus);
    let _ = writeln!(out, "\nWhat else moved:");
    if moved.is_empty() {
        let _ = writeln!(out, "  nothing else");
    }
    for m in &moved {
        let _ = writeln!(out, "  - {m}");
    }
    let column = if a.kind == "why_not" {
        "FORCED"
    } else {
        "CHANGED"
    };
    let _ = writeln!(out);
    out.push_str(&compare::side_by_side(a.base, a.changed, column));
    let _ = writeln!(
        out,
        "\nsolved both plans in {seconds:.2} s{}",
        if a.warm_start {
            " (the forced plan warm-started from the base plan)"
        } else {
            ""
        }
    );
    out
}

/// `allot explain --json`: the comparison as a stable wire format.
#[derive(Serialize)]
pub struct ExplainJson<'a> {
    question: &'a str,
    kind: &'a str,
    change: &'a str,
    notes: &'a [String],
    answer: String,
    difference: Difference,
    reasons: Vec<Reason>,
    moved: Vec<String>,
    base: Side<'a>,
    changed: Side<'a>,
    seconds: f64,
    warm_start: bool,
}

#[derive(Serialize)]
struct Difference {
    objective_usd: f64,
    total_cost_usd: f64,
}

/// One plan, summarised.
#[derive(Serialize)]
struct Side<'a> {
    status: &'a str,
    status_message: &'a str,
    objective_usd: f64,
    total_cost_usd: f64,
    mip_gap: f64,
    cost_by_year: &'a std::collections::BTreeMap<String, f64>,
    cost_by_provider: &'a std::collections::BTreeMap<String, f64>,
    cost_by_vendor: &'a std::collections::BTreeMap<String, f64>,
    vendor_share: &'a std::collections::BTreeMap<String, f64>,
    training: Vec<TrainingJson<'a>>,
    serving: Vec<ServingJson<'a>>,
    shortfall_usd: std::collections::BTreeMap<&'a str, f64>,
    unplaceable: &'a [String],
    explanations: &'a [allot_plan_format::Binding],
    relaxations: &'a [allot_plan_format::Relaxation],
}

#[derive(Serialize)]
struct TrainingJson<'a> {
    name: &'a str,
    provider: &'a str,
    chip: &'a str,
    chips: f64,
    start: &'a str,
    finish: &'a str,
    chip_hours: f64,
}

#[derive(Serialize)]
struct ServingJson<'a> {
    name: &'a str,
    mix: &'a [allot_plan_format::ServingShare],
}

impl<'a> From<&'a Plan> for Side<'a> {
    fn from(p: &'a Plan) -> Self {
        Side {
            status: p.status.as_str(),
            status_message: &p.status_message,
            objective_usd: p.objective_usd,
            total_cost_usd: p.total_cost_usd,
            mip_gap: p.mip_gap,
            cost_by_year: &p.cost_by_year,
            cost_by_provider: &p.cost_by_provider,
            cost_by_vendor: &p.cost_by_vendor,
            vendor_share: &p.vendor_share,
            training: p
                .training
                .iter()
                .map(|t| TrainingJson {
                    name: &t.name,
                    provider: &t.provider,
                    chip: &t.chip,
                    chips: t.chips,
                    start: &t.start,
                    finish: &t.finish,
                    chip_hours: t.chip_hours,
                })
                .collect(),
            serving: p
                .inference
                .iter()
                .map(|d| ServingJson {
                    name: &d.name,
                    mix: &d.mix,
                })
                .collect(),
            shortfall_usd: p
                .commitments
                .iter()
                .map(|c| (c.name.as_str(), c.shortfall_usd))
                .collect(),
            unplaceable: &p.unplaceable,
            explanations: &p.explanations,
            relaxations: &p.relaxations,
        }
    }
}

/// The answer as JSON (`allot explain --json`); `seconds` is the time both plans took.
pub fn to_json<'a>(a: &Comparison<'a>, seconds: f64) -> ExplainJson<'a> {
    let both = solved(a.base) && solved(a.changed);
    let reasons = if both {
        compare::reasons(a.base, a.changed, &a.about())
    } else {
        Vec::new()
    };
    ExplainJson {
        question: a.question,
        kind: a.kind,
        change: a.change,
        notes: a.notes,
        answer: sentence(a, &reasons),
        difference: Difference {
            objective_usd: a.changed.objective_usd - a.base.objective_usd,
            total_cost_usd: a.changed.total_cost_usd - a.base.total_cost_usd,
        },
        moved: if both {
            compare::moved(a.base, a.changed, a.focus)
        } else {
            Vec::new()
        },
        reasons,
        base: Side::from(a.base),
        changed: Side::from(a.changed),
        seconds,
        warm_start: a.warm_start,
    }
}
