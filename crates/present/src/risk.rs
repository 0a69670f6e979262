//! A risk report (`allot risk`) as text — the inputs' spread, the measures' quantiles and the
//! sensitivity ranking — and as JSON, with every sample and the quantiles of each year (the fan
//! chart). The JSON reads back ([`RiskJson`] is `Deserialize`): the server stores a risk job's
//! result as this JSON, and the dashboard's risk view is made from it.

use std::fmt::Write as _;

use allot_finance::RiskReport;
use allot_finance::risk::{Measures, Quantiles, YearQuantiles};
use serde::{Deserialize, Serialize};

use crate::number::money;
use crate::table::{Align, Table};

/// The 10th, 50th and 90th percentiles of a measure, with its mean, USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantilesJson {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Mean.
    pub mean: f64,
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

/// The outcome measures of one plan, USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuresJson {
    /// Total cost over the horizon.
    pub total_cost_usd: f64,
    /// Accumulated losses.
    pub cumulative_loss_usd: f64,
    /// Funding gap.
    pub funding_gap_usd: f64,
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

/// One uncertain input and its spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputJson {
    /// The input's name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// One measure with one input alone at its 10th and at its 90th percentile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwingJson {
    /// The measure's name (`total cost`, `cumulative loss`, `funding gap`).
    pub measure: String,
    /// The measure with the input at its 10th percentile.
    pub at_p10: f64,
    /// The measure with the input at its 90th percentile.
    pub at_p90: f64,
}

/// How much one input moves the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityJson {
    /// The input's name.
    pub name: String,
    /// Spearman rank correlation with total cost.
    pub rank_correlation_total_cost: f64,
    /// Spearman rank correlation with cumulative loss.
    pub rank_correlation_cumulative_loss: f64,
    /// Spearman rank correlation with the funding gap.
    pub rank_correlation_funding_gap: f64,
    /// Each measure with the input alone at its P10 and P90, when the swing was computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swing: Vec<SwingJson>,
}

/// One sample: the values drawn and what they led to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleJson {
    /// Index, from 0.
    pub index: usize,
    /// One value per input, in the order of `inputs`.
    pub values: Vec<f64>,
    /// The plan's status.
    pub status: String,
    /// The measures, when the plan has a solution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<MeasuresJson>,
}

/// One year of the fan chart: the quantiles of cumulative loss and funding gap at its end over
/// the samples with a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearJson {
    /// The year.
    pub year: i32,
    /// Accumulated losses at the year's end.
    pub cumulative_loss_usd: QuantilesJson,
    /// The funding gap up to the year's end.
    pub funding_gap_usd: QuantilesJson,
}

impl From<&YearQuantiles> for YearJson {
    fn from(y: &YearQuantiles) -> Self {
        YearJson {
            year: y.year,
            cumulative_loss_usd: QuantilesJson::from(&y.cumulative_loss),
            funding_gap_usd: QuantilesJson::from(&y.funding_gap),
        }
    }
}

/// The whole `allot risk --json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskJson {
    /// The scenario's name.
    pub scenario: String,
    /// Samples drawn.
    pub samples: usize,
    /// Seed of the sampling.
    pub seed: u64,
    /// Samples without a plan.
    pub failed: usize,
    /// Of those, the samples the time limit left without a plan: more than none when the run
    /// was cut short (then which samples were planned depends on the machine's speed, not only
    /// on the seed). Absent from results written before it was added.
    #[serde(default)]
    pub stopped_by_time_limit: usize,
    /// The uncertain inputs.
    pub inputs: Vec<InputJson>,
    /// The measures of the scenario as written.
    pub as_written: Option<MeasuresJson>,
    /// Quantiles of total cost over the samples with a plan.
    pub total_cost_usd: Option<QuantilesJson>,
    /// Quantiles of cumulative loss.
    pub cumulative_loss_usd: Option<QuantilesJson>,
    /// Quantiles of the funding gap.
    pub funding_gap_usd: Option<QuantilesJson>,
    /// Inputs, the most influential first.
    pub sensitivity: Vec<SensitivityJson>,
    /// Every sample.
    pub sample: Vec<SampleJson>,
    /// Per year, the quantiles of cumulative loss and funding gap (the fan chart); absent from
    /// results written before it was added.
    #[serde(default)]
    pub years: Vec<YearJson>,
}

/// The report as JSON: the scenario's name, the seed, inputs, quantiles, sensitivity, samples
/// and the quantiles of each year.
pub fn to_json(name: &str, seed: u64, r: &RiskReport) -> RiskJson {
    let q = |k: usize| r.quantiles.as_ref().map(|q| QuantilesJson::from(&q[k]));
    RiskJson {
        scenario: name.to_string(),
        samples: r.samples.len(),
        seed,
        failed: r.failed,
        stopped_by_time_limit: r.stopped_by_time_limit(),
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
        years: r.fan().iter().map(YearJson::from).collect(),
    }
}

/// How many samples the time limit left without a plan, in words (empty for none): the whole
/// run shares one `--time-limit`, so once it passes the samples left are not planned.
fn out_of_time(r: &RiskReport) -> String {
    match r.stopped_by_time_limit() {
        0 => String::new(),
        n => format!(" ({n} stopped by the run's time limit)"),
    }
}

/// What a run cut short by its time limit is, as a line of its own (empty for a complete run).
fn cut_short(stopped: usize, samples: usize) -> String {
    if stopped == 0 {
        return String::new();
    }
    format!(
        "cut short: the time limit left {stopped} of {samples} samples without a plan, so the quantiles are over the samples this machine planned in time, not the seed's complete run; raise the time limit for a complete run\n"
    )
}

/// The report as text; `threads` is the number of worker threads used and `seconds` the time
/// the run took.
pub fn text(name: &str, seed: u64, threads: usize, r: &RiskReport, seconds: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "risk of '{name}': {} samples (seed {}), {} without a plan{}; {threads} threads, {seconds:.1} s",
        r.samples.len(),
        seed,
        r.failed,
        out_of_time(r)
    );
    out.push_str(&cut_short(r.stopped_by_time_limit(), r.samples.len()));
    out.push('\n');
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
