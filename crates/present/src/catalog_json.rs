//! The catalog as JSON (`allot catalog ... --json`): wire types converted from the core's types
//! so that the core can change without changing what scripts read.

use allot_catalog::{Accelerator, Catalog, Offering, Provider, Source};
use serde::Serialize;

/// A source of a number.
#[derive(Serialize)]
pub struct SourceJson {
    url: String,
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<String>>,
}

impl From<&Source> for SourceJson {
    fn from(s: &Source) -> Self {
        SourceJson {
            url: s.url.clone(),
            date: s.date.clone(),
            as_seen: s.as_seen.clone(),
            fields: s.fields.clone(),
        }
    }
}

/// An accelerator in `allot catalog accelerators --json`.
#[derive(Serialize)]
pub struct AcceleratorJson {
    id: String,
    vendor: String,
    name: String,
    aliases: Vec<String>,
    year: Option<u32>,
    bf16_tflops: f64,
    fp8_tflops: Option<f64>,
    hbm_gb: f64,
    hbm_tb_s: f64,
    scaleup_gb_s: Option<f64>,
    tdp_w: Option<f64>,
    unconfirmed: Vec<String>,
    notes: Option<String>,
    sources: Vec<SourceJson>,
}

impl From<&Accelerator> for AcceleratorJson {
    fn from(a: &Accelerator) -> Self {
        AcceleratorJson {
            id: a.id.clone(),
            vendor: a.vendor.clone(),
            name: a.name.clone(),
            aliases: a.aliases.clone(),
            year: a.year,
            bf16_tflops: a.bf16_tflops,
            fp8_tflops: a.fp8_tflops,
            hbm_gb: a.hbm_gb,
            hbm_tb_s: a.hbm_tb_s,
            scaleup_gb_s: a.scaleup_gb_s,
            tdp_w: a.tdp_w,
            unconfirmed: a.unconfirmed.clone(),
            notes: a.notes.clone(),
            sources: a.sources.iter().map(SourceJson::from).collect(),
        }
    }
}

/// An offering in `allot catalog offerings --json`.
#[derive(Serialize)]
pub struct OfferingJson {
    id: String,
    provider: String,
    instance: String,
    chip: String,
    vendor: Option<String>,
    chips_per_instance: u32,
    region: String,
    price_model: String,
    usd_per_instance_hour: Option<f64>,
    usd_per_chip_hour: Option<f64>,
    term_months: Option<u32>,
    historical: bool,
    priced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    capex_usd_per_chip: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    depreciation_months: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opex_usd_per_chip_hour: Option<f64>,
    unconfirmed: Vec<String>,
    notes: Option<String>,
    sources: Vec<SourceJson>,
}

impl OfferingJson {
    /// An offering, with its vendor from `catalog`.
    pub fn new(o: &Offering, catalog: &Catalog) -> Self {
        OfferingJson {
            id: o.id.clone(),
            provider: o.provider.clone(),
            instance: o.instance.clone(),
            chip: o.chip.clone(),
            vendor: catalog.vendor_of(o).map(str::to_string),
            chips_per_instance: o.chips_per_instance,
            region: o.region.clone(),
            price_model: o.price_model.to_string(),
            usd_per_instance_hour: o.usd_per_instance_hour,
            usd_per_chip_hour: o.usd_per_chip_hour(),
            term_months: o.term_months(),
            historical: o.historical,
            priced: o.is_priced(),
            capex_usd_per_chip: o.capex_usd_per_chip,
            depreciation_months: o.depreciation_months,
            opex_usd_per_chip_hour: o.opex_usd_per_chip_hour,
            unconfirmed: o.unconfirmed.clone(),
            notes: o.notes.clone(),
            sources: o.sources.iter().map(SourceJson::from).collect(),
        }
    }
}

/// A provider in `allot catalog providers --json`.
#[derive(Serialize)]
pub struct ProviderJson {
    /// Canonical id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other names it is found by.
    pub aliases: Vec<String>,
    /// Offerings listed (after filters).
    pub offerings: usize,
    /// Chips offered (after filters), sorted.
    pub chips: Vec<String>,
}

impl ProviderJson {
    /// A provider with every offering of it in `catalog`.
    pub fn new(p: &Provider, catalog: &Catalog) -> Self {
        let offerings: Vec<&Offering> = catalog
            .offerings()
            .iter()
            .filter(|o| o.provider == p.id)
            .collect();
        let mut chips: Vec<String> = offerings.iter().map(|o| o.chip.clone()).collect();
        chips.sort();
        chips.dedup();
        ProviderJson {
            id: p.id.clone(),
            name: p.name.clone(),
            aliases: p.aliases.clone(),
            offerings: offerings.len(),
            chips,
        }
    }
}
