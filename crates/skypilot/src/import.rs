//! A SkyPilot catalog as an allot catalog file: one offering per (instance, region) on demand and
//! per (instance, zone) on spot, chips mapped to allot's accelerators, every price with its
//! source, so that a scenario's `[catalog] files = [...]` can use it.
//!
//! - On-demand prices are the same in every zone of a region on AWS, Azure and GCP (SkyPilot's
//!   `get_hourly_cost_impl` asserts it), so they become one offering per region; if the zones of
//!   a region disagree, one per zone.
//! - Spot prices differ by zone: one offering per zone, `region = "REGION (ZONE)"`.
//! - Rows with no on-demand price (AWS capacity sold by reservation or capacity block only) are
//!   kept as unpriced on-demand offerings, flagged in their notes: allot lists them and never
//!   plans them.
//! - GCP GPUs are priced host plus accelerator in the same zone; TPUs as the TPU VM's price.
//! - Accelerators allot has no specifications for (T4, L4, ...) and CPU-only instances are left
//!   out and counted in the [`ImportSummary`].

use std::collections::{BTreeMap, HashMap};

use allot_catalog::{Catalog, CatalogFile, Offering, PriceModel, Provider, Source};

use crate::catalog::{Offer, SkyCatalog};
use crate::chips::allot_chip;

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Date the catalog was read (YYYY-MM-DD), written on every source.
    pub seen: String,
    /// Prefix of offering ids, keeping them apart from the built-in catalog's.
    pub id_prefix: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            seen: "2026-11-28".to_string(),
            id_prefix: "skypilot".to_string(),
        }
    }
}

/// What an import kept and left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    /// Offerings written.
    pub offerings: usize,
    /// Of which on-demand without a price (kept, flagged, never planned).
    pub unpriced: usize,
    /// Of which spot.
    pub spot: usize,
    /// Providers declared because the allot catalog lacks them.
    pub providers_added: Vec<String>,
    /// Offers left out because allot has no such accelerator, by SkyPilot name.
    pub unknown_accelerators: BTreeMap<String, usize>,
    /// CPU-only offers left out.
    pub cpu_offers: usize,
    /// GCP accelerator rows with no host VM in their zone (not launchable).
    pub hostless: usize,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The catalog file.
    pub file: CatalogFile,
    /// Its TOML text, with a header comment.
    pub text: String,
    /// What was kept and left out.
    pub summary: ImportSummary,
}

