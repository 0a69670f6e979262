//! In-sample and held-out error of the calibration: the fit scored on the rows it was fitted to,
//! beside two held-out tests that predict rows the fit never saw: leave one chip out (fit
//! without every row of a chip, predict that chip's rows) and a temporal split (fit on the older
//! MLPerf rounds, predict the newest).

use std::sync::OnceLock;

use allot_catalog::Catalog;

use crate::calibration::median;
use crate::{Calibration, Family, Observation, calibration, observations};

/// Absolute percentage errors of predicted time to train over some rows, as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Errors {
    /// Rows predicted.
    pub rows: usize,
    /// Median absolute error (the mean of the middle two for an even count).
    pub median: f64,
    /// 90th percentile of the absolute error, nearest rank: the `⌈0.9 n⌉`-th smallest.
    pub p90: f64,
}

impl Errors {
    /// Errors of a list of absolute errors.
    pub fn of(errors: &[f64]) -> Errors {
        let mut v = errors.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = (v.len() * 9).div_ceil(10).max(1);
        Errors {
            rows: v.len(),
            median: median(v.clone()),
            p90: v.get(rank - 1).copied().unwrap_or(f64::NAN),
        }
    }
}

/// What a fit predicts a chip's rows from.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// The chip's own factor, fitted on this many of its rows.
    Own(usize),
    /// Its family's base (fitted on this many rows), with an own factor of 1.
    Family(Family, usize),
    /// A stand-in family's base (its own family has no rows in the fit).
    StandIn(Family),
    /// The median of the fitted families' bases (neither its family nor a stand-in has rows).
    AllFamilies,
}

impl Basis {
    /// What `cal` predicts `chip` from.
    pub fn of(cal: &Calibration, chip: &str) -> Basis {
        let family = Family::of(chip);
        let fitted = |f: Family| cal.families.iter().find(|x| x.family == f);
        if let Some((_, _, n)) = cal.chip_factors.iter().find(|(c, _, _)| c == chip) {
            Basis::Own(*n)
        } else if let Some(f) = fitted(family) {
            Basis::Family(family, f.results)
        } else if fitted(family.stand_in()).is_some() {
            Basis::StandIn(family.stand_in())
        } else {
            Basis::AllFamilies
        }
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Own(n) => write!(f, "own factor ({n} rows)"),
            Basis::Family(family, n) => write!(f, "{} family ({n} rows)", family.name()),
            Basis::StandIn(family) => write!(f, "stand-in {}", family.name()),
            Basis::AllFamilies => write!(f, "median of other families"),
        }
    }
}

/// One chip's errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipErrors {
    /// Chip id.
    pub chip: String,
    /// Its own factor in the fit on every row, if it has enough rows for one.
    pub own_factor: Option<f64>,
    /// In-sample: the fit on every row, scored on this chip's rows.
    pub in_sample: Errors,
    /// Held out: the fit without this chip's rows, scored on them.
    pub held_out: Errors,
    /// What the held-out fit predicts this chip from.
    pub held_out_basis: Basis,
}

/// The temporal split: fit on the older rounds, predict the newest.
#[derive(Debug, Clone, PartialEq)]
pub struct Temporal {
    /// The newest round, predicted.
    pub newest: String,
    /// Rows of the older rounds, fitted.
    pub fitted_rows: usize,
    /// Per chip of the newest round: its errors and what they were predicted from.
    pub chips: Vec<(String, Errors, Basis)>,
    /// Over every row of the newest round.
    pub overall: Errors,
}

/// In-sample and held-out errors of a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// Per chip, in-sample and leave-one-chip-out.
    pub chips: Vec<ChipErrors>,
    /// In-sample, over every row.
    pub in_sample: Errors,
    /// Leave-one-chip-out, over every row (each predicted by the fit without its chip).
    pub leave_one_chip_out: Errors,
    /// Fit on the older rounds, predict the newest (none with a single round).
    pub temporal: Option<Temporal>,
}

fn error(cal: &Calibration, o: &Observation) -> f64 {
    (cal.predict_minutes(o) / o.minutes - 1.0).abs()
}

/// A round's name as numbers: v4.1 → [4, 1].
fn round_key(round: &str) -> Vec<u64> {
    round
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

impl Validation {
    /// Scores `full` (the fit on `obs`) in-sample, and refits without each chip and without the
    /// newest round to score the held-out rows.
    pub fn of(full: &Calibration, obs: &[Observation]) -> Validation {
        let mut chips: Vec<&str> = obs.iter().map(|o| o.chip.as_str()).collect();
        chips.sort_unstable();
        chips.dedup();
        let fits: Vec<Calibration> = std::thread::scope(|s| {
            let handles: Vec<_> = chips
                .iter()
                .map(|&chip| {
                    s.spawn(move || {
                        let rest: Vec<Observation> =
                            obs.iter().filter(|o| o.chip != chip).cloned().collect();
                        Calibration::fit(&rest)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("fit"))
                .collect()
        });
        let (mut all_in, mut all_out) = (Vec::new(), Vec::new());
        let chips = chips
            .iter()
            .zip(&fits)
            .map(|(&chip, without)| {
                let rows: Vec<&Observation> = obs.iter().filter(|o| o.chip == chip).collect();
                let inside: Vec<f64> = rows.iter().map(|o| error(full, o)).collect();
                let outside: Vec<f64> = rows.iter().map(|o| error(without, o)).collect();
                all_in.extend(&inside);
                all_out.extend(&outside);
                ChipErrors {
                    chip: chip.to_string(),
                    own_factor: full
                        .chip_factors
                        .iter()
                        .find(|(c, _, _)| c == chip)
                        .map(|(_, f, _)| *f),
                    in_sample: Errors::of(&inside),
                    held_out: Errors::of(&outside),
                    held_out_basis: Basis::of(without, chip),
                }
            })
            .collect();
        Validation {
            chips,
            in_sample: Errors::of(&all_in),
            leave_one_chip_out: Errors::of(&all_out),
            temporal: temporal(obs),
        }
    }
}

fn temporal(obs: &[Observation]) -> Option<Temporal> {
    let newest = obs.iter().map(|o| &o.round).max_by_key(|r| round_key(r))?;
    let (new, old): (Vec<Observation>, Vec<Observation>) =
        obs.iter().cloned().partition(|o| o.round == *newest);
    if old.is_empty() {
        return None;
    }
    let fit = Calibration::fit(&old);
    let mut chips: Vec<&str> = new.iter().map(|o| o.chip.as_str()).collect();
    chips.sort_unstable();
    chips.dedup();
    let per_chip = chips
        .into_iter()
        .map(|chip| {
            let e: Vec<f64> = new
                .iter()
                .filter(|o| o.chip == chip)
                .map(|o| error(&fit, o))
                .collect();
            (chip.to_string(), Errors::of(&e), Basis::of(&fit, chip))
        })
        .collect();
    let all: Vec<f64> = new.iter().map(|o| error(&fit, o)).collect();
    Some(Temporal {
        newest: newest.clone(),
        fitted_rows: old.len(),
        chips: per_chip,
        overall: Errors::of(&all),
    })
}

/// The validation of the shipped calibration on the shipped results (computed once).
pub fn validation() -> &'static Validation {
    static VALIDATION: OnceLock<Validation> = OnceLock::new();
    VALIDATION.get_or_init(|| {
        let (catalog, _) = Catalog::builtin();
        Validation::of(calibration(), &observations(&catalog))
    })
}
