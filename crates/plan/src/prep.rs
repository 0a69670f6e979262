//! Planning data prepared from a scenario: periods, offerings with their effective prices,
//! supply pools, and for every workload the options the performance model allows.

use std::collections::BTreeMap;

use allot_catalog::{Accelerator, Offering, PriceModel};
use allot_model::Architecture;
use allot_perf::{
    LatencyClass, Precision, ServeRequest, TrainKind, TrainRequest, calibration, estimate_serve,
    estimate_train, min_chips,
};
use allot_scenario::{ModelSpec, Month, Scenario};

/// Hours in an average month.
pub const HOURS_PER_MONTH: f64 = allot_catalog::HOURS_PER_MONTH;
/// Days in an average month.
pub use allot_scenario::DAYS_PER_MONTH;
/// Power assumed for a chip whose catalog entry has no TDP, W.
pub const DEFAULT_TDP_W: f64 = 1000.0;
/// Largest cluster considered when a run gives no `max_chips`.
pub const DEFAULT_MAX_CHIPS: f64 = 10_000_000.0;

/// One planning period.
#[derive(Debug, Clone)]
pub struct Period {
    /// First month.
    pub start: Month,
    /// Months in it (the last quarter may be short).
    pub months: u32,
    /// Hours in it.
    pub hours: f64,
    /// Discount factor at its middle.
    pub discount: f64,
    /// Calendar year of its first month.
    pub year: i32,
    /// Label: `2027-03` or `2027-Q1`.
    pub label: String,
}

/// How an offering's capacity is bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    /// Per period, no commitment (on-demand, spot, capacity blocks, negotiated without term).
    Flexible,
    /// In cohorts that last `periods` periods and are paid whether used or not.
    Term {
        /// Term in periods.
        periods: usize,
        /// Term in months.
        months: u32,
    },
}

/// A supply pool: the chips of one accelerator at one provider, spot or not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pool {
    /// Provider id.
    pub provider: String,
    /// Accelerator id.
    pub chip: String,
    /// Spot capacity.
    pub spot: bool,
}

/// An offering the plan may buy.
#[derive(Debug, Clone)]
pub struct Supply {
    /// The catalog offering.
    pub offering: Offering,
    /// Vendor of its chip.
    pub vendor: String,
    /// Index into [`Prepared::pools`].
    pub pool: usize,
    /// How it is bought.
    pub purchase: Purchase,
    /// Price per chip-hour in each period, after commitment discounts.
    pub price: Vec<f64>,
    /// Useful fraction of a chip-hour (spot: after the availability haircut and preemption overhead).
    pub efficiency: f64,
    /// Power per chip, W.
    pub tdp_w: f64,
}

/// A training run's option: one pool, at a cluster size the performance model allows.
#[derive(Debug, Clone)]
pub struct TrainOption {
    /// Pool index.
    pub pool: usize,
    /// Smallest cluster: memory fit and the run's `min_chips`.
    pub min_chips: f64,
    /// Largest cluster of this option (a whole number of chips): a run has one option per
    /// pool and band of cluster sizes, `[min_chips, max_chips]` ([`cluster_caps`]).
    pub max_chips: f64,
    /// Tokens per second per chip: the performance model's rate at `max_chips`, so exact
    /// there and conservative on smaller clusters (the rate per chip falls with cluster size).
    pub tokens_per_s_per_chip: f64,
    /// Periods in which the run may use this option.
    pub periods: Vec<usize>,
}

/// A training run, prepared.
#[derive(Debug, Clone)]
pub struct TrainingWork {
    /// Name.
    pub name: String,
    /// Tokens to train.
    pub tokens: f64,
    /// Allowed periods (earliest start to deadline).
    pub window: (usize, usize),
    /// Options.
    pub options: Vec<TrainOption>,
}

/// An inference demand's option: serving from one pool.
#[derive(Debug, Clone)]
pub struct ServeOption {
    /// Pool index.
    pub pool: usize,
    /// Chip-hours per million tokens.
    pub chip_hours_per_million: f64,
    /// Periods in which this option may serve, in increasing order.
    pub periods: Vec<usize>,
}

/// An inference demand, prepared.
#[derive(Debug, Clone)]
pub struct ServingWork {
    /// Name.
    pub name: String,
    /// Tokens (input + output) to serve in each period.
    pub tokens: Vec<f64>,
    /// Options.
    pub options: Vec<ServeOption>,
}

/// Everything the model builder needs.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Periods.
    pub periods: Vec<Period>,
    /// Supply pools.
    pub pools: Vec<Pool>,
    /// Offerings that can be bought.
    pub supplies: Vec<Supply>,
    /// Training runs.
    pub training: Vec<TrainingWork>,
    /// Inference demands.
    pub serving: Vec<ServingWork>,
    /// Problems that make a workload impossible before any solve (no option at all).
    pub unplaceable: Vec<String>,
}

