//! Calibration of utilisation on MLPerf Training results.
//!
//! For each result, the observed model FLOP utilisation is
//! `benchmark FLOPs / (chips × seconds × peak)` at the precision the chip runs (FP8 where it has
//! FP8: MLPerf submissions on Hopper, Blackwell, MI300 and Gaudi use FP8). The model is
//! `mfu = base[family] × kind × scale(chips)` with `scale(n) = 1 / (1 + α ln(max(n, 8) / 8))`
//! (scaling efficiency falls with cluster size) and `kind` = 1 for full training and a fitted
//! factor for LoRA. `α` is chosen on a grid to minimise the mean over benchmarks of the median
//! relative error of predicted time to train; for each `α`, the family bases and the LoRA factor
//! are medians of the observations, alternated to convergence.

use std::sync::OnceLock;

use allot_catalog::Catalog;

use crate::mlperf::{self, Benchmark};
use crate::{Family, Precision, TrainKind, flops_per_token};

/// A family's fitted base utilisation.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyFit {
    /// The family.
    pub family: Family,
    /// Utilisation of full training on 8 chips.
    pub base_mfu: f64,
    /// Results it was fitted on.
    pub results: usize,
}

/// Fitted utilisation model.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Scaling-efficiency coefficient α.
    pub alpha: f64,
    /// Utilisation of LoRA fine-tuning relative to full training.
    pub lora_factor: f64,
    /// Families with results.
    pub families: Vec<FamilyFit>,
    /// Fixed time per benchmark run that does not shrink with more chips (initialisation,
    /// evaluation), minutes. A nuisance parameter of the fit: planning does not use it.
    pub overhead_minutes: Vec<(String, f64)>,
    /// Chips with at least [`MIN_CHIP_RESULTS`] results of their own: their measured
    /// efficiency relative to their family's fit (the median ratio of observed to fitted MFU).
    pub chip_factors: Vec<(String, f64, usize)>,
}

/// Results a chip needs before its own efficiency factor is fitted.
pub const MIN_CHIP_RESULTS: usize = 3;

/// One observation used in the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Line of the results file it comes from (0 when made up, as in tests).
    pub line: usize,
    /// MLPerf round, e.g. v5.0.
    pub round: String,
    /// Benchmark id.
    pub benchmark: String,
    /// Chip id in the catalog.
    pub chip: String,
    /// Chip family.
    pub family: Family,
    /// Chips used.
    pub chips: u32,
    /// Full or LoRA.
    pub kind: TrainKind,
    /// Observed time to train, minutes.
    pub minutes: f64,
    /// Benchmark FLOPs per run.
    pub flops: f64,
    /// Peak FLOP/s of one chip at the precision used.
    pub peak: f64,
}

