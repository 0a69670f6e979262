//! The financial statement as JSON (`allot finance --json`, and the `finance` object of the plan
//! JSON), and the plan JSON itself: wire types, distinct from `allot-finance`'s core types so
//! that the core can change without changing what scripts read.

use allot_finance::{Amounts, Statement};
use allot_plan_format::Plan;
use allot_scenario::{PaymentTerms, ReferenceMetric, Scenario};
use schemars::JsonSchema;
use serde::Serialize;

/// Money flows of a year or a period, USD.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AmountsJson {
    /// Revenue: the revenue series plus tokens served at their price.
    pub revenue_usd: f64,
    /// Compute cost in the operating result: capacity, commitment charges, owned opex and
    /// depreciation.
    pub compute_usd: f64,
    /// Rented capacity at the price paid.
    pub capacity_usd: f64,
    /// Take-or-pay charges: shortfalls, monthly-minimum top-ups, forfeited prepaid balances.
    pub commitment_charges_usd: f64,
    /// Operating cost of owned capacity.
    pub owned_opex_usd: f64,
    /// Depreciation of owned capacity.
    pub depreciation_usd: f64,
    /// Operating costs other than compute.
    pub other_opex_usd: f64,
    /// Revenue − compute − other opex.
    pub operating_result_usd: f64,
    /// Cash paid for compute under the payment terms (without capex).
    pub compute_cash_usd: f64,
    /// Cash paid for owned hardware.
    pub capex_usd: f64,
    /// Cash raised.
    pub funding_usd: f64,
    /// Cash out minus cash in before funding.
    pub burn_usd: f64,
    /// Burn discounted to the scenario start.
    pub burn_present_value_usd: f64,
}

impl From<&Amounts> for AmountsJson {
    fn from(a: &Amounts) -> Self {
        AmountsJson {
            revenue_usd: a.revenue_usd,
            compute_usd: a.compute_usd,
            capacity_usd: a.capacity_usd,
            commitment_charges_usd: a.commitment_charges_usd,
            owned_opex_usd: a.owned_opex_usd,
            depreciation_usd: a.depreciation_usd,
            other_opex_usd: a.other_opex_usd,
            operating_result_usd: a.operating_result_usd,
            compute_cash_usd: a.compute_cash_usd,
            capex_usd: a.capex_usd,
            funding_usd: a.funding_usd,
            burn_usd: a.burn_usd,
            burn_present_value_usd: a.burn_present_value_usd,
        }
    }
}

/// One calendar year.
#[derive(Debug, Serialize, JsonSchema)]
pub struct YearJson {
    /// The year.
    pub year: i32,
    /// Months of it inside the horizon.
    pub months: u32,
    /// Its flows.
    #[serde(flatten)]
    pub amounts: AmountsJson,
    /// Cash at its start.
    pub cash_start_usd: f64,
    /// Cash at its end.
    pub cash_end_usd: f64,
    /// Accumulated losses at its end, summed from the scenario start (negative once profits
    /// exceed earlier losses).
    pub cumulative_loss_usd: f64,
}

/// One planning period.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PeriodJson {
    /// Label: `2027-03` or `2027-Q1`.
    pub period: String,
    /// Discount factor at its middle.
    pub discount: f64,
    /// Its flows.
    #[serde(flatten)]
    pub amounts: AmountsJson,
    /// Cash at its start.
    pub cash_start_usd: f64,
    /// Cash at its end.
    pub cash_end_usd: f64,
    /// Accumulated losses at its end.
    pub cumulative_loss_usd: f64,
}

/// A commitment under its payment terms.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContractJson {
    /// Commitment name.
    pub name: String,
    /// Provider id.
    pub provider: String,
    /// `as_used`, `monthly_minimum` or `prepaid`.
    pub payment: String,
    /// Whether an unspent remainder is paid anyway.
    pub take_or_pay: bool,
    /// Part of the commitment inside the horizon.
    pub obligation_usd: f64,
    /// Capacity spend that counts toward it.
    pub spend_usd: f64,
    /// Paid in advance.
    pub prepaid_usd: f64,
    /// Spend drawn from the prepaid balance.
    pub drawn_usd: f64,
    /// Take-or-pay charges.
    pub charges_usd: f64,
    /// Balance refunded.
    pub refunded_usd: f64,
    /// Prepaid balance left at the end of the horizon.
    pub balance_end_usd: f64,
}

/// Compute cost and cash with one provider in one year.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderYearJson {
    /// Provider id.
    pub provider: String,
    /// Calendar year.
    pub year: i32,
    /// Compute cost in the operating result.
    pub compute_usd: f64,
    /// Cash paid, capex included.
    pub cash_usd: f64,
}

/// A reported figure beside its projection.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReferenceJson {
    /// What the figure is.
    pub label: String,
    /// `cash_burn`, `operating_loss`, `revenue` or `compute_spend`.
    pub metric: String,
    /// First year.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// The reported value.
    pub reported_usd: f64,
    /// The projection of the same quantity.
    pub projected_usd: f64,
    /// Projected / reported − 1.
    pub difference: f64,
    /// Where it was reported.
    pub source_url: String,
    /// When.
    pub source_date: String,
}

