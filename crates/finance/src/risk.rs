//! Risk: sample the scenario's uncertain inputs, re-plan and project every sample in parallel,
//! and summarise the spread of total cost, cumulative loss and funding gap, with a sensitivity
//! ranking of the inputs.
//!
//! Sample `i` draws its values from a ChaCha8 generator seeded with the run's seed and `i`, and
//! results are collected in sample order, so a seed gives the same report whatever the number
//! of threads. How a sample is re-planned is a [`Replanner`]: [`FullReplan`] solves the whole
//! model again; [`WarmReplan`] starts each solve from the base scenario's optimal basis, or keeps
//! the base plan's placements (a recourse plan); any other re-solve can be plugged in without
//! changing this module.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use allot_plan_format::{Plan, SolveStatus};
use allot_scenario::Scenario;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use crate::FinanceError;
use crate::distribution::sample_quantile;
use crate::perturb::{UncertainInput, apply, inputs, neutral};
use crate::project::project;

/// Re-plans one sampled scenario. Implemented for any `Fn(&Scenario) -> Plan + Sync`; the
/// planner's replanners (`allot_plan::replan`) are passed as such closures, so that finance
/// does not depend on the planner.
pub trait Replanner: Sync {
    /// The plan for `sample`.
    fn replan(&self, sample: &Scenario) -> Plan;
}

impl<F> Replanner for F
where
    F: Fn(&Scenario) -> Plan + Sync,
{
    fn replan(&self, sample: &Scenario) -> Plan {
        self(sample)
    }
}

/// How to run the risk analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskSettings {
    /// Samples.
    pub samples: usize,
    /// Seed of the sampling.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Also re-plan each input alone at its 10th and 90th percentile (two plans per input).
    pub swing: bool,
}

/// The outcome measures of one plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    /// Undiscounted compute cost inside the horizon, USD (the plan's total cost).
    pub total_cost_usd: f64,
    /// Accumulated losses at the end of the horizon, USD.
    pub cumulative_loss_usd: f64,
    /// Cash to raise beyond the listed funding, USD.
    pub funding_gap_usd: f64,
}

impl Measures {
    /// The measures by index: total cost, cumulative loss, funding gap.
    pub fn get(&self, i: usize) -> f64 {
        match i {
            0 => self.total_cost_usd,
            1 => self.cumulative_loss_usd,
            _ => self.funding_gap_usd,
        }
    }

    /// Names of the measures, by index.
    pub const NAMES: [&'static str; 3] = ["total cost", "cumulative loss", "funding gap"];
}

/// Where a plan stands at the end of one calendar year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearMeasures {
    /// The year.
    pub year: i32,
    /// Accumulated losses at its end, USD.
    pub cumulative_loss_usd: f64,
    /// The funding gap up to its end, USD ([`Statement::funding_gap_by_year`]).
    ///
    /// [`Statement::funding_gap_by_year`]: crate::Statement::funding_gap_by_year
    pub funding_gap_usd: f64,
}

/// The quantiles of cumulative loss and funding gap at the end of one year, over the samples
/// with a plan: one point of a fan chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearQuantiles {
    /// The year.
    pub year: i32,
    /// Accumulated losses at its end.
    pub cumulative_loss: Quantiles,
    /// The funding gap up to its end.
    pub funding_gap: Quantiles,
}

/// One sample: the values drawn and what they led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Index, from 0.
    pub index: usize,
    /// One value per input, in the order of [`RiskReport::inputs`].
    pub values: Vec<f64>,
    /// The plan's status.
    pub status: SolveStatus,
    /// The measures, when the plan has a solution.
    pub measures: Option<Measures>,
    /// Cumulative loss and funding gap at the end of each year, when the plan has a solution.
    pub years: Vec<YearMeasures>,
}

impl Sample {
    /// Whether the time limit left this sample without a plan: stopped before its solve found
    /// one, or not started at all because the run's deadline had passed (status
    /// `time_limit_no_solution` either way).
    pub fn stopped_by_time_limit(&self) -> bool {
        self.status == SolveStatus::TimeLimitNoSolution
    }
}

/// The 10th, 50th and 90th percentiles of a measure, with its mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Mean.
    pub mean: f64,
}

/// How much one input moves the results.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The input's name.
    pub name: String,
    /// Spearman rank correlation of the input's value with each measure over the samples
    /// (0 when a measure does not vary).
    pub rank_correlation: [f64; 3],
    /// Each measure with only this input at its 10th and at its 90th percentile (the others as
    /// written), when the swing was computed.
    pub swing: Option<[(f64, f64); 3]>,
}

