//! Scenario format, version 1: the types a scenario file deserialises into.
//!
//! `docs/scenario.md` describes the format for users; `allot schema scenario` prints the JSON
//! Schema generated from these types. Units are in field names (`_usd`, `_mw`, `_months`).

use allot_model::Architecture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DAYS_PER_MONTH, Month, Series};

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Scenario format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// Name, time frame and money settings.
    pub scenario: Settings,
    /// Which catalog to plan with.
    #[serde(default, skip_serializing_if = "is_default")]
    pub catalog: CatalogSection,
    /// Training runs to place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<TrainingRun>,
    /// Inference demand to serve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inference: Vec<InferenceDemand>,
    /// Spend commitments with providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitment: Vec<Commitment>,
    /// Capacity already reserved, paid whether used or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reservation: Vec<Reservation>,
    /// Workloads that may run only on named providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusivity: Vec<Exclusivity>,
    /// How many chips an offering (or a provider's chip) can deliver each month.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability: Vec<Availability>,
    /// Caps: vendor and provider shares, power, yearly budgets, spot haircuts.
    #[serde(default, skip_serializing_if = "is_default")]
    pub policy: Policy,
    /// Revenue, other costs, cash and funding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finance: Option<Finance>,
    /// Overrides of the performance model.
    #[serde(default, skip_serializing_if = "is_default")]
    pub performance: Performance,
    /// Uncertain inputs, sampled by `allot risk`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertainty: Vec<Uncertainty>,
}

/// Overrides of the performance model's stated defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Performance {
    /// Software-maturity factor per accelerator (id or alias → factor, 0.05 to 2), multiplying
    /// the calibrated utilisation; e.g. `{ trainium3 = 0.8 }`. Defaults are in
    /// docs/performance-model.md.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub maturity: std::collections::BTreeMap<String, f64>,
}

/// Planning granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// One period per calendar month.
    #[default]
    Month,
    /// One period per three months, starting at the scenario start.
    Quarter,
}

impl Period {
    /// Months per period.
    pub fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
        }
    }
}

/// Currency of every amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Currency {
    /// US dollars.
    #[default]
    #[serde(rename = "USD")]
    Usd,
}

/// Name, time frame and money settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Display name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// What the scenario is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// First month planned.
    pub start: Month,
    /// Number of months planned (84 = seven years).
    #[schemars(range(min = 1, max = 600))]
    pub horizon_months: u32,
    /// Planning period: `month` or `quarter`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: Period,
    /// Currency of all amounts; only USD.
    #[serde(default, skip_serializing_if = "is_default")]
    pub currency: Currency,
    /// Yearly discount rate for present values, e.g. 0.08.
    #[serde(default, skip_serializing_if = "is_default")]
    #[schemars(range(min = 0, max = 1))]
    pub discount_rate: f64,
}

impl Settings {
    /// The month after the last planned month.
    pub fn end(&self) -> Month {
        self.start.plus(i64::from(self.horizon_months))
    }

    /// The last planned month.
    pub fn last_month(&self) -> Month {
        self.start.plus(i64::from(self.horizon_months) - 1)
    }

    /// Number of planning periods (a partial last quarter counts).
    pub fn periods(&self) -> u32 {
        self.horizon_months.div_ceil(self.period.months())
    }

    /// Whether `month` is inside the horizon.
    pub fn contains(&self, month: Month) -> bool {
        month >= self.start && month < self.end()
    }
}

/// Which catalog to plan with: the built-in one, extra files, and price overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogSection {
    /// Start from the built-in catalog (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub builtin: bool,
    /// Catalog files, relative to the scenario file, applied in order after the built-in one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Price changes to single offerings, applied last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_override: Vec<PriceOverride>,
}

impl Default for CatalogSection {
    fn default() -> Self {
        CatalogSection {
            builtin: true,
            files: Vec::new(),
            price_override: Vec::new(),
        }
    }
}

