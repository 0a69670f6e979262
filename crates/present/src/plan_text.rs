//! A plan as text: the summary `allot plan` prints (costs by year, provider, vendor and chip,
//! training runs, serving mixes, commitments) and what binds or, for an infeasible plan, what
//! would make it feasible.

use std::fmt::Write as _;
use std::time::Duration;

use allot_plan_format::Plan;

use crate::number::{money, num, pct};
use crate::table::{Align, Table};

/// The size of a solved model and the time each step took, for the summary's second line.
#[derive(Debug, Clone, Copy, Default)]
pub struct SolveFacts {
    /// Columns of the model.
    pub variables: usize,
    /// Rows of the model.
    pub constraints: usize,
    /// Building the model.
    pub build: Duration,
    /// Solving it.
    pub solve: Duration,
    /// Reading the plan from the solution.
    pub extract: Duration,
}

/// The explanations section: what binds and what it costs, then (for an infeasible plan) the
/// relaxations that would make it feasible.
pub fn explanations(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.explanations.is_empty() {
        let _ = writeln!(
            out,
            "\nWHAT BINDS AND WHAT IT COSTS (a shadow price each: the rate at which the discounted cost falls as the limit is relaxed)"
        );
        const SHOWN: usize = 15;
        for (i, b) in plan.explanations.iter().take(SHOWN).enumerate() {
            let _ = writeln!(out, "{:>3}. {}", i + 1, b.message);
        }
        if plan.explanations.len() > SHOWN {
            let _ = writeln!(
                out,
                "     ... and {} more, smaller (all in --json's \"explanations\")",
                plan.explanations.len() - SHOWN
            );
        }
    }
    if !plan.relaxations.is_empty() {
        let _ = writeln!(
            out,
            "\nWHY IT IS INFEASIBLE: any one of these would make it feasible"
        );
        for (i, r) in plan.relaxations.iter().enumerate() {
            let changes: Vec<&str> = r.changes.iter().map(|c| c.message.as_str()).collect();
            let _ = writeln!(
                out,
                "{:>3}. {} (the plan would then cost {} discounted)",
                i + 1,
                changes.join("; and "),
                money(r.objective_usd)
            );
        }
    }
    out
}

/// The plan summary: status, model size and timings, then the cost tables.
pub fn summary(plan: &Plan, facts: &SolveFacts) -> String {
    let mut out = String::new();
    let t = facts;
    let _ = writeln!(
        out,
        "scenario '{}': {}\n{} variables, {} constraints; build {:.2} s, solve {:.2} s, extract {:.2} s",
        plan.scenario,
        plan.status_message,
        facts.variables,
        facts.constraints,
        t.build.as_secs_f64(),
        t.solve.as_secs_f64(),
        t.extract.as_secs_f64()
    );
    if !plan.unplaceable.is_empty() {
        out.push('\n');
        for u in &plan.unplaceable {
            let _ = writeln!(out, "  {u}");
        }
    }
    if !plan.status.has_solution() {
        return out;
    }
    let _ = writeln!(
        out,
        "\ntotal cost {} to {}: {} (discounted objective {})\n",
        plan.periods.first().cloned().unwrap_or_default(),
        plan.periods.last().cloned().unwrap_or_default(),
        money(plan.total_cost_usd),
        money(plan.objective_usd)
    );
    let mut years = Table::new(&[("YEAR", Align::Left), ("COST", Align::Right)]);
    for (y, c) in &plan.cost_by_year {
        years.row(vec![y.clone(), money(*c)]);
    }
    out.push_str(&years.render());
    out.push('\n');
    let mut prov = Table::new(&[
        ("PROVIDER", Align::Left),
        ("COST", Align::Right),
        ("COMPUTE SHARE", Align::Right),
    ]);
    for (p, c) in &plan.cost_by_provider {
        prov.row(vec![
            p.clone(),
            money(*c),
            pct(plan.provider_share.get(p).copied().unwrap_or(0.0)),
        ]);
    }
    out.push_str(&prov.render());
    out.push('\n');
    let mut vend = Table::new(&[
        ("VENDOR", Align::Left),
        ("COST", Align::Right),
        ("COMPUTE SHARE", Align::Right),
    ]);
    for (v, c) in &plan.cost_by_vendor {
        vend.row(vec![
            v.clone(),
            money(*c),
            pct(plan.vendor_share.get(v).copied().unwrap_or(0.0)),
        ]);
    }
    out.push_str(&vend.render());
    out.push('\n');
    let mut chips = Table::new(&[("ACCELERATOR", Align::Left), ("COST", Align::Right)]);
    for (v, c) in &plan.cost_by_chip {
        chips.row(vec![v.clone(), money(*c)]);
    }
    out.push_str(&chips.render());
    if !plan.training.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("TRAINING RUN", Align::Left),
            ("PROVIDER", Align::Left),
            ("CHIP", Align::Left),
            ("MAX CHIPS", Align::Right),
            ("START", Align::Left),
            ("FINISH", Align::Left),
            ("CHIP-HOURS", Align::Right),
        ]);
        for r in &plan.training {
            t.row(vec![
                r.name.clone(),
                r.provider.clone(),
                r.chip.clone(),
                num(Some(r.chips), 0),
                r.start.clone(),
                r.finish.clone(),
                format!("{:.3e}", r.chip_hours),
            ]);
        }
        out.push_str(&t.render());
    }
    if !plan.inference.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("INFERENCE DEMAND", Align::Left),
            ("TOKENS", Align::Right),
            ("SERVING MIX (share of tokens)", Align::Left),
        ]);
        for d in &plan.inference {
            let mix: Vec<String> = d
                .mix
                .iter()
                .take(4)
                .map(|m| format!("{}/{} {}", m.provider, m.chip, pct(m.token_share)))
                .collect();
            t.row(vec![
                d.name.clone(),
                format!("{:.3e}", d.tokens),
                mix.join(", "),
            ]);
        }
        out.push_str(&t.render());
    }
    if !plan.commitments.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("COMMITMENT", Align::Left),
            ("PROVIDER", Align::Left),
            ("IN HORIZON", Align::Right),
            ("SPEND", Align::Right),
            ("UTILISATION", Align::Right),
            ("SHORTFALL PAID", Align::Right),
        ]);
        for c in &plan.commitments {
            t.row(vec![
                c.name.clone(),
                c.provider.clone(),
                money(c.obligation_usd),
                money(c.spend_usd),
                pct(c.utilisation),
                money(c.shortfall_usd),
            ]);
        }
        out.push_str(&t.render());
    }
    out
}
