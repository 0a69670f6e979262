//! The financial statement as text: the summary `allot plan` prints under the plan, and the
//! full statement of `allot finance` (per year, `--monthly` per period, contracts, cash by
//! provider, reported figures beside the projection).

use std::fmt::Write as _;

use allot_finance::{Amounts, Statement};
use allot_plan_format::Plan;

use crate::finance_json::terms_name;
use crate::number::{money, signed_pct};
use crate::table::{Align, Table};

fn runway(st: &Statement) -> String {
    match &st.runway_end {
        Some(p) => format!(
            "cash runs out in {p} ({} months from the start)",
            st.runway_months
        ),
        None => "cash lasts the horizon".to_string(),
    }
}

fn references(st: &Statement) -> String {
    if st.references.is_empty() {
        return String::new();
    }
    let mut t = Table::new(&[
        ("REPORTED FIGURE", Align::Left),
        ("YEARS", Align::Left),
        ("REPORTED", Align::Right),
        ("PROJECTED", Align::Right),
        ("DIFFERENCE", Align::Right),
        ("SOURCE", Align::Left),
    ]);
    for r in &st.references {
        t.row(vec![
            r.label.clone(),
            if r.from_year == r.to_year {
                r.from_year.to_string()
            } else {
                format!("{}-{}", r.from_year, r.to_year)
            },
            money(r.reported_usd),
            money(r.projected_usd),
            signed_pct(r.difference()),
            format!("{} ({})", r.source_url, r.source_date),
        ]);
    }
    t.render()
}

/// The finance summary printed by `allot plan`.
pub fn summary(st: &Statement) -> String {
    let mut out = String::from("\n");
    let mut t = Table::new(&[
        ("YEAR", Align::Left),
        ("REVENUE", Align::Right),
        ("COMPUTE", Align::Right),
        ("OPERATING RESULT", Align::Right),
        ("CASH END", Align::Right),
        ("CUMULATIVE LOSS", Align::Right),
    ]);
    for y in &st.years {
        t.row(vec![
            y.year.to_string(),
            money(y.amounts.revenue_usd),
            money(y.amounts.compute_usd),
            money(y.amounts.operating_result_usd),
            money(y.cash_end_usd),
            money(y.cumulative_loss_usd),
        ]);
    }
    out.push_str(&t.render());
    let _ = writeln!(
        out,
        "finance: funding gap {}; {}; `allot finance` prints the full statement",
        money(st.funding_gap_usd),
        runway(st)
    );
    let refs = references(st);
    if !refs.is_empty() {
        out.push('\n');
        out.push_str(&refs);
    }
    out
}

fn amounts_row(label: String, a: &Amounts, cash_end: f64, loss: f64) -> Vec<String> {
    vec![
        label,
        money(a.revenue_usd),
        money(a.compute_usd),
        money(a.other_opex_usd),
        money(a.operating_result_usd),
        money(a.compute_cash_usd),
        money(a.capex_usd),
        money(a.funding_usd),
        money(a.burn_usd),
        money(cash_end),
        money(loss),
    ]
}

fn amounts_table(first: &str) -> Table {
    Table::new(&[
        (first, Align::Left),
        ("REVENUE", Align::Right),
        ("COMPUTE", Align::Right),
        ("OTHER OPEX", Align::Right),
        ("OPERATING", Align::Right),
        ("COMPUTE CASH", Align::Right),
        ("CAPEX", Align::Right),
        ("FUNDING", Align::Right),
        ("BURN", Align::Right),
        ("CASH END", Align::Right),
        ("CUM. LOSS", Align::Right),
    ])
}

/// The full statement printed by `allot finance`.
pub fn statement_text(name: &str, plan: &Plan, st: &Statement, monthly: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "finance of '{name}' (plan: {}; total compute cost {})",
        plan.status,
        money(plan.total_cost_usd)
    );
    let _ = writeln!(
        out,
        "starting cash {}; lowest cash {}; funding gap {}; {}",
        money(st.starting_cash_usd),
        money(st.lowest_cash_usd),
        money(st.funding_gap_usd),
        runway(st)
    );
    let _ = writeln!(
        out,
        "cumulative loss at the end {} (peak {}); burn discounted to the start {}\n",
        money(st.cumulative_loss_usd),
        money(st.peak_cumulative_loss_usd),
        money(st.total.burn_present_value_usd)
    );
    let mut t = amounts_table("YEAR");
    for y in &st.years {
        let label = if y.months == 12 {
            y.year.to_string()
        } else {
            format!("{} ({} mo)", y.year, y.months)
        };
        t.row(amounts_row(
            label,
            &y.amounts,
            y.cash_end_usd,
            y.cumulative_loss_usd,
        ));
    }
    t.row(amounts_row(
        "total".to_string(),
        &st.total,
        st.periods.last().map_or(0.0, |p| p.cash_end_usd),
        st.cumulative_loss_usd,
    ));
    out.push_str(&t.render());
    let _ = writeln!(
        out,
        "COMPUTE = capacity + commitment charges + owned opex + depreciation; BURN = compute cash + capex + other opex - revenue"
    );
    if monthly {
        out.push('\n');
        let mut t = amounts_table("PERIOD");
        for p in &st.periods {
            t.row(amounts_row(
                p.label.clone(),
                &p.amounts,
                p.cash_end_usd,
                p.cumulative_loss_usd,
            ));
        }
        out.push_str(&t.render());
    }
    if !st.contracts.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("CONTRACT", Align::Left),
            ("PROVIDER", Align::Left),
            ("TERMS", Align::Left),
            ("OBLIGATION", Align::Right),
            ("SPEND", Align::Right),
            ("PREPAID", Align::Right),
            ("DRAWN", Align::Right),
            ("CHARGES", Align::Right),
            ("REFUNDED", Align::Right),
            ("BALANCE END", Align::Right),
        ]);
        for c in &st.contracts {
            let terms = if c.take_or_pay {
                format!("{}, take-or-pay", terms_name(c.payment))
            } else {
                terms_name(c.payment).to_string()
            };
            t.row(vec![
                c.name.clone(),
                c.provider.clone(),
                terms,
                money(c.obligation_usd),
                money(c.spend_usd),
                money(c.prepaid_usd),
                money(c.drawn_usd),
                money(c.charges_usd),
                money(c.refunded_usd),
                money(c.balance_end_usd),
            ]);
        }
        out.push_str(&t.render());
    }
    if !st.providers.is_empty() {
        out.push('\n');
        let years: Vec<i32> = st.years.iter().map(|y| y.year).collect();
        let mut header: Vec<(String, Align)> = vec![("CASH BY PROVIDER".to_string(), Align::Left)];
        header.extend(years.iter().map(|y| (y.to_string(), Align::Right)));
        let refs: Vec<(&str, Align)> = header.iter().map(|(h, a)| (h.as_str(), *a)).collect();
        let mut t = Table::new(&refs);
        for p in &st.providers {
            let mut row = vec![p.provider.clone()];
            for y in &years {
                let cash = p
                    .years
                    .iter()
                    .find(|(year, _, _)| year == y)
                    .map_or(0.0, |x| x.2);
                row.push(money(cash));
            }
            t.row(row);
        }
        out.push_str(&t.render());
    }
    let refs = references(st);
    if !refs.is_empty() {
        out.push('\n');
        out.push_str(&refs);
    }
    out
}
