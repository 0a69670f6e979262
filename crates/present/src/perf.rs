//! What `allot perf train|serve|calibration` shows: the performance model's estimate for one
//! workload on each chip, priced at the cheapest current on-demand offering and sorted by cost,
//! as JSON rows or a table.

use allot_catalog::{Accelerator, Catalog, PriceModel};
use allot_perf::{
    ServeEstimate, ServeRequest, TrainEstimate, TrainRequest, calibration, default_maturity,
    estimate_serve, estimate_train,
};
use serde::Serialize;

use crate::number::num;
use crate::table::{Align, Table};

/// The cheapest current on-demand price per chip-hour of a chip, if any offering has one.
pub fn on_demand_price(catalog: &Catalog, chip: &str) -> Option<f64> {
    catalog
        .offerings()
        .iter()
        .filter(|o| o.chip == chip && o.price_model == PriceModel::OnDemand && o.is_current())
        .filter_map(|o| o.usd_per_chip_hour())
        .min_by(f64::total_cmp)
}

/// One chip's training estimate with its price (`allot perf train --json` writes a list).
#[derive(Serialize)]
pub struct TrainRow {
    /// The performance model's estimate.
    #[serde(flatten)]
    pub estimate: TrainEstimate,
    /// The cheapest on-demand price per chip-hour.
    pub usd_per_chip_hour: Option<f64>,
    /// The run's cost at that price, if it fits.
    pub cost_usd: Option<f64>,
}

/// One chip's serving estimate with its price (`allot perf serve --json` writes a list).
#[derive(Serialize)]
pub struct ServeRow {
    /// The performance model's estimate.
    #[serde(flatten)]
    pub estimate: ServeEstimate,
    /// The cheapest on-demand price per chip-hour.
    pub usd_per_chip_hour: Option<f64>,
    /// The cost of a million tokens at that price, if it fits and meets the latency.
    pub usd_per_million_tokens: Option<f64>,
}

/// Priced rows first by cost, then unpriced rows by `fallback`.
fn sort_key(cost: Option<f64>, fallback: f64) -> f64 {
    cost.unwrap_or(1e30 + fallback)
}

fn sci(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        num(Some(x), 1)
    }
}