impl Observation {
    /// Observed utilisation, after removing `overhead` minutes of fixed time.
    pub fn mfu(&self, overhead: f64) -> f64 {
        let minutes = (self.minutes - overhead).max(self.minutes * 0.05);
        self.flops / (f64::from(self.chips) * minutes * 60.0 * self.peak)
    }
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Calibration {
    /// Scaling efficiency at `chips`.
    pub fn scale(&self, chips: u32) -> f64 {
        1.0 / (1.0 + self.alpha * (f64::from(chips.max(8)) / 8.0).ln())
    }

    /// Base utilisation of a family, or of its stand-in when it has no results.
    pub fn base(&self, family: Family) -> f64 {
        let find = |f: Family| {
            self.families
                .iter()
                .find(|x| x.family == f)
                .map(|x| x.base_mfu)
        };
        find(family)
            .or_else(|| find(family.stand_in()))
            .unwrap_or_else(|| median(self.families.iter().map(|f| f.base_mfu).collect()))
    }

    /// Utilisation of `kind` training on `chips` chips of `chip_id`, before the chip's maturity.
    pub fn mfu(&self, chip_id: &str, chips: u32, kind: TrainKind) -> f64 {
        let k = match kind {
            TrainKind::Full => 1.0,
            TrainKind::Lora => self.lora_factor,
        };
        self.base(Family::of(chip_id)) * k * self.scale(chips) * self.chip_factor(chip_id)
    }

    /// A chip's fitted efficiency relative to its family (1 without enough results).
    pub fn chip_factor(&self, chip_id: &str) -> f64 {
        self.chip_factors
            .iter()
            .find(|(c, _, _)| c == chip_id)
            .map_or(1.0, |(_, f, _)| *f)
    }

    /// The fixed overhead of a benchmark, minutes.
    pub fn overhead(&self, benchmark: &str) -> f64 {
        self.overhead_minutes
            .iter()
            .find(|(b, _)| b == benchmark)
            .map_or(0.0, |(_, m)| *m)
    }

    /// Predicted time to train of an observation, minutes.
    pub fn predict_minutes(&self, o: &Observation) -> f64 {
        o.flops / (f64::from(o.chips) * self.mfu(&o.chip, o.chips, o.kind) * o.peak) / 60.0
            + self.overhead(&o.benchmark)
    }

    /// Fits the model to observations: coordinate descent over α and each benchmark's fixed
    /// overhead (grids), with family bases and the LoRA factor as medians for each setting.
    pub fn fit(observations: &[Observation]) -> Calibration {
        let mut benchmarks: Vec<(String, f64)> = Vec::new();
        for o in observations {
            match benchmarks.iter_mut().find(|(b, _)| *b == o.benchmark) {
                Some((_, shortest)) => *shortest = shortest.min(o.minutes),
                None => benchmarks.push((o.benchmark.clone(), o.minutes)),
            }
        }
        let mut overheads: Vec<(String, f64)> =
            benchmarks.iter().map(|(b, _)| (b.clone(), 0.0)).collect();
        let mut alpha = 0.0;
        let mut best = Calibration::fit_at(observations, alpha, &overheads);
        let mut best_score = best.score(observations);
        for _ in 0..3 {
            for step in 0..=40 {
                let a = f64::from(step) * 0.015;
                let c = Calibration::fit_at(observations, a, &overheads);
                let score = c.score(observations);
                if score < best_score {
                    (best, best_score, alpha) = (c, score, a);
                }
            }
            for i in 0..overheads.len() {
                let shortest = benchmarks[i].1;
                for step in 0..=20 {
                    let mut trial = overheads.clone();
                    trial[i].1 = shortest * 0.8 * f64::from(step) / 20.0;
                    let c = Calibration::fit_at(observations, alpha, &trial);
                    let score = c.score(observations);
                    if score < best_score {
                        (best, best_score, overheads) = (c, score, trial);
                    }
                }
            }
        }
        best.with_chip_factors(observations)
    }

    fn fit_at(obs: &[Observation], alpha: f64, overheads: &[(String, f64)]) -> Calibration {
        let mut c = Calibration {
            alpha,
            lora_factor: 1.0,
            families: Vec::new(),
            overhead_minutes: overheads.to_vec(),
            chip_factors: Vec::new(),
        };
        let families: Vec<Family> = {
            let mut f: Vec<Family> = obs.iter().map(|o| o.family).collect();
            f.sort();
            f.dedup();
            f
        };
        for _ in 0..8 {
            c.families = families
                .iter()
                .map(|&family| {
                    let ratios: Vec<f64> = obs
                        .iter()
                        .filter(|o| o.family == family)
                        .map(|o| {
                            let k = if o.kind == TrainKind::Lora {
                                c.lora_factor
                            } else {
                                1.0
                            };
                            o.mfu(c.overhead(&o.benchmark)) / (c.scale(o.chips) * k)
                        })
                        .collect();
                    FamilyFit {
                        family,
                        base_mfu: median(ratios.clone()),
                        results: ratios.len(),
                    }
                })
                .collect();
            let lora: Vec<f64> = obs
                .iter()
                .filter(|o| o.kind == TrainKind::Lora)
                .map(|o| o.mfu(c.overhead(&o.benchmark)) / (c.scale(o.chips) * c.base(o.family)))
                .collect();
            if !lora.is_empty() {
                c.lora_factor = median(lora);
            }
        }
        c
    }

    /// Adds each chip's own efficiency factor, measured against the fitted family model. Done
    /// after the fit, so that chip factors cannot absorb the scaling and LoRA terms.
    fn with_chip_factors(mut self, obs: &[Observation]) -> Calibration {
        let c = &mut self;
        let mut chips: Vec<&str> = obs.iter().map(|o| o.chip.as_str()).collect();
        chips.sort_unstable();
        chips.dedup();
        let family_only = c.clone();
        for chip in chips {
            let ratios: Vec<f64> = obs
                .iter()
                .filter(|o| o.chip == chip)
                .map(|o| {
                    o.mfu(c.overhead(&o.benchmark)) / family_only.mfu(&o.chip, o.chips, o.kind)
                })
                .collect();
            if ratios.len() >= MIN_CHIP_RESULTS {
                let n = ratios.len();
                c.chip_factors.push((chip.to_string(), median(ratios), n));
            }
        }
        self
    }

    /// Median relative error of predicted time, per benchmark.
    pub fn errors(&self, obs: &[Observation]) -> Vec<(String, f64, usize)> {
        let mut ids: Vec<&str> = obs.iter().map(|o| o.benchmark.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| {
                let errs: Vec<f64> = obs
                    .iter()
                    .filter(|o| o.benchmark == id)
                    .map(|o| (self.predict_minutes(o) / o.minutes - 1.0).abs())
                    .collect();
                (id.to_string(), median(errs.clone()), errs.len())
            })
            .collect()
    }

    fn score(&self, obs: &[Observation]) -> f64 {
        let e = self.errors(obs);
        e.iter().map(|(_, m, _)| m).sum::<f64>() / e.len().max(1) as f64
    }
}

/// The peak rate an MLPerf submission on `chip` runs at: FP8 where the chip has it (NVIDIA,
/// AMD and Intel submissions train in FP8), and for TPUs INT8 at twice the BF16 rate (Google
/// trains with INT8 through Accurate Quantized Training, AQT); BF16 otherwise.
pub fn mlperf_peak(chip: &allot_catalog::Accelerator) -> f64 {
    match (chip.fp8_tflops, Family::of(&chip.id)) {
        (Some(_), _) => Precision::Fp8.peak_flops(chip),
        (None, Family::GoogleTpu) => 2.0 * chip.bf16_tflops * 1e12,
        (None, _) => chip.bf16_tflops * 1e12,
    }
}

/// Observations from the shipped MLPerf results whose accelerator the catalog knows.
pub fn observations(catalog: &Catalog) -> Vec<Observation> {
    observations_from(&mlperf::shipped().results, catalog)
}

/// Observations from MLPerf results whose benchmark and accelerator are known.
pub fn observations_from(results: &[mlperf::Result], catalog: &Catalog) -> Vec<Observation> {
    let benchmarks: Vec<Benchmark> = mlperf::benchmarks();
    results
        .iter()
        .filter_map(|r| {
            let b = benchmarks.iter().find(|b| b.id == r.benchmark)?;
            let chip = catalog.accelerator(&r.accelerator)?;
            let peak = mlperf_peak(chip);
            Some(Observation {
                line: r.line,
                round: r.round.clone(),
                benchmark: r.benchmark.clone(),
                chip: chip.id.clone(),
                family: Family::of(&chip.id),
                chips: r.chips,
                kind: b.kind,
                minutes: r.minutes,
                flops: b.tokens(r.chips)
                    * flops_per_token(&b.arch, b.kind)
                    * (1.0 + b.eval_fraction),
                peak,
            })
        })
        .collect()
}

/// The calibration fitted on the shipped MLPerf results and the built-in catalog (computed once).
pub fn calibration() -> &'static Calibration {
    static FIT: OnceLock<Calibration> = OnceLock::new();
    FIT.get_or_init(|| {
        let (catalog, _) = Catalog::builtin();
        Calibration::fit(&observations(&catalog))
    })
}