/// A changed price for one offering (e.g. a negotiated discount). Give exactly one of
/// `usd_per_chip_hour`, `usd_per_instance_hour` or `discount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Offering id.
    #[schemars(extend("format" = "name"))]
    pub offering: String,
    /// New price per chip-hour, USD, at most 1e9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e9), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a price per chip-hour past 1e9 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub usd_per_chip_hour: Option<f64>,
    /// New price per instance-hour, USD, at most 1e9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e9), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a price per chip-hour past 1e9 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub usd_per_instance_hour: Option<f64>,
    /// Discount off the catalog price, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub discount: Option<f64>,
    /// Where the new price comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A model: a preset id (`llama3.1-405b`) or an explicit architecture table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ModelSpec {
    /// A published model, by preset id.
    Preset(#[schemars(extend("format" = "name"))] String),
    /// An explicit architecture.
    Architecture(Architecture),
}

/// Numeric precision of the matrix multiplications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// bfloat16.
    #[default]
    Bf16,
    /// 8-bit floating point (falls back to bf16 on chips without FP8).
    Fp8,
}

/// A training run to place on one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRun {
    /// Unique workload name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// The model trained.
    pub model: ModelSpec,
    /// Training tokens.
    #[schemars(range(min = 1))]
    pub tokens: f64,
    /// Precision (default bf16).
    #[serde(default, skip_serializing_if = "is_default")]
    pub precision: Precision,
    /// First month the run may use; the scenario start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_start: Option<Month>,
    /// Last month the run may use (it must finish by the end of it); the horizon's end when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Month>,
    /// Accelerators allowed (ids or aliases); any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chips: Vec<String>,
    /// Providers allowed; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<String>,
    /// Smallest cluster, chips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min_chips: Option<u32>,
    /// Largest cluster, chips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_chips: Option<u32>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// How fast each user must see tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LatencyClass {
    /// Chat and agents: a reader-speed stream per user.
    #[default]
    Interactive,
    /// Between the two: slower streams are acceptable.
    Standard,
    /// Offline jobs: throughput only.
    Batch,
}

/// Inference demand to serve in every month of its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InferenceDemand {
    /// Unique workload name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// The model served.
    pub model: ModelSpec,
    /// Mean input (prompt and context) tokens per request.
    #[schemars(range(min = 1))]
    pub input_tokens: u32,
    /// Mean output (generated) tokens per request.
    #[schemars(range(min = 1))]
    pub output_tokens: u32,
    /// Requests per day, as a series over the horizon.
    pub requests_per_day: Series,
    /// Latency class (default interactive).
    #[serde(default, skip_serializing_if = "is_default")]
    pub latency: LatencyClass,
    /// Explicit per-user output speed, tokens/s; overrides the latency class's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub min_tokens_per_s_per_user: Option<f64>,
    /// Precision (default bf16).
    #[serde(default, skip_serializing_if = "is_default")]
    pub precision: Precision,
    /// First month served; the scenario start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Month>,
    /// Last month served; the horizon's end when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Month>,
    /// Accelerators allowed; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chips: Vec<String>,
    /// Providers allowed; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<String>,
    /// Revenue per million tokens served (input and output), USD; the finance projection adds
    /// it to the revenue series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub price_usd_per_million_tokens: Option<f64>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl InferenceDemand {
    /// Token revenue in each month of the horizon, USD: requests per day × days per month ×
    /// tokens per request × `price_usd_per_million_tokens` / 10⁶, zero outside the demand's
    /// `start`..=`end`; `None` without a price. The finance projection counts it as revenue and
    /// the planner's cash floor as a known inflow.
    pub fn revenue_usd_per_month(&self, settings: &Settings) -> Option<Vec<f64>> {
        let price = self.price_usd_per_million_tokens?;
        let per_request = f64::from(self.input_tokens) + f64::from(self.output_tokens);
        let first = self.start.unwrap_or(settings.start);
        let last = self.end.unwrap_or(settings.last_month());
        let monthly = self
            .requests_per_day
            .monthly(
                settings.start,
                settings.horizon_months,
                settings.period.months(),
            )
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let month = settings.start.plus(i as i64);
                if month < first || month > last {
                    0.0
                } else {
                    r * DAYS_PER_MONTH * per_request * price / 1e6
                }
            })
            .collect();
        Some(monthly)
    }
}