/// `request` on each chip (at the chip's default maturity), cheapest first.
pub fn train_rows(
    catalog: &Catalog,
    chips: &[&Accelerator],
    request: &TrainRequest,
) -> Vec<TrainRow> {
    let mut rows: Vec<TrainRow> = chips
        .iter()
        .map(|chip| {
            let req = TrainRequest {
                maturity: default_maturity(&chip.id),
                ..request.clone()
            };
            let estimate = estimate_train(chip, &req, calibration());
            let price = on_demand_price(catalog, &chip.id);
            let cost = price
                .filter(|_| estimate.fits)
                .map(|p| p * estimate.chip_hours);
            TrainRow {
                estimate,
                usd_per_chip_hour: price,
                cost_usd: cost,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        sort_key(a.cost_usd, a.estimate.chip_hours)
            .total_cmp(&sort_key(b.cost_usd, b.estimate.chip_hours))
    });
    rows
}

/// The table of `allot perf train`, with its closing line.
pub fn train_table(rows: &[TrainRow], tokens: f64, chips: u32) -> String {
    let mut t = Table::new(&[
        ("CHIP", Align::Left),
        ("PREC", Align::Left),
        ("FITS", Align::Left),
        ("MIN CHIPS", Align::Right),
        ("MEM GB/CHIP", Align::Right),
        ("MFU", Align::Right),
        ("TOKENS/S/CHIP", Align::Right),
        ("HOURS", Align::Right),
        ("CHIP-HOURS", Align::Right),
        ("USD/CHIP-H", Align::Right),
        ("COST USD", Align::Right),
    ]);
    for r in rows {
        let e = &r.estimate;
        t.row(vec![
            e.chip.clone(),
            e.precision.as_str().to_string(),
            if e.fits { "yes".into() } else { "NO".into() },
            e.min_chips.map_or("never".to_string(), |m| m.to_string()),
            num(Some(e.memory_gb_per_chip), 1),
            num(Some(e.mfu), 3),
            num(Some(e.tokens_per_s_per_chip), 0),
            num(Some(e.hours), 1),
            sci(e.chip_hours),
            num(r.usd_per_chip_hour, 2),
            r.cost_usd.map_or("-".to_string(), sci),
        ]);
    }
    format!(
        "{}training {tokens:.3e} tokens on {chips} chips each; sorted by cost at the cheapest on-demand price (- = no public on-demand price, or does not fit)",
        t.render(),
    )
}

/// `request` on each chip (at the chip's default maturity), cheapest per token first.
pub fn serve_rows(
    catalog: &Catalog,
    chips: &[&Accelerator],
    request: &ServeRequest,
) -> Vec<ServeRow> {
    let mut rows: Vec<ServeRow> = chips
        .iter()
        .map(|chip| {
            let req = ServeRequest {
                maturity: default_maturity(&chip.id),
                ..request.clone()
            };
            let estimate = estimate_serve(chip, &req, calibration());
            let price = on_demand_price(catalog, &chip.id);
            let usable = estimate.fits && estimate.meets_latency;
            let cost = price
                .filter(|_| usable)
                .map(|p| p * estimate.chip_hours_per_million_tokens);
            ServeRow {
                estimate,
                usd_per_chip_hour: price,
                usd_per_million_tokens: cost,
            }
        })
        .collect();
    let key = |r: &ServeRow| {
        sort_key(
            r.usd_per_million_tokens,
            r.estimate.chip_hours_per_million_tokens,
        )
    };
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
    rows
}

/// The table of `allot perf serve`, with its closing line naming the request and latency class.
pub fn serve_table(rows: &[ServeRow], input: u32, output: u32, latency: &str) -> String {
    let mut t = Table::new(&[
        ("CHIP", Align::Left),
        ("PREC", Align::Left),
        ("FITS", Align::Left),
        ("CHIPS/REPLICA", Align::Right),
        ("BATCH", Align::Right),
        ("PREFILL TOK/S/CHIP", Align::Right),
        ("DECODE TOK/S/CHIP", Align::Right),
        ("TOK/S/USER", Align::Right),
        ("CHIP-H/M TOKENS", Align::Right),
        ("USD/CHIP-H", Align::Right),
        ("USD/M TOKENS", Align::Right),
    ]);
    for r in rows {
        let e = &r.estimate;
        let fits = match (e.fits, e.meets_latency) {
            (true, true) => "yes",
            (true, false) => "slow",
            _ => "NO",
        };
        t.row(vec![
            e.chip.clone(),
            e.precision.as_str().to_string(),
            fits.to_string(),
            e.chips_per_replica.to_string(),
            e.batch.to_string(),
            num(Some(e.prefill_tokens_per_s_per_chip), 0),
            num(Some(e.decode_tokens_per_s_per_chip), 0),
            num(Some(e.tokens_per_s_per_user), 1),
            num(Some(e.chip_hours_per_million_tokens), 4),
            num(r.usd_per_chip_hour, 2),
            num(r.usd_per_million_tokens, 3),
        ]);
    }
    format!(
        "{}{input} input + {output} output tokens per request, {latency} latency; slow = cannot reach the per-user speed; sorted by cost at the cheapest on-demand price",
        t.render(),
    )
}

/// What `allot perf calibration` prints: the fit, its validation and (with `results`) the rows.
pub fn calibration_report(catalog: &Catalog, results: bool) -> String {
    let (data, obs) = (
        allot_perf::mlperf::shipped(),
        allot_perf::observations(catalog),
    );
    let (cal, v) = (calibration(), allot_perf::validation());
    let sections = allot_perf::calibration_report(cal, v, data, &obs, results);
    let mut out = String::new();
    for s in sections {
        out += if out.is_empty() { "" } else { "\n" };
        s.title.iter().for_each(|line| out += &format!("{line}\n"));
        let align = |right| if right { Align::Right } else { Align::Left };
        let head: Vec<_> = s.columns.iter().map(|&(c, r)| (c, align(r))).collect();
        let mut t = Table::new(&head);
        s.rows.into_iter().for_each(|r| t.row(r));
        out += &format!("\n{}\n", t.render().trim_end());
    }
    out
}
