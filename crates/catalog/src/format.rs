//! Catalog file format, version 1: the types a catalog file deserialises into.
//!
//! See `docs/catalog.md` for the user-facing description. These types are also the in-memory
//! catalog entries; derived values (price per chip-hour, default terms) are methods.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole catalog file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// Catalog format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// Providers (clouds, neoclouds, your own data centres).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider: Vec<Provider>,
    /// Accelerators and their specifications.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accelerator: Vec<Accelerator>,
    /// Offerings: a provider selling an instance of chips under a price model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offering: Vec<Offering>,
}

/// Where a number comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The page the figure was read from.
    #[schemars(extend("format" = "url"))]
    pub url: String,
    /// When the figure was published or seen: YYYY, YYYY-MM or YYYY-MM-DD.
    #[schemars(extend("format" = "date"))]
    pub date: String,
    /// The source's own wording of the date, when `date` normalises it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_seen: Option<String>,
    /// The fields this source covers; all of the entry's fields when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// A provider of capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Lowercase id, e.g. `aws`.
    #[schemars(extend("format" = "id"))]
    pub id: String,
    /// Display name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Other names (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Replace an earlier provider with this id on purpose.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaces: bool,
}

/// A chip and its specifications (dense peak rates, no sparsity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    /// Stable short id, e.g. `h100`.
    #[schemars(extend("format" = "id"))]
    pub id: String,
    /// Display name.
    #[schemars(extend("format" = "name"))]
    pub name: String,
    /// Vendor id: `nvidia`, `amd`, `aws`, `google`, `intel`, or another lowercase id.
    #[schemars(extend("format" = "id"))]
    pub vendor: String,
    /// Other names (case-insensitive, ignoring spaces, dashes and underscores).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Year of first availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2000, max = 2100))]
    pub year: Option<u32>,
    /// Dense BF16 peak, TFLOP/s.
    #[schemars(range(min = 0))]
    pub bf16_tflops: f64,
    /// Dense FP8 peak, TFLOP/s; absent when the chip has no FP8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub fp8_tflops: Option<f64>,
    /// HBM capacity, GB.
    #[schemars(range(min = 0))]
    pub hbm_gb: f64,
    /// HBM bandwidth, TB/s.
    #[schemars(range(min = 0))]
    pub hbm_tb_s: f64,
    /// Scale-up interconnect bandwidth per chip, GB/s bidirectional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub scaleup_gb_s: Option<f64>,
    /// Board power, W.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub tdp_w: Option<f64>,
    /// Fields whose value the source does not confirm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<String>,
    /// Free-text notes, e.g. the source's caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the numbers come from.
    #[schemars(length(min = 1))]
    pub sources: Vec<Source>,
    /// Replace an earlier accelerator with this id on purpose.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaces: bool,
}

impl Accelerator {
    /// Numeric fields and whether they are present.
    pub fn numeric_fields(&self) -> Vec<(&'static str, bool)> {
        vec![
            ("year", self.year.is_some()),
            ("bf16_tflops", true),
            ("fp8_tflops", self.fp8_tflops.is_some()),
            ("hbm_gb", true),
            ("hbm_tb_s", true),
            ("scaleup_gb_s", self.scaleup_gb_s.is_some()),
            ("tdp_w", self.tdp_w.is_some()),
        ]
    }

    /// Whether `field`'s value is marked unconfirmed.
    pub fn is_unconfirmed(&self, field: &str) -> bool {
        self.unconfirmed.iter().any(|f| f == field)
    }
}

/// How an offering is priced.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PriceModel {
    /// Pay by the hour, no commitment.
    OnDemand,
    /// Interruptible spare capacity.
    Spot,
    /// One-year reservation.
    #[serde(rename = "reserved_1y")]
    Reserved1y,
    /// Three-year reservation.
    #[serde(rename = "reserved_3y")]
    Reserved3y,
    /// Spend commitment over a term (e.g. AWS Savings Plans).
    SavingsPlan,
    /// Capacity reserved for a fixed window (e.g. EC2 Capacity Blocks).
    CapacityBlock,
    /// A privately negotiated price.
    Negotiated,
    /// Your own hardware: capital cost plus operating cost.
    Owned,
}

