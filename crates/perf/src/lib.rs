//! The performance model: how much work one accelerator does per hour on a training run or an
//! inference demand, whether the model fits, and at what scale.
//!
//! Pure and IO-free. Chip specifications come from the catalog ([`Accelerator`]); model shapes
//! from `allot-model`. Utilisation is calibrated on MLPerf Training results shipped in
//! `data/calibration/mlperf-training.csv` (see [`calibration`]); every formula and constant is
//! explained in `docs/performance-model.md`.

mod calibration;
mod family;
mod holdout;
pub mod mlperf;
mod report;
mod serve;
mod train;

pub use calibration::{
    Calibration, FamilyFit, MIN_CHIP_RESULTS, Observation, calibration, observations,
    observations_from,
};
pub use family::{Family, default_maturity};
pub use holdout::{Basis, ChipErrors, Errors, Temporal, Validation, validation};
pub use report::{Section, calibration_report};
pub use serve::{LatencyClass, ServeEstimate, ServeRequest, estimate_serve};
pub use train::{
    TrainEstimate, TrainKind, TrainRequest, estimate_train, flops_per_token, memory_per_chip_bytes,
    min_chips,
};

use allot_catalog::Accelerator;
use serde::{Deserialize, Serialize};

/// Numeric precision of matrix multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// bfloat16.
    #[default]
    Bf16,
    /// 8-bit floating point; chips without FP8 run at their BF16 rate.
    Fp8,
}

impl Precision {
    /// The precision a chip actually runs: FP8 falls back to BF16 where the chip has no FP8.
    pub fn on(self, chip: &Accelerator) -> Precision {
        match (self, chip.fp8_tflops) {
            (Precision::Fp8, Some(_)) => Precision::Fp8,
            _ => Precision::Bf16,
        }
    }

    /// Dense peak rate of `chip` at this precision, FLOP/s (after the FP8 fallback).
    pub fn peak_flops(self, chip: &Accelerator) -> f64 {
        match self.on(chip) {
            Precision::Fp8 => chip.fp8_tflops.unwrap_or(chip.bf16_tflops) * 1e12,
            Precision::Bf16 => chip.bf16_tflops * 1e12,
        }
    }

    /// Bytes per weight element when serving at this precision.
    pub fn weight_bytes(self, chip: &Accelerator) -> f64 {
        match self.on(chip) {
            Precision::Fp8 => 1.0,
            Precision::Bf16 => 2.0,
        }
    }

    /// Name as written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
        }
    }
}

/// Software maturity factors by chip id, multiplying calibrated utilisation (1.0 = as mature
/// as the calibrated family). A scenario's `[performance] maturity` table fills this.
pub type MaturityOverrides = std::collections::BTreeMap<String, f64>;

/// The maturity factor of `chip`: the override if any, else the stated default.
pub fn maturity(chip: &Accelerator, overrides: &MaturityOverrides) -> f64 {
    overrides
        .get(&chip.id)
        .copied()
        .unwrap_or_else(|| default_maturity(&chip.id))
}
