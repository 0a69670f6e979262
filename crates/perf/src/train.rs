//! Training: FLOPs per token, memory per chip, minimum chips, and throughput.

use allot_catalog::Accelerator;
use allot_model::Architecture;
use serde::Serialize;

use crate::{Calibration, Precision};

/// What kind of training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainKind {
    /// Every weight trained (pre-training or full fine-tuning).
    #[default]
    Full,
    /// LoRA fine-tuning: base weights frozen, small adapters trained.
    Lora,
}

/// Bytes of weights, gradients and optimiser state per parameter in full mixed-precision
/// training with Adam: bf16 weights (2) and gradients (2), fp32 master weights, first and
/// second moments (4 + 4 + 4).
pub const STATE_BYTES_FULL: f64 = 16.0;
/// Bytes per parameter in LoRA fine-tuning: the frozen bf16 weights (adapters are negligible).
pub const STATE_BYTES_LORA: f64 = 2.0;
/// Fraction of HBM usable for the model (the rest: runtime, fragmentation, communication buffers).
pub const USABLE_HBM: f64 = 0.9;
/// Largest tensor-parallel degree (one scale-up node of eight).
pub const MAX_TENSOR_PARALLEL: u32 = 8;

/// Training FLOPs per token (the MFU convention of PaLM, Chowdhery et al. 2022, appendix B):
/// 6 × active matmul parameters (forward 2, backward 4) plus the attention term
/// 12 × layers × sequence × d_model. LoRA skips the weight gradients of the frozen base:
/// 4 × active parameters plus the same attention term.
pub fn flops_per_token(arch: &Architecture, kind: TrainKind) -> f64 {
    let n = arch.params().active_matmul();
    let attention =
        12.0 * f64::from(arch.layers) * f64::from(arch.seq_len) * f64::from(arch.d_model);
    let weights = match kind {
        TrainKind::Full => 6.0 * n,
        TrainKind::Lora => 4.0 * n,
    };
    weights + attention
}

/// Memory per chip in bytes on `chips` chips with tensor parallelism `tp`: model states fully
/// sharded over all chips (ZeRO-3/FSDP combined with tensor and pipeline parallelism), plus
/// activations of one sequence with full recomputation (each layer's bf16 input kept, 2 × s × d
/// bytes, plus one layer's working set of 34 × s × d bytes, Korthikanti et al. 2022), divided by
/// the tensor-parallel degree (sequence parallelism).
pub fn memory_per_chip_bytes(arch: &Architecture, kind: TrainKind, chips: u32, tp: u32) -> f64 {
    let states = match kind {
        TrainKind::Full => STATE_BYTES_FULL,
        TrainKind::Lora => STATE_BYTES_LORA,
    } * arch.params().total
        / f64::from(chips.max(1));
    let s = f64::from(arch.seq_len);
    let d = f64::from(arch.d_model);
    let activations = s * d * (2.0 * f64::from(arch.layers) + 34.0) / f64::from(tp.max(1));
    states + activations
}

fn tensor_parallel(chips: u32, arch: &Architecture) -> u32 {
    let mut tp = 1;
    while tp * 2 <= chips.min(MAX_TENSOR_PARALLEL) && arch.heads % (tp * 2) == 0 {
        tp *= 2;
    }
    tp
}

/// The smallest power-of-two number of `chip` on which the run fits, or `None` if it does not
/// fit even on 2^20 chips (activations of one sequence alone exceed a chip).
pub fn min_chips(arch: &Architecture, kind: TrainKind, chip: &Accelerator) -> Option<u32> {
    let usable = USABLE_HBM * chip.hbm_gb * 1e9;
    (0..=20)
        .map(|k| 1u32 << k)
        .find(|&n| memory_per_chip_bytes(arch, kind, n, tensor_parallel(n, arch)) <= usable)
}

/// A training run to estimate.
#[derive(Debug, Clone)]
pub struct TrainRequest<'a> {
    /// The model.
    pub arch: &'a Architecture,
    /// Tokens to train on.
    pub tokens: f64,
    /// Cluster size.
    pub chips: u32,
    /// Requested precision.
    pub precision: Precision,
    /// Full training or LoRA.
    pub kind: TrainKind,
    /// Software maturity factor of the chip (see [`crate::maturity`]).
    pub maturity: f64,
}

/// What a training run does on one accelerator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainEstimate {
    /// Accelerator id.
    pub chip: String,
    /// Precision actually used (FP8 falls back to BF16).
    pub precision: Precision,
    /// Cluster size.
    pub chips: u32,
    /// Tokens per second per chip.
    pub tokens_per_s_per_chip: f64,
    /// Model FLOP utilisation used.
    pub mfu: f64,
    /// Wall-clock hours to train.
    pub hours: f64,
    /// Chip-hours to train.
    pub chip_hours: f64,
    /// Whether the run fits in memory on this many chips.
    pub fits: bool,
    /// Memory per chip, GB.
    pub memory_gb_per_chip: f64,
    /// The smallest power-of-two cluster it fits on, if any.
    pub min_chips: Option<u32>,
}

/// Estimates a training run on `chip`.
pub fn estimate_train(
    chip: &Accelerator,
    req: &TrainRequest<'_>,
    calibration: &Calibration,
) -> TrainEstimate {
    let precision = req.precision.on(chip);
    let mfu = calibration.mfu(&chip.id, req.chips, req.kind) * req.maturity;
    let tokens_per_s_per_chip =
        precision.peak_flops(chip) * mfu / flops_per_token(req.arch, req.kind);
    let chips = req.chips.max(1);
    let hours = req.tokens / (tokens_per_s_per_chip * f64::from(chips)) / 3600.0;
    let min = min_chips(req.arch, req.kind, chip);
    let memory = memory_per_chip_bytes(req.arch, req.kind, chips, tensor_parallel(chips, req.arch));
    TrainEstimate {
        chip: chip.id.clone(),
        precision,
        chips,
        tokens_per_s_per_chip,
        mfu,
        hours,
        chip_hours: hours * f64::from(chips),
        fits: memory <= USABLE_HBM * chip.hbm_gb * 1e9,
        memory_gb_per_chip: memory / 1e9,
        min_chips: min,
    }
}
