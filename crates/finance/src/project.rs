//! The financial projection of a plan: revenue, compute cost and cash under each contract's
//! payment terms, owned capacity's capex and depreciation, other costs and funding, period by
//! period, with cash balance, accumulated losses, funding gap and runway.

use std::collections::{BTreeMap, HashMap};

use allot_catalog::{HOURS_PER_MONTH, PriceModel};
use allot_plan_format::Plan;
use allot_scenario::{Month, Scenario};

use crate::FinanceError;
use crate::statement::{
    Amounts, ContractLine, PeriodLine, ProviderLine, ReferenceLine, Statement, YearLine,
};
use crate::terms::{ContractTerms, schedule};

/// Days in an average month (as the planner counts served tokens).
pub use allot_scenario::DAYS_PER_MONTH;

/// One planning period, as the planner defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// First month.
    pub start: Month,
    /// Months in it.
    pub months: u32,
    /// Calendar year of its first month.
    pub year: i32,
    /// Discount factor at its middle: `(1 + r)^(−years from the start to the middle)`.
    pub discount: f64,
    /// Label: `2027-03` or `2027-Q1`.
    pub label: String,
}

/// The scenario's planning periods.
pub fn periods(s: &Scenario) -> Vec<Period> {
    let settings = &s.file.scenario;
    let m = settings.period.months();
    (0..settings.periods())
        .map(|p| {
            let offset = p * m;
            let months = m.min(settings.horizon_months - offset);
            let start = settings.start.plus(i64::from(offset));
            let mid_years = (f64::from(offset) + f64::from(months) / 2.0) / 12.0;
            Period {
                start,
                months,
                year: start.year(),
                discount: (1.0 + settings.discount_rate).powf(-mid_years),
                label: if m == 1 {
                    start.to_string()
                } else {
                    start.quarter_label()
                },
            }
        })
        .collect()
}

/// Months of `[a, a + n)` inside `[b, b + k)`.
fn overlap(a: Month, n: i64, b: Month, k: i64) -> i64 {
    let start = a.index().max(b.index());
    let end = (a.index() + n).min(b.index() + k);
    (end - start).max(0)
}

/// Sums a monthly series into periods.
fn per_period(monthly: &[f64], periods: &[Period]) -> Vec<f64> {
    let mut out = Vec::with_capacity(periods.len());
    let mut i = 0;
    for p in periods {
        let k = p.months as usize;
        out.push(monthly.iter().skip(i).take(k).sum());
        i += k;
    }
    out
}

/// Revenue per period: the revenue series plus every inference demand's tokens at its price.
pub fn revenue(s: &Scenario, periods: &[Period]) -> Vec<f64> {
    let settings = &s.file.scenario;
    let (start, months, m) = (
        settings.start,
        settings.horizon_months,
        settings.period.months(),
    );
    let mut out = match s
        .file
        .finance
        .as_ref()
        .and_then(|f| f.revenue_usd_per_month.as_ref())
    {
        Some(series) => per_period(&series.monthly(start, months, m), periods),
        None => vec![0.0; periods.len()],
    };
    for d in &s.file.inference {
        if let Some(monthly) = d.revenue_usd_per_month(settings) {
            for (o, v) in out.iter_mut().zip(per_period(&monthly, periods)) {
                *o += v;
            }
        }
    }
    out
}

/// One capacity line of the plan, split for the statement.
struct Line {
    period: usize,
    provider: String,
    chip: String,
    /// The whole cost as the planner counts it (toward commitments).
    cost: f64,
    /// Rented capacity cost (not owned), paid as used unless drawn from a prepaid balance.
    rented: f64,
    /// Not yet drawn from a prepaid balance.
    undrawn: f64,
    owned_opex: f64,
    depreciation: f64,
}