/// The financial projection of a plan (docs/finance.md).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FinanceJson {
    /// Cash at the scenario start.
    pub starting_cash_usd: f64,
    /// Smallest cash balance at a period's end.
    pub lowest_cash_usd: f64,
    /// Cash to raise beyond the listed funding so that cash never goes below zero.
    pub funding_gap_usd: f64,
    /// The first period whose cash at its end is negative; null when cash lasts the horizon.
    pub runway_end: Option<String>,
    /// Months from the scenario start until cash runs out (the horizon when it lasts).
    pub runway_months: u32,
    /// Accumulated losses at the end of the horizon.
    pub cumulative_loss_usd: f64,
    /// The largest accumulated loss at any period's end.
    pub peak_cumulative_loss_usd: f64,
    /// Totals over the horizon.
    pub total: AmountsJson,
    /// One object per calendar year.
    pub years: Vec<YearJson>,
    /// Reported figures beside the projection.
    pub references: Vec<ReferenceJson>,
    /// Per planning period (`allot finance --json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<Vec<PeriodJson>>,
    /// Per commitment (`allot finance --json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contracts: Option<Vec<ContractJson>>,
    /// Per provider and year (`allot finance --json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<ProviderYearJson>>,
}

/// A reference metric as written in JSON (`cash_burn`, ...).
fn metric_name(m: ReferenceMetric) -> &'static str {
    match m {
        ReferenceMetric::CashBurn => "cash_burn",
        ReferenceMetric::OperatingLoss => "operating_loss",
        ReferenceMetric::Revenue => "revenue",
        ReferenceMetric::ComputeSpend => "compute_spend",
    }
}

/// Payment terms as written in JSON and in the statement (`as_used`, ...).
pub fn terms_name(p: PaymentTerms) -> &'static str {
    match p {
        PaymentTerms::AsUsed => "as_used",
        PaymentTerms::MonthlyMinimum => "monthly_minimum",
        PaymentTerms::Prepaid => "prepaid",
        PaymentTerms::AsDelivered => "as_delivered",
    }
}

impl FinanceJson {
    /// The summary (`full = false`, as in the plan JSON) or the whole statement.
    pub fn new(st: &Statement, full: bool) -> Self {
        FinanceJson {
            starting_cash_usd: st.starting_cash_usd,
            lowest_cash_usd: st.lowest_cash_usd,
            funding_gap_usd: st.funding_gap_usd,
            runway_end: st.runway_end.clone(),
            runway_months: st.runway_months,
            cumulative_loss_usd: st.cumulative_loss_usd,
            peak_cumulative_loss_usd: st.peak_cumulative_loss_usd,
            total: AmountsJson::from(&st.total),
            years: st
                .years
                .iter()
                .map(|y| YearJson {
                    year: y.year,
                    months: y.months,
                    amounts: AmountsJson::from(&y.amounts),
                    cash_start_usd: y.cash_start_usd,
                    cash_end_usd: y.cash_end_usd,
                    cumulative_loss_usd: y.cumulative_loss_usd,
                })
                .collect(),
            references: st
                .references
                .iter()
                .map(|r| ReferenceJson {
                    label: r.label.clone(),
                    metric: metric_name(r.metric).to_string(),
                    from_year: r.from_year,
                    to_year: r.to_year,
                    reported_usd: r.reported_usd,
                    projected_usd: r.projected_usd,
                    difference: r.difference(),
                    source_url: r.source_url.clone(),
                    source_date: r.source_date.clone(),
                })
                .collect(),
            periods: full.then(|| {
                st.periods
                    .iter()
                    .map(|p| PeriodJson {
                        period: p.label.clone(),
                        discount: p.discount,
                        amounts: AmountsJson::from(&p.amounts),
                        cash_start_usd: p.cash_start_usd,
                        cash_end_usd: p.cash_end_usd,
                        cumulative_loss_usd: p.cumulative_loss_usd,
                    })
                    .collect()
            }),
            contracts: full.then(|| {
                st.contracts
                    .iter()
                    .map(|c| ContractJson {
                        name: c.name.clone(),
                        provider: c.provider.clone(),
                        payment: terms_name(c.payment).to_string(),
                        take_or_pay: c.take_or_pay,
                        obligation_usd: c.obligation_usd,
                        spend_usd: c.spend_usd,
                        prepaid_usd: c.prepaid_usd,
                        drawn_usd: c.drawn_usd,
                        charges_usd: c.charges_usd,
                        refunded_usd: c.refunded_usd,
                        balance_end_usd: c.balance_end_usd,
                    })
                    .collect()
            }),
            providers: full.then(|| {
                st.providers
                    .iter()
                    .flat_map(|p| {
                        p.years.iter().map(|(year, cost, cash)| ProviderYearJson {
                            provider: p.provider.clone(),
                            year: *year,
                            compute_usd: *cost,
                            cash_usd: *cash,
                        })
                    })
                    .collect()
            }),
        }
    }
}

/// The plan JSON of `allot plan --json` and `plan.json`: the plan with a `finance` object.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanJson<'a> {
    /// The plan.
    #[serde(flatten)]
    pub plan: &'a Plan,
    /// The financial projection of the plan; absent when the plan has no solution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finance: Option<FinanceJson>,
}

/// The JSON Schema of [`PlanJson`] (`allot schema plan`).
pub fn plan_schema() -> serde_json::Value {
    schemars::schema_for!(PlanJson<'static>).to_value()
}

/// `plan` as JSON with its financial projection for `scenario`.
pub fn plan_json(scenario: &Scenario, plan: &Plan) -> Result<String, serde_json::Error> {
    let finance = allot_finance::project(scenario, plan)
        .ok()
        .map(|st| FinanceJson::new(&st, false));
    serde_json::to_string_pretty(&PlanJson { plan, finance })
}