impl Sensitivity {
    /// The ranking key: the largest absolute rank correlation over the measures.
    pub fn strength(&self) -> f64 {
        self.rank_correlation
            .iter()
            .map(|r| r.abs())
            .fold(0.0, f64::max)
    }
}

/// The result of a risk run.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskReport {
    /// The inputs sampled.
    pub inputs: Vec<UncertainInput>,
    /// The scenario as written.
    pub base: Option<Measures>,
    /// Every sample, in index order.
    pub samples: Vec<Sample>,
    /// Samples without a solution (e.g. infeasible).
    pub failed: usize,
    /// Quantiles of total cost, cumulative loss and funding gap over the samples with a plan.
    pub quantiles: Option<[Quantiles; 3]>,
    /// Inputs, the most influential first.
    pub sensitivity: Vec<Sensitivity>,
}

/// The values of sample `index` for `inputs`: each input's quantile at a uniform draw from a
/// ChaCha8 stream seeded by `seed` and `index`.
pub fn draws(inputs: &[UncertainInput], seed: u64, index: usize) -> Vec<f64> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    key[16..24].copy_from_slice(b"allot-rk");
    let mut rng = ChaCha8Rng::from_seed(key);
    inputs
        .iter()
        .map(|i| {
            // In (0, 1): the open interval keeps normal quantiles finite.
            let u = (rng.random::<f64>() + 0.5 / f64::from(u32::MAX)).min(1.0 - f64::EPSILON);
            i.distribution.quantile(u)
        })
        .collect()
}

/// The quantiles at which [`stress_scenarios`] sets each input.
pub const STRESS_QUANTILES: [f64; 3] = [0.1, 0.9, 0.99];

/// `base` with one input at a time at each of [`STRESS_QUANTILES`] (the others as written),
/// input by input in the scenario's order: the stress points whose plans give a recourse plan
/// its alternative placements ([`WarmReplan::recourse_with`]). Revenue changes no plan unless
/// cash is kept above a floor, so without one it has none.
pub fn stress_scenarios(base: &Scenario) -> Result<Vec<Scenario>, FinanceError> {
    let inputs = inputs(base)?;
    let floor = base
        .file
        .finance
        .as_ref()
        .is_some_and(|f| f.cash_floor_usd.is_some());
    let mut out = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.kind == allot_scenario::UncertaintyKind::Revenue && !floor {
            continue;
        }
        for q in STRESS_QUANTILES {
            let mut v: Vec<Option<f64>> = vec![None; inputs.len()];
            v[i] = Some(input.distribution.quantile(q));
            out.push(apply(base, &inputs, &v));
        }
    }
    Ok(out)
}

/// The measures of `plan` for `s`, when it has a solution.
pub fn measure(s: &Scenario, plan: &Plan) -> Option<Measures> {
    measure_by_year(s, plan).map(|(m, _)| m)
}

/// The measures of `plan` for `s` with their values at the end of each year, when it has a
/// solution.
pub fn measure_by_year(s: &Scenario, plan: &Plan) -> Option<(Measures, Vec<YearMeasures>)> {
    let statement = project(s, plan).ok()?;
    let years = statement
        .years
        .iter()
        .zip(statement.funding_gap_by_year())
        .map(|(y, (_, gap))| YearMeasures {
            year: y.year,
            cumulative_loss_usd: y.cumulative_loss_usd,
            funding_gap_usd: gap,
        })
        .collect();
    let measures = Measures {
        total_cost_usd: plan.total_cost_usd,
        cumulative_loss_usd: statement.cumulative_loss_usd,
        funding_gap_usd: statement.funding_gap_usd,
    };
    Some((measures, years))
}

fn quantiles(values: &mut [f64]) -> Quantiles {
    values.sort_by(f64::total_cmp);
    Quantiles {
        p10: sample_quantile(values, 0.1),
        p50: sample_quantile(values, 0.5),
        p90: sample_quantile(values, 0.9),
        mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
    }
}

