//! A risk report (`allot risk`) as text — the inputs' spread, the measures' quantiles and the
//! sensitivity ranking — and as JSON, with every sample.

use std::fmt::Write as _;

use allot_finance::RiskReport;
use allot_finance::risk::{Measures, Quantiles};
use serde::Serialize;

use crate::number::money;
use crate::table::{Align, Table};

#[derive(Serialize)]
struct QuantilesJson {
    p10: f64,
    p50: f64,
    p90: f64,
    mean: f64,
}

impl From<&Quantiles> for QuantilesJson {
    fn from(q: &Quantiles) -> Self {
        QuantilesJson {
            p10: q.p10,
            p50: q.p50,
            p90: q.p90,
            mean: q.mean,
        }
    }
}

#[derive(Serialize)]
struct MeasuresJson {
    total_cost_usd: f64,
    cumulative_loss_usd: f64,
    funding_gap_usd: f64,
}

impl From<&Measures> for MeasuresJson {
    fn from(m: &Measures) -> Self {
        MeasuresJson {
            total_cost_usd: m.total_cost_usd,
            cumulative_loss_usd: m.cumulative_loss_usd,
            funding_gap_usd: m.funding_gap_usd,
        }
    }
}

#[derive(Serialize)]
struct InputJson {
    name: String,
    kind: String,
    p10: f64,
    p50: f64,
    p90: f64,
}

#[derive(Serialize)]
struct SwingJson {
    measure: String,
    at_p10: f64,
    at_p90: f64,
}

#[derive(Serialize)]
struct SensitivityJson {
    name: String,
    rank_correlation_total_cost: f64,
    rank_correlation_cumulative_loss: f64,
    rank_correlation_funding_gap: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    swing: Vec<SwingJson>,
}

#[derive(Serialize)]
struct SampleJson {
    index: usize,
    values: Vec<f64>,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    measures: Option<MeasuresJson>,
}

/// The whole `allot risk --json` output.
#[derive(Serialize)]
pub struct RiskJson {
    scenario: String,
    samples: usize,
    seed: u64,
    failed: usize,
    inputs: Vec<InputJson>,
    as_written: Option<MeasuresJson>,
    total_cost_usd: Option<QuantilesJson>,
    cumulative_loss_usd: Option<QuantilesJson>,
    funding_gap_usd: Option<QuantilesJson>,
    sensitivity: Vec<SensitivityJson>,
    sample: Vec<SampleJson>,
}

/// The report as JSON: the scenario's name, the seed, inputs, quantiles, sensitivity and samples.
pub fn to_json(name: &str, seed: u64, r: &RiskReport) -> RiskJson {
    let q = |k: usize| r.quantiles.as_ref().map(|q| QuantilesJson::from(&q[k]));
    RiskJson {
        scenario: name.to_string(),
        samples: r.samples.len(),
        seed,
        failed: r.failed,
        inputs: r
            .inputs
            .iter()
            .map(|i| InputJson {
                name: i.name.clone(),
                kind: i.kind.as_str().to_string(),
                p10: i.distribution.quantile(0.1),
                p50: i.distribution.quantile(0.5),
                p90: i.distribution.quantile(0.9),
            })
            .collect(),
        as_written: r.base.as_ref().map(MeasuresJson::from),
        total_cost_usd: q(0),
        cumulative_loss_usd: q(1),
        funding_gap_usd: q(2),
        sensitivity: r
            .sensitivity
            .iter()
            .map(|s| SensitivityJson {
                name: s.name.clone(),
                rank_correlation_total_cost: s.rank_correlation[0],
                rank_correlation_cumulative_loss: s.rank_correlation[1],
                rank_correlation_funding_gap: s.rank_correlation[2],
                swing: s
                    .swing
                    .iter()
                    .flat_map(|w| {
                        w.iter()
                            .zip(Measures::NAMES)
                            .map(|((lo, hi), m)| SwingJson {
                                measure: m.to_string(),
                                at_p10: *lo,
                                at_p90: *hi,
                            })
                    })
                    .collect(),
            })
            .collect(),
        sample: r
            .samples
            .iter()
            .map(|s| SampleJson {
                index: s.index,
                values: s.values.clone(),
                status: s.status.to_string(),
                measures: s.measures.as_ref().map(MeasuresJson::from),
            })
            .collect(),
    }
}

/// The report as text; `threads` is the number of worker threads used and `seconds` the time
/// the run took.
pub fn text(name: &str, seed: u64, threads: usize, r: &RiskReport, seconds: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "risk of '{name}': {} samples (seed {}), {} without a plan; {threads} threads, {seconds:.1} s\n",
        r.samples.len(),
        seed,
        r.failed
    );
    let mut t = Table::new(&[
        ("UNCERTAIN INPUT", Align::Left),
        ("KIND", Align::Left),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
    ]);
    for i in &r.inputs {
        let d = &i.distribution;
        t.row(vec![
            i.name.clone(),
            i.kind.as_str().to_string(),
            format!("{:.3}", d.quantile(0.1)),
            format!("{:.3}", d.quantile(0.5)),
            format!("{:.3}", d.quantile(0.9)),
        ]);
    }
    out.push_str(&t.render());
    out.push('\n');
    let mut t = Table::new(&[
        ("MEASURE", Align::Left),
        ("AS WRITTEN", Align::Right),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
        ("MEAN", Align::Right),
    ]);
    for (k, m) in Measures::NAMES.iter().enumerate() {
        let base = r.base.map_or("-".to_string(), |b| money(b.get(k)));
        match &r.quantiles {
            Some(q) => t.row(vec![
                m.to_string(),
                base,
                money(q[k].p10),
                money(q[k].p50),
                money(q[k].p90),
                money(q[k].mean),
            ]),
            None => t.row(vec![m.to_string(), base]),
        }
    }
    out.push_str(&t.render());
    out.push('\n');
    let mut t = Table::new(&[
        ("SENSITIVITY (most first)", Align::Left),
        ("RANK CORR. COST", Align::Right),
        ("LOSS", Align::Right),
        ("GAP", Align::Right),
        ("COST AT P10 / P90", Align::Right),
        ("LOSS AT P10 / P90", Align::Right),
    ]);
    for s in &r.sensitivity {
        let swing = |k: usize| {
            s.swing.map_or("-".to_string(), |w| {
                format!("{} / {}", money(w[k].0), money(w[k].1))
            })
        };
        t.row(vec![
            s.name.clone(),
            format!("{:+.2}", s.rank_correlation[0]),
            format!("{:+.2}", s.rank_correlation[1]),
            format!("{:+.2}", s.rank_correlation[2]),
            swing(0),
            swing(1),
        ]);
    }
    out.push_str(&t.render());
    out
}