/// When a commitment's money is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentTerms {
    /// Paid as capacity is used; any take-or-pay shortfall at the end of the term.
    #[default]
    AsUsed,
    /// At least total/term paid every month, usage above that paid as used.
    MonthlyMinimum,
    /// The whole total paid in the first month.
    Prepaid,
    /// Take-or-pay paid as capacity is delivered: each month at least the total's share in
    /// proportion to the chips the provider's `[[availability]]` ramps in scope deliver then.
    AsDelivered,
}

/// A commitment to spend with a provider over a term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// Unique name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Provider id or alias.
    #[schemars(extend("format" = "name"))]
    pub provider: String,
    /// Committed spend over the term, USD.
    #[schemars(range(min = 0))]
    pub total_usd: f64,
    /// First month of the term.
    pub start: Month,
    /// Length of the term, months.
    #[schemars(range(min = 1, max = 600))]
    pub term_months: u32,
    /// Discount off list prices on spend under this commitment, 0 to 1.
    #[serde(default, skip_serializing_if = "is_default")]
    #[schemars(range(min = 0, max = 1))]
    pub discount: f64,
    /// Whether an unspent remainder is paid anyway (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub take_or_pay: bool,
    /// Payment terms (default as_used).
    #[serde(default, skip_serializing_if = "is_default")]
    pub payment: PaymentTerms,
    /// Accelerators whose spend counts toward it; all of the provider's when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chips: Vec<String>,
    /// Free text, e.g. the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Commitment {
    /// The month after the term ends.
    pub fn end(&self) -> Month {
        self.start.plus(i64::from(self.term_months))
    }
}

/// Capacity already reserved: paid for the whole term whether used or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// Unique name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Offering id reserved.
    #[schemars(extend("format" = "name"))]
    pub offering: String,
    /// Chips reserved.
    #[schemars(range(min = 1))]
    pub chips: u32,
    /// First month of the reservation.
    pub start: Month,
    /// Length, months.
    #[schemars(range(min = 1, max = 600))]
    pub term_months: u32,
    /// Price actually paid per chip-hour, USD, at most 1e9; the offering's price when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e9), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a price per chip-hour past 1e9 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub usd_per_chip_hour: Option<f64>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Workloads that may run only on the named providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusivity {
    /// Unique name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Training runs or inference demands bound by it.
    #[schemars(length(min = 1))]
    pub workloads: Vec<String>,
    /// Providers they may run on.
    #[schemars(length(min = 1))]
    pub providers: Vec<String>,
    /// First month it applies; the scenario start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Month>,
    /// Last month it applies; the horizon's end when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Month>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// How many chips can be had each month: of one offering, or of one chip at one provider
/// (across its offerings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Offering id; or give `provider` and `chip` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
    /// Provider id (with `chip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Accelerator id (with `provider`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip: Option<String>,
    /// Chips available in each month (a delivery ramp).
    pub chips: Series,
    /// Free text, e.g. the source of the ramp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// What a share cap measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShareBasis {
    /// Share of compute spend.
    #[default]
    Spend,
    /// Share of chips in use.
    Chips,
}

/// What a share cap counts: capacity held, or only the part of it that does work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapCounts {
    /// Every chip held (rented, reserved or owned), working or idle, and its spend.
    #[default]
    Held,
    /// Only the chips the plan's training clusters and serving draw on, and their spend:
    /// capacity that serves nothing counts toward neither the member nor the total.
    InUse,
}

