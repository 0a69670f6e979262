//! The financial statement of a plan: per period, per calendar year, per contract and per
//! provider, with the summary figures (funding gap, runway, present value).

use allot_scenario::{PaymentTerms, ReferenceMetric};

/// Money flows of one period or one year, USD. Every field adds up over periods, so a year's
/// amounts are the sum of its periods'.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Amounts {
    /// Revenue: the revenue series plus tokens served at their price.
    pub revenue_usd: f64,
    /// Rented capacity (cloud, reservations) at the price paid, as used or held.
    pub capacity_usd: f64,
    /// Take-or-pay charges beyond capacity: shortfalls, top-ups to monthly minimums and
    /// prepaid balances forfeited at the end of a term.
    pub commitment_charges_usd: f64,
    /// Operating cost of owned capacity (power, space, maintenance).
    pub owned_opex_usd: f64,
    /// Depreciation of owned capacity.
    pub depreciation_usd: f64,
    /// Compute cost in the operating result: capacity + commitment charges + owned opex +
    /// depreciation.
    pub compute_usd: f64,
    /// Operating costs other than compute.
    pub other_opex_usd: f64,
    /// Revenue − compute − other opex.
    pub operating_result_usd: f64,
    /// Cash paid for compute: capacity not drawn from a prepaid balance, prepayments,
    /// commitment charges (less refunds) and owned opex.
    pub compute_cash_usd: f64,
    /// Cash paid for owned hardware when it is bought.
    pub capex_usd: f64,
    /// Cash raised.
    pub funding_usd: f64,
    /// Cash out minus cash in before funding: compute cash + capex + other opex − revenue.
    pub burn_usd: f64,
    /// Change in cash: funding − burn.
    pub cash_flow_usd: f64,
    /// Burn discounted to the scenario start at the scenario's discount rate.
    pub burn_present_value_usd: f64,
}

impl Amounts {
    /// Adds `other` to `self`, field by field.
    pub fn add(&mut self, other: &Amounts) {
        self.revenue_usd += other.revenue_usd;
        self.capacity_usd += other.capacity_usd;
        self.commitment_charges_usd += other.commitment_charges_usd;
        self.owned_opex_usd += other.owned_opex_usd;
        self.depreciation_usd += other.depreciation_usd;
        self.compute_usd += other.compute_usd;
        self.other_opex_usd += other.other_opex_usd;
        self.operating_result_usd += other.operating_result_usd;
        self.compute_cash_usd += other.compute_cash_usd;
        self.capex_usd += other.capex_usd;
        self.funding_usd += other.funding_usd;
        self.burn_usd += other.burn_usd;
        self.cash_flow_usd += other.cash_flow_usd;
        self.burn_present_value_usd += other.burn_present_value_usd;
    }

    /// The cash spent on compute: compute cash plus capex.
    pub fn compute_spend_usd(&self) -> f64 {
        self.compute_cash_usd + self.capex_usd
    }
}

/// One planning period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodLine {
    /// Label, `2027-03` or `2027-Q1`.
    pub label: String,
    /// Calendar year of its first month.
    pub year: i32,
    /// Discount factor at its middle.
    pub discount: f64,
    /// Its flows.
    pub amounts: Amounts,
    /// Cash at its start.
    pub cash_start_usd: f64,
    /// Cash at its end: start + revenue − costs paid + funding.
    pub cash_end_usd: f64,
    /// Accumulated losses at its end: minus the operating results summed from the scenario
    /// start (negative once profits exceed earlier losses).
    pub cumulative_loss_usd: f64,
}

/// One calendar year (or the part of it inside the horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct YearLine {
    /// The year.
    pub year: i32,
    /// Months of it inside the horizon.
    pub months: u32,
    /// Its flows.
    pub amounts: Amounts,
    /// Cash at its start.
    pub cash_start_usd: f64,
    /// Cash at its end.
    pub cash_end_usd: f64,
    /// Accumulated losses at its end, summed from the scenario start.
    pub cumulative_loss_usd: f64,
}