/// Ranks of `v` (1-based, ties averaged).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[order[k]] = rank;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of `x` and `y`; 0 when either does not vary.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// Runs the risk analysis of `base`: `settings.samples` sampled scenarios, each re-planned by
/// `replanner` and projected. `progress(done, total)` is called from worker threads as plans
/// finish.
pub fn run_risk(
    base: &Scenario,
    replanner: &dyn Replanner,
    settings: &RiskSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<RiskReport, FinanceError> {
    let (base_run, samples) = run(
        base,
        replanner,
        settings,
        true,
        0..settings.samples,
        progress,
    )?;
    Ok(assemble(base_run.expect("asked for"), samples))
}

/// The samples `range` of the run [`run_risk`] makes with `settings` (one shard of it): sample
/// `i` is drawn from `(seed, i)` alone ([`draws`]), so the shards of any split together hold
/// exactly the samples of the whole run. No base plan, no swing.
pub fn run_shard(
    base: &Scenario,
    replanner: &dyn Replanner,
    settings: &RiskSettings,
    range: Range<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Sample>, FinanceError> {
    Ok(run(base, replanner, settings, false, range, progress)?.1)
}

/// The report of [`run_risk`] from `samples` made elsewhere ([`run_shard`], in index order
/// `0..settings.samples`): plans the scenario as written and the swings here and summarises.
/// The report equals [`run_risk`]'s for the same settings.
pub fn merge_shards(
    base: &Scenario,
    replanner: &dyn Replanner,
    settings: &RiskSettings,
    samples: Vec<Sample>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<RiskReport, FinanceError> {
    let (base_run, _) = run(base, replanner, settings, true, 0..0, progress)?;
    Ok(assemble(base_run.expect("asked for"), samples))
}

/// The scenario as written and the swings: what a report needs beside its samples.
struct BaseRun {
    inputs: Vec<UncertainInput>,
    measures: Option<Measures>,
    swings: Vec<[(f64, f64); 3]>,
}

/// Plans, in one parallel pass, the scenario as written and the swings (with `with_base`) and
/// the samples `range`.
fn run(
    base: &Scenario,
    replanner: &dyn Replanner,
    settings: &RiskSettings,
    with_base: bool,
    range: Range<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Option<BaseRun>, Vec<Sample>), FinanceError> {
    if settings.samples == 0 {
        return Err(FinanceError::NoSamples);
    }
    let inputs = inputs(base)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| FinanceError::Threads {
            threads: settings.threads,
            message: e.to_string(),
        })?;
    let swing_plans = if settings.swing && with_base {
        2 * inputs.len()
    } else {
        0
    };
    let head = usize::from(with_base) + swing_plans;
    let total = range.len() + head;
    let done = AtomicUsize::new(0);
    let tick = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
    type Outcome = (SolveStatus, Option<(Measures, Vec<YearMeasures>)>);
    let run = |values: &[Option<f64>]| -> Outcome {
        let sample = apply(base, &inputs, values);
        let plan = replanner.replan(&sample);
        let m = measure_by_year(&sample, &plan);
        tick();
        (plan.status, m)
    };

    // The scenario as written, the swings and the samples, all in one parallel pass.
    let mut jobs: Vec<Vec<Option<f64>>> = Vec::new();
    if with_base {
        jobs.push(vec![None; inputs.len()]);
    }
    for (i, input) in inputs.iter().enumerate().take(swing_plans / 2) {
        for p in [0.1, 0.9] {
            let mut v: Vec<Option<f64>> = inputs.iter().map(|x| neutral(x.kind)).collect();
            for (k, x) in inputs.iter().enumerate() {
                if neutral(x.kind).is_none() && k != i {
                    v[k] = None;
                }
            }
            v[i] = Some(input.distribution.quantile(p));
            jobs.push(v);
        }
    }
    let drawn: Vec<Vec<f64>> = range
        .clone()
        .map(|i| draws(&inputs, settings.seed, i))
        .collect();
    jobs.extend(drawn.iter().map(|v| v.iter().copied().map(Some).collect()));
    let results: Vec<Outcome> = pool.install(|| jobs.par_iter().map(|v| run(v)).collect());

    let base_run = with_base.then(|| BaseRun {
        measures: results[0].1.as_ref().map(|m| m.0),
        swings: (0..swing_plans / 2)
            .map(|i| {
                let lo = results[1 + 2 * i].1.as_ref().map(|m| m.0);
                let hi = results[2 + 2 * i].1.as_ref().map(|m| m.0);
                let pick = |m: Option<Measures>, k: usize| m.map_or(f64::NAN, |m| m.get(k));
                [0, 1, 2].map(|k| (pick(lo, k), pick(hi, k)))
            })
            .collect(),
        inputs: inputs.clone(),
    });
    let samples: Vec<Sample> = drawn
        .into_iter()
        .zip(results.into_iter().skip(head))
        .zip(range)
        .map(|((values, (status, measured)), index)| {
            let (measures, years) = match measured {
                Some((m, years)) => (Some(m), years),
                None => (None, Vec::new()),
            };
            Sample {
                index,
                values,
                status,
                measures,
                years,
            }
        })
        .collect();
    Ok((base_run, samples))
}

/// The report: quantiles and sensitivity over `samples`, beside the base run.
fn assemble(base: BaseRun, samples: Vec<Sample>) -> RiskReport {
    let BaseRun {
        inputs,
        measures: base_measures,
        swings,
    } = base;
    let ok: Vec<&Sample> = samples.iter().filter(|s| s.measures.is_some()).collect();
    let failed = samples.len() - ok.len();
    let measure_of = |k: usize| -> Vec<f64> {
        ok.iter()
            .map(|s| s.measures.map_or(f64::NAN, |m| m.get(k)))
            .collect()
    };
    let quantiles = (!ok.is_empty()).then(|| [0, 1, 2].map(|k| quantiles(&mut measure_of(k))));
    let mut sensitivity: Vec<Sensitivity> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let x: Vec<f64> = ok.iter().map(|s| s.values[i]).collect();
            Sensitivity {
                name: input.name.clone(),
                rank_correlation: [0, 1, 2].map(|k| spearman(&x, &measure_of(k))),
                swing: swings.get(i).copied(),
            }
        })
        .collect();
    sensitivity.sort_by(|a, b| b.strength().total_cmp(&a.strength()));
    RiskReport {
        inputs,
        base: base_measures,
        samples,
        failed,
        quantiles,
        sensitivity,
    }
}