impl PriceModel {
    /// Every price model, in display order.
    pub const ALL: [PriceModel; 8] = [
        PriceModel::OnDemand,
        PriceModel::Spot,
        PriceModel::Reserved1y,
        PriceModel::Reserved3y,
        PriceModel::SavingsPlan,
        PriceModel::CapacityBlock,
        PriceModel::Negotiated,
        PriceModel::Owned,
    ];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceModel::OnDemand => "on_demand",
            PriceModel::Spot => "spot",
            PriceModel::Reserved1y => "reserved_1y",
            PriceModel::Reserved3y => "reserved_3y",
            PriceModel::SavingsPlan => "savings_plan",
            PriceModel::CapacityBlock => "capacity_block",
            PriceModel::Negotiated => "negotiated",
            PriceModel::Owned => "owned",
        }
    }

    /// Parses a name as written in files (also accepting dashes).
    pub fn parse(s: &str) -> Option<PriceModel> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        PriceModel::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The default commitment term, months.
    pub fn default_term_months(self) -> Option<u32> {
        match self {
            PriceModel::Reserved1y => Some(12),
            PriceModel::Reserved3y => Some(36),
            _ => None,
        }
    }
}

impl std::fmt::Display for PriceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider selling instances of a chip in a region under a price model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    /// Unique id, e.g. `aws/p5.48xlarge/us-east-1/on-demand`.
    #[schemars(extend("format" = "name"))]
    pub id: String,
    /// Provider id or alias.
    #[schemars(extend("format" = "name"))]
    pub provider: String,
    /// Instance type.
    #[schemars(extend("format" = "name"))]
    pub instance: String,
    /// Accelerator id or alias.
    #[schemars(extend("format" = "name"))]
    pub chip: String,
    /// Accelerators per instance.
    #[schemars(range(min = 1))]
    pub chips_per_instance: u32,
    /// Region, zone or "all regions".
    #[schemars(extend("format" = "name"))]
    pub region: String,
    /// How it is priced.
    pub price_model: PriceModel,
    /// Price per instance-hour, USD, at most 1e9; absent when not public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e9), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a price per chip-hour past 1e9 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub usd_per_instance_hour: Option<f64>,
    /// Commitment term, months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub term_months: Option<u32>,
    /// A superseded price kept for the record; never chosen.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub historical: bool,
    /// Owned capacity: capital cost per chip, USD, at most 1e12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e12), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a capital cost per chip past 1e12 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub capex_usd_per_chip: Option<f64>,
    /// Owned capacity: months over which the capital cost is depreciated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub depreciation_months: Option<u32>,
    /// Owned capacity: operating cost per chip-hour, USD, at most 1e9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1e9), extend("x-hint" = "the planner works in millions of USD and thousands of chips, and its solver refuses coefficients past 1e15: a price per chip-hour past 1e9 USD would reach it as one (docs/scenario.md, Numbers); check the unit and the exponent"))]
    pub opex_usd_per_chip_hour: Option<f64>,
    /// Fields whose value the source does not confirm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<String>,
    /// Free-text notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the numbers come from.
    #[schemars(length(min = 1))]
    pub sources: Vec<Source>,
    /// Replace an earlier offering with this id on purpose.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaces: bool,
}

/// Hours in an average month (365.25 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.5;

impl Offering {
    /// Price per chip-hour, USD: the instance price divided by its chips, or for owned capacity
    /// the depreciation per hour plus operating cost.
    pub fn usd_per_chip_hour(&self) -> Option<f64> {
        if self.price_model == PriceModel::Owned {
            let capex = self.capex_usd_per_chip?;
            let months = f64::from(self.depreciation_months?);
            return Some(
                capex / (months * HOURS_PER_MONTH) + self.opex_usd_per_chip_hour.unwrap_or(0.0),
            );
        }
        Some(self.usd_per_instance_hour? / f64::from(self.chips_per_instance))
    }

    /// The commitment term in months, given or the price model's default.
    pub fn term_months(&self) -> Option<u32> {
        self.term_months.or(self.price_model.default_term_months())
    }

    /// Whether it has a usable price.
    pub fn is_priced(&self) -> bool {
        self.usd_per_chip_hour().is_some()
    }

    /// Whether the planner may choose it: priced and not historical.
    pub fn is_current(&self) -> bool {
        self.is_priced() && !self.historical
    }

    /// Numeric fields and whether they are present.
    pub fn numeric_fields(&self) -> Vec<(&'static str, bool)> {
        vec![
            ("chips_per_instance", true),
            (
                "usd_per_instance_hour",
                self.usd_per_instance_hour.is_some(),
            ),
            ("term_months", self.term_months.is_some()),
            ("capex_usd_per_chip", self.capex_usd_per_chip.is_some()),
            ("depreciation_months", self.depreciation_months.is_some()),
            (
                "opex_usd_per_chip_hour",
                self.opex_usd_per_chip_hour.is_some(),
            ),
        ]
    }

    /// Whether `field`'s value is marked unconfirmed.
    pub fn is_unconfirmed(&self, field: &str) -> bool {
        self.unconfirmed.iter().any(|f| f == field)
    }
}