/// Projects the finances of `plan`, made for `s`.
pub fn project(s: &Scenario, plan: &Plan) -> Result<Statement, FinanceError> {
    if !plan.status.has_solution() {
        return Err(FinanceError::NoSolution(plan.status));
    }
    let settings = &s.file.scenario;
    let periods = periods(s);
    let n = periods.len();
    if plan.periods.len() != n {
        return Err(FinanceError::PeriodMismatch {
            plan: plan.periods.len(),
            scenario: n,
        });
    }
    let index: HashMap<&str, usize> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.label.as_str(), i))
        .collect();
    let period_of = |label: &str| -> Result<usize, FinanceError> {
        index
            .get(label)
            .copied()
            .ok_or_else(|| FinanceError::UnknownPeriod(label.to_string()))
    };
    let catalog = &s.catalog;
    let finance = s.file.finance.as_ref();
    let (start, months, m) = (
        settings.start,
        settings.horizon_months,
        settings.period.months(),
    );

    // Capacity.
    let mut lines: Vec<Line> = Vec::with_capacity(plan.capacity.len());
    for c in &plan.capacity {
        let p = period_of(&c.period)?;
        let hours = f64::from(periods[p].months) * HOURS_PER_MONTH;
        let offering = catalog.offering(&c.offering);
        let owned = offering.is_some_and(|o| o.price_model == PriceModel::Owned);
        let (rented, owned_opex, depreciation) = if owned {
            let bought = (c.chips - c.reserved_chips).max(0.0);
            let held = bought * c.usd_per_chip_hour * hours;
            let opex_rate = offering
                .and_then(|o| o.opex_usd_per_chip_hour)
                .unwrap_or(0.0)
                .min(c.usd_per_chip_hour);
            let opex = bought * opex_rate * hours;
            ((c.cost_usd - held).max(0.0), opex, (held - opex).max(0.0))
        } else {
            (c.cost_usd, 0.0, 0.0)
        };
        lines.push(Line {
            period: p,
            provider: c.provider.clone(),
            chip: c.chip.clone(),
            cost: c.cost_usd,
            rented,
            undrawn: rented,
            owned_opex,
            depreciation,
        });
    }
    let mut by_period: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, l) in lines.iter().enumerate() {
        by_period[l.period].push(i);
    }
    let mut capex = vec![0.0; n];
    let mut capex_by_provider: Vec<(usize, String, f64)> = Vec::new();
    for c in &plan.cohorts {
        let Some(o) = catalog.offering(&c.offering) else {
            continue;
        };
        if o.price_model != PriceModel::Owned {
            continue;
        }
        let p = period_of(&c.start)?;
        let amount = c.chips * o.capex_usd_per_chip.unwrap_or(0.0);
        capex[p] += amount;
        capex_by_provider.push((p, o.provider.clone(), amount));
    }

    // Commitments, in the order written (prepaid balances draw in that order).
    let mut contracts = Vec::with_capacity(s.file.commitment.len());
    for c in &s.file.commitment {
        let provider = catalog
            .provider(&c.provider)
            .map(|v| v.id.clone())
            .unwrap_or_default();
        let scope: Vec<String> = c
            .chips
            .iter()
            .filter_map(|x| catalog.accelerator(x).map(|a| a.id.clone()))
            .collect();
        let covers =
            |l: &Line| l.provider == provider && (scope.is_empty() || scope.contains(&l.chip));
        let term = i64::from(c.term_months);
        let months_in: Vec<u32> = periods
            .iter()
            .map(|p| overlap(p.start, i64::from(p.months), c.start, term) as u32)
            .collect();
        let share: Vec<f64> = periods
            .iter()
            .zip(&months_in)
            .map(|(p, k)| f64::from(*k) / f64::from(p.months.max(1)))
            .collect();
        // A commitment with a minimum counts the spend the plan attributed to it (each dollar
        // toward one commitment, docs/model.md constraint 6); one without counts all it covers.
        let minimum = months_in.iter().any(|k| *k > 0)
            && (matches!(
                c.payment,
                allot_scenario::PaymentTerms::MonthlyMinimum
                    | allot_scenario::PaymentTerms::AsDelivered
            ) || c.take_or_pay);
        let spend: Vec<f64> = if minimum {
            let mut spend = vec![0.0; n];
            let line = plan.commitments.iter().find(|l| l.name == c.name);
            for a in line.map(|l| l.attribution.as_slice()).unwrap_or_default() {
                spend[period_of(&a.period)?] += a.usd;
            }
            spend
        } else {
            (0..n)
                .map(|p| {
                    by_period[p]
                        .iter()
                        .map(|&i| &lines[i])
                        .filter(|l| covers(l))
                        .map(|l| l.cost * share[p])
                        .sum()
                })
                .collect()
        };
        let terms = ContractTerms {
            payment: c.payment,
            take_or_pay: c.take_or_pay,
            total_usd: c.total_usd,
            term_months: c.term_months,
            months_before: c.start.months_until(start).clamp(0, term) as u32,
            months_in,
            ends_inside: c.end() > start && c.end() <= settings.end(),
            due: match c.payment {
                allot_scenario::PaymentTerms::AsDelivered => {
                    let months = allot_scenario::delivery::delivered_minimums(&s.file, catalog, c)
                        .unwrap_or_default();
                    allot_scenario::delivery::per_period_minimums(
                        c.start,
                        &months,
                        periods.iter().map(|per| (per.start, per.months)),
                    )
                }
                _ => Vec::new(),
            },
        };
        let sched = schedule(&terms, &spend, |p, wanted| {
            let in_scope: Vec<usize> = by_period[p]
                .iter()
                .copied()
                .filter(|&i| covers(&lines[i]))
                .collect();
            let available: f64 = in_scope.iter().map(|&i| lines[i].undrawn * share[p]).sum();
            if available <= 0.0 {
                return 0.0;
            }
            let taken = wanted.min(available);
            let fraction = taken / available;
            for i in in_scope {
                lines[i].undrawn -= fraction * lines[i].undrawn * share[p];
            }
            taken
        });
        contracts.push(ContractLine {
            name: c.name.clone(),
            provider,
            payment: c.payment,
            take_or_pay: c.take_or_pay,
            obligation_usd: terms.obligation(),
            spend_usd: spend.iter().sum(),
            prepaid_usd: sched.prepaid.iter().sum(),
            drawn_usd: sched.drawn.iter().sum(),
            charges_usd: sched.charges.iter().sum(),
            refunded_usd: sched.refunded.iter().sum(),
            balance_end_usd: sched.balance_end,
            cash_adjustment_by_period: sched.cash_adjustment(),
            charges_by_period: sched.charges,
        });
    }

    // Other flows.
    let revenue = revenue(s, &periods);
    let other_opex = match finance.and_then(|f| f.other_opex_usd_per_month.as_ref()) {
        Some(series) => per_period(&series.monthly(start, months, m), &periods),
        None => vec![0.0; n],
    };
    let mut funding = vec![0.0; n];
    for f in finance.map(|f| f.funding.as_slice()).unwrap_or_default() {
        if settings.contains(f.month) {
            let k = start.months_until(f.month) as u32 / m;
            funding[(k as usize).min(n - 1)] += f.usd;
        }
    }
    let starting_cash = finance.map_or(0.0, |f| f.starting_cash_usd);

    // Periods.
    let mut out_periods = Vec::with_capacity(n);
    let mut cash = starting_cash;
    let mut cumulative_result = 0.0;
    for (p, per) in periods.iter().enumerate() {
        let mut a = Amounts {
            revenue_usd: revenue[p],
            other_opex_usd: other_opex[p],
            funding_usd: funding[p],
            capex_usd: capex[p],
            ..Amounts::default()
        };
        for &i in &by_period[p] {
            let l = &lines[i];
            a.capacity_usd += l.rented;
            a.owned_opex_usd += l.owned_opex;
            a.depreciation_usd += l.depreciation;
        }
        let adjustment: f64 = contracts
            .iter()
            .map(|c| c.cash_adjustment_by_period[p])
            .sum();
        a.commitment_charges_usd = contracts.iter().map(|c| c.charges_by_period[p]).sum();
        a.compute_usd =
            a.capacity_usd + a.commitment_charges_usd + a.owned_opex_usd + a.depreciation_usd;
        a.operating_result_usd = a.revenue_usd - a.compute_usd - a.other_opex_usd;
        a.compute_cash_usd = a.capacity_usd + adjustment + a.owned_opex_usd;
        a.burn_usd = a.compute_cash_usd + a.capex_usd + a.other_opex_usd - a.revenue_usd;
        a.cash_flow_usd = a.funding_usd - a.burn_usd;
        a.burn_present_value_usd = a.burn_usd * per.discount;
        let cash_start = cash;
        cash += a.cash_flow_usd;
        cumulative_result += a.operating_result_usd;
        out_periods.push(PeriodLine {
            label: per.label.clone(),
            year: per.year,
            discount: per.discount,
            amounts: a,
            cash_start_usd: cash_start,
            cash_end_usd: cash,
            cumulative_loss_usd: -cumulative_result,
        });
    }

    // Years.
    let mut years: Vec<YearLine> = Vec::new();
    for (line, per) in out_periods.iter().zip(&periods) {
        match years.last_mut() {
            Some(y) if y.year == line.year => {
                y.months += per.months;
                y.amounts.add(&line.amounts);
                y.cash_end_usd = line.cash_end_usd;
                y.cumulative_loss_usd = line.cumulative_loss_usd;
            }
            _ => years.push(YearLine {
                year: line.year,
                months: per.months,
                amounts: line.amounts,
                cash_start_usd: line.cash_start_usd,
                cash_end_usd: line.cash_end_usd,
                cumulative_loss_usd: line.cumulative_loss_usd,
            }),
        }
    }

    // Providers: cost and cash per year.
    let mut prov: BTreeMap<String, BTreeMap<i32, (f64, f64)>> = BTreeMap::new();
    for l in &lines {
        let e = prov
            .entry(l.provider.clone())
            .or_default()
            .entry(periods[l.period].year)
            .or_default();
        e.0 += l.rented + l.owned_opex + l.depreciation;
        e.1 += l.rented + l.owned_opex;
    }
    for (p, provider, amount) in &capex_by_provider {
        let e = prov
            .entry(provider.clone())
            .or_default()
            .entry(periods[*p].year)
            .or_default();
        e.1 += amount;
    }
    for c in &contracts {
        for (p, per) in periods.iter().enumerate() {
            let (charge, cash) = (c.charges_by_period[p], c.cash_adjustment_by_period[p]);
            if charge != 0.0 || cash != 0.0 {
                let e = prov
                    .entry(c.provider.clone())
                    .or_default()
                    .entry(per.year)
                    .or_default();
                e.0 += charge;
                e.1 += cash;
            }
        }
    }
    let providers = prov
        .into_iter()
        .map(|(provider, ys)| ProviderLine {
            provider,
            years: ys.into_iter().map(|(y, (c, k))| (y, c, k)).collect(),
        })
        .collect();

    // Summary.
    let mut total = Amounts::default();
    for l in &out_periods {
        total.add(&l.amounts);
    }
    let lowest = out_periods
        .iter()
        .map(|l| l.cash_end_usd)
        .fold(starting_cash, f64::min);
    let runway = out_periods.iter().position(|l| l.cash_end_usd < 0.0);
    let mut statement = Statement {
        starting_cash_usd: starting_cash,
        funding_gap_usd: (-lowest).max(0.0),
        lowest_cash_usd: lowest,
        runway_end: runway.map(|p| periods[p].label.clone()),
        runway_months: match runway {
            Some(p) => periods[..p].iter().map(|x| x.months).sum(),
            None => settings.horizon_months,
        },
        cumulative_loss_usd: -cumulative_result,
        peak_cumulative_loss_usd: out_periods
            .iter()
            .map(|l| l.cumulative_loss_usd)
            .fold(0.0, f64::max),
        periods: out_periods,
        years,
        contracts,
        providers,
        total,
        references: Vec::new(),
    };
    statement.references = finance
        .map(|f| f.reference.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| ReferenceLine {
            label: r.label.clone(),
            metric: r.metric,
            from_year: r.from_year,
            to_year: r.to_year,
            reported_usd: r.value_usd,
            projected_usd: statement.metric(r.metric, r.from_year, r.to_year),
            source_url: r.source_url.clone(),
            source_date: r.source_date.clone(),
        })
        .collect();
    Ok(statement)
}