/// Months of `[a, a + n)` that fall in `[b, b + m)`.
pub fn overlap(a: Month, n: i64, b: Month, m: i64) -> i64 {
    let start = a.index().max(b.index());
    let end = (a.index() + n).min(b.index() + m);
    (end - start).max(0)
}

fn architecture(spec: &ModelSpec) -> Option<Architecture> {
    match spec {
        ModelSpec::Preset(p) => allot_model::preset(p).map(|p| p.architecture()),
        ModelSpec::Architecture(a) => Some(a.clone()),
    }
}

fn precision(p: allot_scenario::Precision) -> Precision {
    match p {
        allot_scenario::Precision::Bf16 => Precision::Bf16,
        allot_scenario::Precision::Fp8 => Precision::Fp8,
    }
}

/// What a training run must do on one option, for [`cluster_caps`].
pub struct Work {
    /// Tokens to train.
    pub tokens: f64,
    /// Seconds in the run's window.
    pub window_s: f64,
    /// Seconds in the longest period the option may use.
    pub longest_s: f64,
}

/// The largest cluster of each band of cluster sizes a run may use on one pool
/// (docs/model.md, constraint 3): the smallest whole cluster that finishes the run within its
/// window at the performance model's rate for that cluster (clamped to `[lo, hi]`), then each
/// power of two above it, up to `hi`, stopping at the first that finishes the run in one
/// period. `rate_at(n)` is tokens per second per chip on `n` chips, falling with `n`; no
/// smaller cluster finishes the run, and no larger one is needed.
pub fn cluster_caps(lo: f64, hi: f64, work: &Work, rate_at: &dyn Fn(f64) -> f64) -> Vec<f64> {
    // A cluster of `n` finishes the run in `secs` seconds (to rounding).
    let finishes = |n: f64, secs: f64| n * rate_at(n) * secs >= work.tokens * (1.0 - 1e-12);
    // The least fixed point of n = ⌈tokens / (rate(n) · window)⌉ from `lo`: the sequence
    // rises (the rate falls with n) and stays below any cluster that finishes.
    let mut first = lo.ceil();
    for _ in 0..64 {
        if first >= hi || finishes(first, work.window_s) {
            break;
        }
        let next = (work.tokens / (rate_at(first) * work.window_s)).ceil();
        first = if next > first { next } else { first + 1.0 };
    }
    let mut caps = vec![first.min(hi)];
    let mut cap = first.min(hi);
    while cap < hi && !finishes(cap, work.longest_s) {
        // The next power of two above `cap`.
        cap = 2f64.powi(cap.log2().floor() as i32 + 1).min(hi);
        caps.push(cap);
    }
    caps
}