impl RiskReport {
    /// How many samples the time limit left without a plan ([`Sample::stopped_by_time_limit`]).
    /// More than none: the run was cut short, and which samples were planned depends on the
    /// machine's speed as well as the seed, unlike a complete run's.
    pub fn stopped_by_time_limit(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| s.stopped_by_time_limit())
            .count()
    }

    /// The fan chart: per year, the quantiles of cumulative loss and funding gap over the
    /// samples with a plan (empty when none has one).
    pub fn fan(&self) -> Vec<YearQuantiles> {
        let Some(first) = self.samples.iter().find(|s| s.measures.is_some()) else {
            return Vec::new();
        };
        first
            .years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let mut loss = Vec::new();
                let mut gap = Vec::new();
                for s in &self.samples {
                    if let Some(v) = s.years.get(i).filter(|v| v.year == y.year) {
                        loss.push(v.cumulative_loss_usd);
                        gap.push(v.funding_gap_usd);
                    }
                }
                YearQuantiles {
                    year: y.year,
                    cumulative_loss: quantiles(&mut loss),
                    funding_gap: quantiles(&mut gap),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_and_reversed_series() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[10.0, 20.0, 35.0, 80.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x, &[5.0; 4]), 0.0);
    }

    #[test]
    fn the_fan_has_the_quantiles_of_each_year_over_the_samples_with_a_plan() {
        let sample = |index: usize, loss: [f64; 2]| Sample {
            index,
            values: vec![],
            status: SolveStatus::Optimal,
            measures: Some(Measures {
                total_cost_usd: 0.0,
                cumulative_loss_usd: loss[1],
                funding_gap_usd: 0.0,
            }),
            years: [2027, 2028]
                .iter()
                .zip(loss)
                .map(|(&year, l)| YearMeasures {
                    year,
                    cumulative_loss_usd: l,
                    funding_gap_usd: 2.0 * l,
                })
                .collect(),
        };
        let mut samples: Vec<Sample> = (0..11)
            .map(|i| sample(i, [i as f64, 10.0 * i as f64]))
            .collect();
        samples.push(Sample {
            index: 11,
            values: vec![],
            status: SolveStatus::Infeasible,
            measures: None,
            years: vec![],
        });
        let report = RiskReport {
            inputs: vec![],
            base: None,
            samples,
            failed: 1,
            quantiles: None,
            sensitivity: vec![],
        };
        let fan = report.fan();
        assert_eq!(fan.len(), 2);
        assert_eq!((fan[0].year, fan[1].year), (2027, 2028));
        assert_eq!(fan[0].cumulative_loss.p50, 5.0);
        assert_eq!(fan[1].cumulative_loss.p50, 50.0);
        assert_eq!(fan[1].funding_gap.p50, 100.0);
        assert!(fan[1].cumulative_loss.p10 < 50.0 && fan[1].cumulative_loss.p90 > 50.0);
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
    }
}