/// At most `max_share` of spend (or chips) on one vendor's accelerators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorCap {
    /// Vendor id, e.g. `nvidia`.
    #[schemars(extend("format" = "name"))]
    pub vendor: String,
    /// Largest share, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub max_share: f64,
    /// Spend or chips (default spend).
    #[serde(default, skip_serializing_if = "is_default")]
    pub basis: ShareBasis,
    /// Capacity held, or only capacity in use (default held; docs/model.md, constraint 8).
    #[serde(default, skip_serializing_if = "is_default")]
    pub counts: CapCounts,
    /// First month it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Month>,
    /// Last month it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Month>,
}

/// At most `max_share` of spend (or chips) with one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderCap {
    /// Provider id or alias.
    #[schemars(extend("format" = "name"))]
    pub provider: String,
    /// Largest share, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub max_share: f64,
    /// Spend or chips (default spend).
    #[serde(default, skip_serializing_if = "is_default")]
    pub basis: ShareBasis,
    /// Capacity held, or only capacity in use (default held; docs/model.md, constraint 8).
    #[serde(default, skip_serializing_if = "is_default")]
    pub counts: CapCounts,
    /// First month it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Month>,
    /// Last month it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Month>,
}

/// A power cap on all chips in use: the sum of chip TDP × PUE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerCap {
    /// Facility power available each month, MW.
    pub cap_mw: Series,
    /// Power usage effectiveness: facility power per unit of chip power (≥ 1).
    #[schemars(range(min = 1, max = 3))]
    pub pue: f64,
}

/// A cap on compute spend in one calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Calendar year.
    #[schemars(range(min = 1900, max = 2200))]
    pub year: i32,
    /// Largest compute spend in that year, USD.
    #[schemars(range(min = 0))]
    pub max_usd: f64,
}

/// How spot capacity is discounted for its unreliability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpotPolicy {
    /// Fraction of spot capacity assumed unavailable, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub availability_haircut: f64,
    /// Extra work from preemptions (checkpoint and restart), as a fraction, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub preemption_overhead: f64,
    /// Whether training runs may use spot at all (default false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_training: bool,
}

/// Policy caps.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Caps on the share of one vendor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendor_cap: Vec<VendorCap>,
    /// Caps on the share of one provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_cap: Vec<ProviderCap>,
    /// A power cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerCap>,
    /// Yearly compute budgets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget: Vec<Budget>,
    /// Spot haircuts; spot offerings are not used when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<SpotPolicy>,
}

/// A funding event: equity, debt or a grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    /// Name, e.g. "Series F".
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Month the cash arrives.
    pub month: Month,
    /// Amount, USD.
    #[schemars(range(min = 0))]
    pub usd: f64,
    /// Free text, e.g. the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A reported figure to print beside the projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// What the figure is, e.g. "cumulative cash burn 2026-2029".
    #[schemars(extend("format" = "name"))]
    pub label: String,
    /// Which projected quantity it compares with.
    pub metric: ReferenceMetric,
    /// First calendar year covered.
    #[schemars(range(min = 1900, max = 2200))]
    pub from_year: i32,
    /// Last calendar year covered.
    #[schemars(range(min = 1900, max = 2200))]
    pub to_year: i32,
    /// The reported value, USD.
    pub value_usd: f64,
    /// Where it was reported.
    #[schemars(extend("format" = "url"))]
    pub source_url: String,
    /// When it was reported.
    #[schemars(extend("format" = "date"))]
    pub source_date: String,
}

/// A projected quantity a reference figure compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceMetric {
    /// Cash out minus cash in from operations, summed over the years.
    CashBurn,
    /// Operating losses summed over the years.
    OperatingLoss,
    /// Revenue summed over the years.
    Revenue,
    /// Compute spend summed over the years.
    ComputeSpend,
}

/// Revenue, other costs, cash and funding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finance {
    /// Cash at the scenario start, USD.
    #[schemars(range(min = 0))]
    pub starting_cash_usd: f64,
    /// Revenue per month, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_usd_per_month: Option<Series>,
    /// Operating costs other than compute (staff, sales, offices), USD per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_opex_usd_per_month: Option<Series>,
    /// Cash coming in from investors or lenders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<Funding>,
    /// Reported figures to compare the projection with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference: Vec<Reference>,
    /// Keep cash at or above this many USD at the end of every period: the planner then only
    /// buys capacity the company can pay for (cash from the starting cash, revenue, other
    /// operating costs and funding above, and compute paid as the planner times it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_floor_usd: Option<f64>,
}