/// One spend commitment under its payment terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractLine {
    /// Commitment name.
    pub name: String,
    /// Provider id.
    pub provider: String,
    /// Payment terms.
    pub payment: PaymentTerms,
    /// Whether an unspent remainder is paid anyway.
    pub take_or_pay: bool,
    /// Part of the commitment that falls inside the horizon, USD.
    pub obligation_usd: f64,
    /// Capacity spend that counts toward it, USD (as the planner counts it).
    pub spend_usd: f64,
    /// Prepaid (paid in advance at the start of the term, when inside the horizon), USD.
    pub prepaid_usd: f64,
    /// Capacity spend paid from the prepaid balance rather than in cash, USD.
    pub drawn_usd: f64,
    /// Take-or-pay charges: shortfall, monthly-minimum top-ups or forfeited balance, USD.
    pub charges_usd: f64,
    /// Prepaid balance refunded at the end of the term (prepaid without take-or-pay), USD.
    pub refunded_usd: f64,
    /// Prepaid balance left at the end of the horizon (an asset), USD.
    pub balance_end_usd: f64,
    /// Cash paid under the contract beyond capacity as it is used, per period: prepayments and
    /// charges, less refunds and spend drawn from the balance.
    pub cash_adjustment_by_period: Vec<f64>,
    /// Charges in the operating result per period.
    pub charges_by_period: Vec<f64>,
}

/// Compute cost and cash with one provider, by calendar year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderLine {
    /// Provider id.
    pub provider: String,
    /// (year, compute cost in the operating result, cash incl. capex), USD.
    pub years: Vec<(i32, f64, f64)>,
}

/// A reported figure beside the projection of the same quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceLine {
    /// What the figure is.
    pub label: String,
    /// The quantity.
    pub metric: ReferenceMetric,
    /// First year.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// The reported value, USD.
    pub reported_usd: f64,
    /// The projection of the same quantity, USD.
    pub projected_usd: f64,
    /// Where it was reported.
    pub source_url: String,
    /// When.
    pub source_date: String,
}

impl ReferenceLine {
    /// Projected / reported − 1.
    pub fn difference(&self) -> f64 {
        if self.reported_usd == 0.0 {
            0.0
        } else {
            self.projected_usd / self.reported_usd - 1.0
        }
    }
}

/// The whole statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Cash at the scenario start.
    pub starting_cash_usd: f64,
    /// Per period.
    pub periods: Vec<PeriodLine>,
    /// Per calendar year.
    pub years: Vec<YearLine>,
    /// Per commitment.
    pub contracts: Vec<ContractLine>,
    /// Per provider.
    pub providers: Vec<ProviderLine>,
    /// Totals over the horizon.
    pub total: Amounts,
    /// Smallest cash balance at a period's end (negative: money must be found).
    pub lowest_cash_usd: f64,
    /// Cash to raise beyond the funding listed so that cash never goes below zero.
    pub funding_gap_usd: f64,
    /// The first period whose cash at its end is negative; `None` when cash lasts the horizon.
    pub runway_end: Option<String>,
    /// Months from the scenario start to the end of the runway (the horizon when it lasts).
    pub runway_months: u32,
    /// Accumulated losses at the end of the horizon.
    pub cumulative_loss_usd: f64,
    /// The largest accumulated loss at any period's end.
    pub peak_cumulative_loss_usd: f64,
    /// Reported figures beside their projections.
    pub references: Vec<ReferenceLine>,
}

impl Statement {
    /// The funding gap as it stands at the end of each calendar year: the cash to raise beyond
    /// the funding listed so that cash never went below zero up to then (the last value is
    /// [`Statement::funding_gap_usd`]).
    pub fn funding_gap_by_year(&self) -> Vec<(i32, f64)> {
        let mut lowest = self.starting_cash_usd;
        self.years
            .iter()
            .map(|y| {
                for p in self.periods.iter().filter(|p| p.year == y.year) {
                    lowest = lowest.min(p.cash_end_usd);
                }
                (y.year, (-lowest).max(0.0))
            })
            .collect()
    }

    /// The projected value of `metric` over the calendar years `from..=to`.
    pub fn metric(&self, metric: ReferenceMetric, from: i32, to: i32) -> f64 {
        let mut a = Amounts::default();
        for y in self.years.iter().filter(|y| y.year >= from && y.year <= to) {
            a.add(&y.amounts);
        }
        match metric {
            ReferenceMetric::CashBurn => a.burn_usd,
            ReferenceMetric::OperatingLoss => -a.operating_result_usd,
            ReferenceMetric::Revenue => a.revenue_usd,
            ReferenceMetric::ComputeSpend => a.compute_spend_usd(),
        }
    }
}