/// Prepares `s` for the model builder.
pub fn prepare(s: &Scenario) -> Prepared {
    let f = &s.file;
    let settings = &f.scenario;
    let m = settings.period.months();
    let n = settings.periods() as usize;
    let rate = settings.discount_rate;
    let periods: Vec<Period> = (0..n)
        .map(|p| {
            let offset = (p as u32) * m;
            let months = m.min(settings.horizon_months - offset);
            let start = settings.start.plus(i64::from(offset));
            let mid_years = (f64::from(offset) + f64::from(months) / 2.0) / 12.0;
            Period {
                start,
                months,
                hours: f64::from(months) * HOURS_PER_MONTH,
                discount: (1.0 + rate).powf(-mid_years),
                year: start.year(),
                label: if m == 1 {
                    start.to_string()
                } else {
                    start.quarter_label()
                },
            }
        })
        .collect();
    let period_of = |month: Month| -> usize {
        let k = settings.start.months_until(month).max(0) as u32 / m;
        (k as usize).min(n.saturating_sub(1))
    };
    let catalog = &s.catalog;
    let overrides: BTreeMap<String, f64> = f
        .performance
        .maturity
        .iter()
        .filter_map(|(k, v)| catalog.accelerator(k).map(|a| (a.id.clone(), *v)))
        .collect();
    let maturity = |chip: &Accelerator| allot_perf::maturity(chip, &overrides);

    // Supplies and pools.
    let spot = f.policy.spot.as_ref();
    let mut pools: Vec<Pool> = Vec::new();
    // Each commitment's provider and chips, as catalog ids.
    let commitment_scope: Vec<(Option<String>, Vec<String>)> = f
        .commitment
        .iter()
        .map(|c| {
            (
                catalog.provider(&c.provider).map(|v| v.id.clone()),
                c.chips
                    .iter()
                    .filter_map(|x| catalog.accelerator(x).map(|a| a.id.clone()))
                    .collect(),
            )
        })
        .collect();
    let mut supplies: Vec<Supply> = Vec::new();
    // The offerings a plan may hold: the rule validation and the verifier apply too.
    for o in catalog
        .offerings()
        .iter()
        .filter(|o| allot_scenario::holdable_in(f, o).is_ok())
    {
        let is_spot = o.price_model == PriceModel::Spot;
        let Some(chip) = catalog.accelerator(&o.chip) else {
            continue;
        };
        let pool = Pool {
            provider: o.provider.clone(),
            chip: o.chip.clone(),
            spot: is_spot,
        };
        let pool_index = match pools.iter().position(|p| *p == pool) {
            Some(i) => i,
            None => {
                pools.push(pool);
                pools.len() - 1
            }
        };
        let term_months = match o.price_model {
            PriceModel::Owned => o.depreciation_months,
            PriceModel::Reserved1y
            | PriceModel::Reserved3y
            | PriceModel::SavingsPlan
            | PriceModel::Negotiated => o.term_months(),
            _ => None,
        };
        let purchase = match term_months {
            Some(months) => Purchase::Term {
                periods: months.div_ceil(m) as usize,
                months,
            },
            None => Purchase::Flexible,
        };
        let list = o.usd_per_chip_hour().unwrap_or(0.0);
        let price = periods
            .iter()
            .map(|p| {
                let discount = f
                    .commitment
                    .iter()
                    .zip(&commitment_scope)
                    .filter(|(c, (provider, chips))| {
                        provider.as_deref() == Some(o.provider.as_str())
                            && (c.chips.is_empty() || chips.contains(&o.chip))
                            && overlap(
                                p.start,
                                i64::from(p.months),
                                c.start,
                                i64::from(c.term_months),
                            ) > 0
                    })
                    .map(|(c, _)| c.discount)
                    .fold(0.0, f64::max);
                list * (1.0 - discount)
            })
            .collect();
        let efficiency = match (is_spot, spot) {
            (true, Some(sp)) => (1.0 - sp.availability_haircut) * (1.0 - sp.preemption_overhead),
            _ => 1.0,
        };
        supplies.push(Supply {
            offering: o.clone(),
            vendor: chip.vendor.clone(),
            pool: pool_index,
            purchase,
            price,
            efficiency,
            tdp_w: chip.tdp_w.unwrap_or(DEFAULT_TDP_W),
        });
    }

    // Exclusivity: which providers a workload may use in a period.
    let exclusive_to: Vec<Vec<String>> = f
        .exclusivity
        .iter()
        .map(|e| {
            e.providers
                .iter()
                .filter_map(|x| catalog.provider(x).map(|v| v.id.clone()))
                .collect()
        })
        .collect();
    let allowed_in = |workload: &str, provider: &str, p: &Period| -> bool {
        f.exclusivity
            .iter()
            .zip(&exclusive_to)
            .all(|(e, providers)| {
                let applies = e
                    .workloads
                    .iter()
                    .any(|w| w.trim().eq_ignore_ascii_case(workload.trim()))
                    && e.start
                        .is_none_or(|s| p.start.plus(i64::from(p.months) - 1) >= s)
                    && e.end.is_none_or(|end| p.start <= end);
                !applies || providers.iter().any(|v| v == provider)
            })
    };
    let resolve_chips = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter_map(|c| catalog.accelerator(c).map(|a| a.id.clone()))
            .collect()
    };
    let resolve_providers = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter_map(|c| catalog.provider(c).map(|a| a.id.clone()))
            .collect()
    };

    let mut unplaceable = Vec::new();
    let cal = calibration();
    let mut training = Vec::new();
    for t in &f.training {
        let Some(arch) = architecture(&t.model) else {
            continue;
        };
        let chips = resolve_chips(&t.chips);
        let providers = resolve_providers(&t.providers);
        let start = period_of(t.earliest_start.unwrap_or(settings.start));
        let end = period_of(t.deadline.unwrap_or(settings.last_month()));
        let window_s: f64 = periods[start..=end].iter().map(|p| p.hours * 3600.0).sum();
        let allow_spot = spot.is_some_and(|sp| sp.allow_training);
        let mut options = Vec::new();
        for (i, pool) in pools.iter().enumerate() {
            if (pool.spot && !allow_spot)
                || (!chips.is_empty() && !chips.contains(&pool.chip))
                || (!providers.is_empty() && !providers.contains(&pool.provider))
            {
                continue;
            }
            let Some(chip) = catalog.accelerator(&pool.chip) else {
                continue;
            };
            let Some(fit) = min_chips(&arch, TrainKind::Full, chip) else {
                continue;
            };
            let lo = f64::from(fit).max(f64::from(t.min_chips.unwrap_or(1)));
            let hi = t.max_chips.map_or(DEFAULT_MAX_CHIPS, f64::from);
            if lo > hi {
                continue;
            }
            // The performance model's rate on a whole number of chips.
            let rate_at = |n: f64| {
                let req = TrainRequest {
                    arch: &arch,
                    tokens: t.tokens,
                    chips: n.clamp(1.0, 4e9) as u32,
                    precision: precision(t.precision),
                    kind: TrainKind::Full,
                    maturity: maturity(chip),
                };
                estimate_train(chip, &req, cal).tokens_per_s_per_chip
            };
            let valid: Vec<usize> = (start..=end)
                .filter(|&p| allowed_in(&t.name, &pool.provider, &periods[p]))
                .collect();
            if valid.is_empty() {
                continue;
            }
            let longest_s = valid
                .iter()
                .map(|&p| periods[p].hours * 3600.0)
                .fold(0.0, f64::max);
            let work = Work {
                tokens: t.tokens,
                window_s,
                longest_s,
            };
            for cap in cluster_caps(lo, hi, &work, &rate_at) {
                options.push(TrainOption {
                    pool: i,
                    min_chips: lo,
                    max_chips: cap,
                    tokens_per_s_per_chip: rate_at(cap),
                    periods: valid.clone(),
                });
            }
        }
        if options.is_empty() {
            unplaceable.push(format!(
                "training run '{}' has no option: no allowed chip at an allowed provider fits the model",
                t.name
            ));
        }
        training.push(TrainingWork {
            name: t.name.clone(),
            tokens: t.tokens,
            window: (start, end),
            options,
        });
    }

    let mut serving = Vec::new();
    for d in &f.inference {
        let Some(arch) = architecture(&d.model) else {
            continue;
        };
        let chips = resolve_chips(&d.chips);
        let providers = resolve_providers(&d.providers);
        let per_request = f64::from(d.input_tokens) + f64::from(d.output_tokens);
        let monthly = d
            .requests_per_day
            .monthly(settings.start, settings.horizon_months, m);
        let first = d.start.unwrap_or(settings.start);
        let last = d.end.unwrap_or(settings.last_month());
        let tokens: Vec<f64> = periods
            .iter()
            .enumerate()
            .map(|(p, per)| {
                (0..per.months)
                    .map(|k| {
                        let month = per.start.plus(i64::from(k));
                        let idx = (p as u32 * m + k) as usize;
                        if month < first || month > last {
                            0.0
                        } else {
                            monthly.get(idx).copied().unwrap_or(0.0)
                        }
                    })
                    .sum::<f64>()
                    * DAYS_PER_MONTH
                    * per_request
            })
            .collect();
        let latency = d.min_tokens_per_s_per_user.or(match d.latency {
            allot_scenario::LatencyClass::Interactive => {
                LatencyClass::Interactive.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Standard => {
                LatencyClass::Standard.min_tokens_per_s_per_user()
            }
            allot_scenario::LatencyClass::Batch => None,
        });
        let mut options = Vec::new();
        // The estimate depends on the chip only, and many providers sell the same chip.
        let mut by_chip: BTreeMap<&str, Option<f64>> = BTreeMap::new();
        for (i, pool) in pools.iter().enumerate() {
            if (!chips.is_empty() && !chips.contains(&pool.chip))
                || (!providers.is_empty() && !providers.contains(&pool.provider))
            {
                continue;
            }
            let chip_hours = *by_chip.entry(pool.chip.as_str()).or_insert_with(|| {
                let chip = catalog.accelerator(&pool.chip)?;
                let req = ServeRequest {
                    arch: &arch,
                    input_tokens: d.input_tokens,
                    output_tokens: d.output_tokens,
                    context: None,
                    precision: precision(d.precision),
                    min_tokens_per_s_per_user: latency,
                    batch: None,
                    chips_per_replica: None,
                    maturity: maturity(chip),
                };
                let e = estimate_serve(chip, &req, cal);
                (e.fits && e.meets_latency && e.chip_hours_per_million_tokens.is_finite())
                    .then_some(e.chip_hours_per_million_tokens)
            });
            let Some(chip_hours) = chip_hours else {
                continue;
            };
            let valid: Vec<usize> = (0..n)
                .filter(|&p| tokens[p] > 0.0 && allowed_in(&d.name, &pool.provider, &periods[p]))
                .collect();
            if valid.is_empty() {
                continue;
            }
            options.push(ServeOption {
                pool: i,
                chip_hours_per_million: chip_hours,
                periods: valid,
            });
        }
        if options.is_empty() && tokens.iter().any(|t| *t > 0.0) {
            unplaceable.push(format!(
                "inference demand '{}' has no option: no allowed chip at an allowed provider serves it at its latency",
                d.name
            ));
        }
        serving.push(ServingWork {
            name: d.name.clone(),
            tokens,
            options,
        });
    }

    Prepared {
        periods,
        pools,
        supplies,
        training,
        serving,
        unplaceable,
    }
}