/// What an uncertain input changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UncertaintyKind {
    /// A multiplier on the prices of the offerings named by `vendor`, `chip`, `provider` and
    /// `offering` (all of them when none is given): instance prices, capex and opex.
    Price,
    /// A multiplier on an inference demand's requests or a training run's tokens (`workload`;
    /// every inference demand when absent).
    Demand,
    /// A delay in months of the delivery ramps (`[[availability]]`) named by `offering`,
    /// `provider` and `chip` (all of them when none is given).
    DeliveryDelay,
    /// The software-maturity factor of `chip` (see `[performance] maturity`).
    Maturity,
    /// A multiplier on revenue: the revenue series and the prices per million tokens.
    Revenue,
}

impl UncertaintyKind {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            UncertaintyKind::Price => "price",
            UncertaintyKind::Demand => "demand",
            UncertaintyKind::DeliveryDelay => "delivery_delay",
            UncertaintyKind::Maturity => "maturity",
            UncertaintyKind::Revenue => "revenue",
        }
    }
}

/// A probability distribution's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistributionKind {
    /// Normal with `mean` and `sd`.
    Normal,
    /// Log-normal with `median` and `sigma` (the standard deviation of its logarithm).
    Lognormal,
    /// Triangular with `min`, `mode` and `max`.
    Triangular,
    /// Uniform between `min` and `max`.
    Uniform,
}

impl DistributionKind {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DistributionKind::Normal => "normal",
            DistributionKind::Lognormal => "lognormal",
            DistributionKind::Triangular => "triangular",
            DistributionKind::Uniform => "uniform",
        }
    }

    /// The parameters this family takes, in the order they are written.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            DistributionKind::Normal => &["mean", "sd"],
            DistributionKind::Lognormal => &["median", "sigma"],
            DistributionKind::Triangular => &["min", "mode", "max"],
            DistributionKind::Uniform => &["min", "max"],
        }
    }
}

/// An uncertain input of the scenario: what it changes, and the distribution of its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Unique name, shown in the sensitivity ranking.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// What the sampled value changes.
    pub kind: UncertaintyKind,
    /// Vendor id (kind `price`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Accelerator id or alias (kinds `price`, `delivery_delay`, `maturity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip: Option<String>,
    /// Provider id or alias (kinds `price`, `delivery_delay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Offering id (kinds `price`, `delivery_delay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
    /// Training run or inference demand (kind `demand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// The distribution's family.
    pub distribution: DistributionKind,
    /// Normal: mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Normal: standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub sd: Option<f64>,
    /// Log-normal: median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub median: Option<f64>,
    /// Log-normal: standard deviation of the natural logarithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub sigma: Option<f64>,
    /// Triangular and uniform: smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Triangular: most likely value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// Triangular and uniform: largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Free text, e.g. where the spread comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Uncertainty {
    /// The value of a distribution parameter by name, when given.
    pub fn parameter(&self, name: &str) -> Option<f64> {
        match name {
            "mean" => self.mean,
            "sd" => self.sd,
            "median" => self.median,
            "sigma" => self.sigma,
            "min" => self.min,
            "mode" => self.mode,
            "max" => self.max,
            _ => None,
        }
    }

    /// The targets given, as (field, value) pairs.
    pub fn targets(&self) -> Vec<(&'static str, &str)> {
        [
            ("vendor", &self.vendor),
            ("chip", &self.chip),
            ("provider", &self.provider),
            ("offering", &self.offering),
            ("workload", &self.workload),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

/// Every distribution parameter field, in the order of [`Uncertainty`].
pub const DISTRIBUTION_PARAMETERS: [&str; 7] =
    ["mean", "sd", "median", "sigma", "min", "mode", "max"];