fn display_name(cloud: &str) -> String {
    match cloud {
        "nebius" => "Nebius".to_string(),
        "runpod" => "RunPod".to_string(),
        "lambda" => "Lambda".to_string(),
        "do" => "DigitalOcean".to_string(),
        "primeintellect" => "Prime Intellect".to_string(),
        "vast" => "Vast.ai".to_string(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

/// The instance part of an offering id and its display: the instance type, except for GCP
/// accelerators on general hosts and TPU VMs, where the accelerator is part of the identity.
fn instance_label(o: &Offer) -> String {
    let accel = o.accelerator.as_deref().unwrap_or_default();
    if o.instance == "TPU-VM" {
        accel.to_string()
    } else if o.host_part.is_some() && o.instance.starts_with("n1-") {
        format!(
            "{}+{}x{}",
            o.instance,
            accel,
            crate::catalog::count_label(o.count)
        )
    } else {
        o.instance.clone()
    }
}

fn source(cloud: &str, seen: &str) -> Source {
    Source {
        url: format!(
            "https://github.com/skypilot-org/skypilot-catalog/blob/master/catalogs/v8/{cloud}/vms.csv"
        ),
        date: seen.to_string(),
        as_seen: None,
        fields: None,
    }
}

fn price_note(o: &Offer, spot: bool) -> String {
    match o.host_part {
        Some((host_od, host_spot)) => {
            let host = if spot { host_spot } else { host_od };
            let total = o.price(spot);
            match (host, total) {
                (Some(h), Some(t)) => format!(
                    "GCP price = host {} ${h} + accelerators {} ${}",
                    o.instance,
                    o.accelerators_label(),
                    round6(t - h)
                ),
                _ => String::new(),
            }
        }
        None => String::new(),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Converts `catalog` into an allot catalog file, resolving chips and providers against `allot`
/// (usually the built-in catalog, which the file is loaded after).
pub fn import(catalog: &SkyCatalog, allot: &Catalog, options: &ImportOptions) -> Imported {
    let mut summary = ImportSummary {
        hostless: catalog.hostless.len(),
        ..ImportSummary::default()
    };
    let mut file = CatalogFile {
        version: 1,
        provider: Vec::new(),
        accelerator: Vec::new(),
        offering: Vec::new(),
    };
    // On-demand groups: (cloud, label, region) → offers (zones) in catalog order.
    let mut groups: Vec<(String, Vec<&Offer>)> = Vec::new();
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut spot: Vec<&Offer> = Vec::new();
    for o in &catalog.offers {
        let Some(accel) = &o.accelerator else {
            summary.cpu_offers += 1;
            continue;
        };
        let known = allot_chip(accel).filter(|c| allot.accelerator(c.id).is_some());
        if known.is_none() {
            *summary
                .unknown_accelerators
                .entry(accel.clone())
                .or_default() += 1;
            continue;
        }
        if allot.provider(&o.cloud).is_none() && !summary.providers_added.contains(&o.cloud) {
            summary.providers_added.push(o.cloud.clone());
            file.provider.push(Provider {
                id: o.cloud.clone(),
                name: display_name(&o.cloud),
                aliases: Vec::new(),
                replaces: false,
            });
        }
        let key = format!("{}/{}/{}", o.cloud, instance_label(o), o.region);
        let i = *group_index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(o);
        if o.spot.is_some() {
            spot.push(o);
        }
    }
    let mut ids: HashMap<String, ()> = HashMap::new();
    let mut push = |file: &mut CatalogFile,
                    o: &Offer,
                    model: PriceModel,
                    place: &str,
                    region: String,
                    price: Option<f64>,
                    notes: String| {
        let chip =
            allot_chip(o.accelerator.as_deref().unwrap_or_default()).expect("filtered above");
        let suffix = if model == PriceModel::Spot {
            "spot"
        } else {
            "on-demand"
        };
        let id = format!(
            "{}/{}/{}/{place}/{suffix}",
            options.id_prefix,
            o.cloud,
            instance_label(o)
        );
        if ids.insert(id.to_lowercase(), ()).is_some() {
            return false;
        }
        file.offering.push(Offering {
            id,
            provider: o.cloud.clone(),
            instance: instance_label(o),
            chip: chip.id.to_string(),
            chips_per_instance: ((o.count * chip.chips_per_unit).round() as u32).max(1),
            region,
            price_model: model,
            usd_per_instance_hour: price.map(round6),
            term_months: None,
            historical: false,
            capex_usd_per_chip: None,
            depreciation_months: None,
            opex_usd_per_chip_hour: None,
            unconfirmed: Vec::new(),
            notes: (!notes.is_empty()).then_some(notes),
            sources: vec![source(&o.cloud, &options.seen)],
            replaces: false,
        });
        true
    };
    for (_, offers) in &groups {
        let first = offers[0];
        let prices: Vec<Option<f64>> = offers.iter().map(|o| o.on_demand).collect();
        let origin = |o: &Offer| format!("SkyPilot catalog {}", catalog.row_origin(o.row));
        let zones: Vec<&str> = offers.iter().filter_map(|o| o.zone.as_deref()).collect();
        let zone_note = if zones.is_empty() {
            String::new()
        } else {
            format!("; zones {}", zones.join(", "))
        };
        if prices.iter().all(Option::is_none) {
            let note = format!(
                "{}{zone_note}; no public on-demand price in SkyPilot's catalog (reservation or capacity block only): listed, never planned",
                origin(first)
            );
            if push(
                &mut file,
                first,
                PriceModel::OnDemand,
                &first.region,
                first.region.clone(),
                None,
                note,
            ) {
                summary.unpriced += 1;
            }
        } else if prices.iter().all(|p| {
            p.is_some() && (p.unwrap_or_default() - prices[0].unwrap_or_default()).abs() < 1e-9
        }) {
            let mut note = format!("{}{zone_note}", origin(first));
            let detail = price_note(first, false);
            if !detail.is_empty() {
                note = format!("{note}; {detail}");
            }
            push(
                &mut file,
                first,
                PriceModel::OnDemand,
                &first.region,
                first.region.clone(),
                first.on_demand,
                note,
            );
        } else {
            for o in offers.iter().filter(|o| o.on_demand.is_some()) {
                let zone = o.zone.as_deref().unwrap_or(&o.region);
                let mut note = format!(
                    "{}; on-demand price differs by zone in {}",
                    origin(o),
                    o.region
                );
                let detail = price_note(o, false);
                if !detail.is_empty() {
                    note = format!("{note}; {detail}");
                }
                push(
                    &mut file,
                    o,
                    PriceModel::OnDemand,
                    zone,
                    format!("{} ({zone})", o.region),
                    o.on_demand,
                    note,
                );
            }
        }
    }
    for o in spot {
        let (place, region) = match &o.zone {
            Some(z) => (z.clone(), format!("{} ({z})", o.region)),
            None => (o.region.clone(), o.region.clone()),
        };
        let mut note = format!(
            "SkyPilot catalog {}; spot price in {place}",
            catalog.row_origin(o.row)
        );
        let detail = price_note(o, true);
        if !detail.is_empty() {
            note = format!("{note}; {detail}");
        }
        if push(&mut file, o, PriceModel::Spot, &place, region, o.spot, note) {
            summary.spot += 1;
        }
    }
    summary.offerings = file.offering.len();
    let body = toml::to_string(&file).unwrap_or_default();
    let text = format!(
        "# Imported from a SkyPilot catalog (schema v8) by `allot catalog import-skypilot`.\n\
         # {} offerings ({} spot, {} on-demand without a price: listed, never planned).\n\
         # Offering ids start with '{}/' so they never collide with the built-in catalog.\n\
         # Mapping and pricing rules: docs/skypilot.md.\n\n{body}",
        summary.offerings, summary.spot, summary.unpriced, options.id_prefix
    );
    Imported {
        file,
        text,
        summary,
    }
}
