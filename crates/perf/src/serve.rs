//! Inference: prefill and decode throughput, batch and tensor-parallel choice, chip-hours per
//! million tokens.

use allot_catalog::Accelerator;
use allot_model::Architecture;
use serde::Serialize;

use crate::train::USABLE_HBM;
use crate::{Calibration, Precision, TrainKind};

/// Share of peak HBM bandwidth that decode kernels achieve.
pub const HBM_EFFICIENCY: f64 = 0.75;
/// Time of one tensor-parallel all-reduce in decode, seconds; two per layer.
pub const ALLREDUCE_S: f64 = 10e-6;
/// Largest batch considered.
pub const MAX_BATCH: u32 = 1024;
/// Largest tensor-parallel group considered (beyond one node: pipeline and expert parallelism).
pub const MAX_CHIPS_PER_REPLICA: u32 = 256;

/// How fast each user must see tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LatencyClass {
    /// Chat and agents: at least 30 output tokens/s per user.
    #[default]
    Interactive,
    /// At least 10 tokens/s per user.
    Standard,
    /// No per-user speed: throughput only.
    Batch,
}

impl LatencyClass {
    /// The per-user output speed this class needs, tokens/s.
    pub fn min_tokens_per_s_per_user(self) -> Option<f64> {
        match self {
            LatencyClass::Interactive => Some(30.0),
            LatencyClass::Standard => Some(10.0),
            LatencyClass::Batch => None,
        }
    }
}

/// An inference workload to estimate.
#[derive(Debug, Clone)]
pub struct ServeRequest<'a> {
    /// The model served.
    pub arch: &'a Architecture,
    /// Mean input tokens per request.
    pub input_tokens: u32,
    /// Mean output tokens per request.
    pub output_tokens: u32,
    /// Context kept in the KV cache per sequence; input + output when absent.
    pub context: Option<u32>,
    /// Requested precision of weights and KV cache.
    pub precision: Precision,
    /// Per-user output speed to meet, tokens/s; none for batch work.
    pub min_tokens_per_s_per_user: Option<f64>,
    /// A fixed batch instead of the chosen one.
    pub batch: Option<u32>,
    /// A fixed number of chips per replica instead of the chosen one.
    pub chips_per_replica: Option<u32>,
    /// Software maturity factor of the chip.
    pub maturity: f64,
}

/// What one accelerator does for an inference workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServeEstimate {
    /// Accelerator id.
    pub chip: String,
    /// Precision actually used.
    pub precision: Precision,
    /// Chips holding one copy of the model (tensor parallelism).
    pub chips_per_replica: u32,
    /// Sequences decoded together per replica.
    pub batch: u32,
    /// Prefill (prompt) tokens per second per chip.
    pub prefill_tokens_per_s_per_chip: f64,
    /// Decode (output) tokens per second per chip.
    pub decode_tokens_per_s_per_chip: f64,
    /// Output tokens per second each user sees.
    pub tokens_per_s_per_user: f64,
    /// Chip-hours per million tokens (input plus output) of the request mix.
    pub chip_hours_per_million_tokens: f64,
    /// Whether weights and KV cache fit.
    pub fits: bool,
    /// Whether the per-user speed is met.
    pub meets_latency: bool,
    /// Memory per chip, GB.
    pub memory_gb_per_chip: f64,
}

struct Shape {
    weight_bytes: f64,
    /// Bytes read per decode step that do not depend on the batch (attention, dense MLPs,
    /// embeddings, shared experts).
    fixed_bytes: f64,
    /// Bytes of one routed expert in one layer, and the routing.
    expert_bytes: f64,
    moe_layers: f64,
    experts: f64,
    top_k: f64,
    kv_bytes_per_token: f64,
    matmul_params: f64,
}

fn shape(arch: &Architecture, bytes: f64) -> Shape {
    let p = arch.params();
    let kv_bytes_per_token = f64::from(arch.layers) * arch.kv_elements_per_token_layer() * bytes;
    match (arch.experts, arch.top_k) {
        (Some(e), Some(k)) => {
            let matrices = match arch.mlp {
                allot_model::Mlp::Gelu => 2.0,
                allot_model::Mlp::Swiglu => 3.0,
            };
            let expert = matrices * f64::from(arch.d_model) * f64::from(arch.ffn()) * bytes;
            let moe_layers =
                f64::from(arch.layers - arch.dense_layers.unwrap_or(0).min(arch.layers));
            let routed = moe_layers * f64::from(e) * expert;
            Shape {
                weight_bytes: p.total * bytes,
                fixed_bytes: p.total * bytes - routed,
                expert_bytes: expert,
                moe_layers,
                experts: f64::from(e),
                top_k: f64::from(k),
                kv_bytes_per_token,
                matmul_params: p.active_matmul(),
            }
        }
        _ => Shape {
            weight_bytes: p.total * bytes,
            fixed_bytes: p.total * bytes,
            expert_bytes: 0.0,
            moe_layers: 0.0,
            experts: 0.0,
            top_k: 0.0,
            kv_bytes_per_token,
            matmul_params: p.active_matmul(),
        },
    }
}

impl Shape {
    /// Weight bytes read in one decode step of `batch` sequences: every expert some token is
    /// routed to, assuming uniform routing.
    fn weights_read(&self, batch: f64) -> f64 {
        if self.experts == 0.0 {
            return self.fixed_bytes;
        }
        let touched = self.experts * (1.0 - (1.0 - self.top_k / self.experts).powf(batch));
        self.fixed_bytes + self.moe_layers * touched * self.expert_bytes
    }
}

/// Ranking of configurations, tried from the smallest replica up: usable ones (fitting and fast
/// enough) first, the cheapest among them; among those missing the speed, the fastest per user.
fn better_than(a: &ServeEstimate, b: &ServeEstimate) -> bool {
    let usable = |e: &ServeEstimate| e.fits && e.meets_latency;
    match (usable(a), usable(b)) {
        (true, false) => true,
        (false, true) => false,
        // A larger replica (tried later) must save a tenth to be worth its extra complexity.
        (true, true) => a.chip_hours_per_million_tokens < 0.9 * b.chip_hours_per_million_tokens,
        (false, false) => (a.fits, a.tokens_per_s_per_user) > (b.fits, b.tokens_per_s_per_user),
    }
}

struct Step {
    seconds: f64,
}

/// Estimates serving on `chip`: for each replica size from one chip upwards (doubling), the
/// largest batch that meets the per-user speed and fits the memory; the smallest replica is kept
/// unless a larger one costs at least 10% fewer chip-hours per million tokens (more chips per
/// replica leave more memory for KV cache, hence larger batches).
pub fn estimate_serve(
    chip: &Accelerator,
    req: &ServeRequest<'_>,
    calibration: &Calibration,
) -> ServeEstimate {
    let precision = req.precision.on(chip);
    let bytes = precision.weight_bytes(chip);
    let s = shape(req.arch, bytes);
    let util = calibration.mfu(&chip.id, 8, TrainKind::Full) / calibration.scale(8) * req.maturity;
    let peak = precision.peak_flops(chip);
    let bandwidth = chip.hbm_tb_s * 1e12 * HBM_EFFICIENCY;
    let usable = USABLE_HBM * chip.hbm_gb * 1e9;
    let input = f64::from(req.input_tokens);
    let output = f64::from(req.output_tokens);
    let context = req.context.map_or(input + output, f64::from);
    let mean_context = (context - output / 2.0).max(1.0);
    let d_attn = f64::from(req.arch.d_model);
    let layers = f64::from(req.arch.layers);

    let prefill_flops_per_token = 2.0 * s.matmul_params + 2.0 * layers * input * d_attn;
    let prefill = peak * util / prefill_flops_per_token;

    let step = |tp: f64, batch: f64| -> Step {
        let read = s.weights_read(batch) / tp + batch * mean_context * s.kv_bytes_per_token / tp;
        let flops = batch * (2.0 * s.matmul_params + 4.0 * layers * mean_context * d_attn) / tp;
        let comm = if tp > 1.0 {
            2.0 * layers * ALLREDUCE_S
        } else {
            0.0
        };
        Step {
            seconds: (read / bandwidth).max(flops / (peak * util)) + comm,
        }
    };
    let cost = |decode_per_chip: f64| {
        (1e6 / (input + output)) * (input / prefill + output / decode_per_chip) / 3600.0
    };

    let mut best: Option<ServeEstimate> = None;
    let mut tp = req.chips_per_replica.unwrap_or(1).max(1);
    let last = req
        .chips_per_replica
        .unwrap_or(MAX_CHIPS_PER_REPLICA)
        .max(1);
    while tp <= last {
        let tpf = f64::from(tp);
        let weights = s.weight_bytes / tpf;
        let kv_per_seq = context * s.kv_bytes_per_token / tpf;
        if weights + kv_per_seq <= usable {
            let memory_batch =
                (((usable - weights) / kv_per_seq).floor() as u32).clamp(1, MAX_BATCH);
            let speed = |b: u32| 1.0 / step(tpf, f64::from(b)).seconds;
            let (batch, fits) = match req.batch {
                Some(b) => (b.max(1), b.max(1) <= memory_batch),
                None => {
                    // Largest batch meeting the per-user speed (speed falls as the batch grows).
                    let target = req.min_tokens_per_s_per_user.unwrap_or(0.0);
                    let (mut lo, mut hi) = (1u32, memory_batch);
                    if speed(hi) >= target {
                        lo = hi;
                    } else {
                        while hi - lo > 1 {
                            let mid = lo + (hi - lo) / 2;
                            if speed(mid) >= target {
                                lo = mid
                            } else {
                                hi = mid
                            }
                        }
                    }
                    (lo, true)
                }
            };
            let per_user = speed(batch);
            let decode = f64::from(batch) * per_user / tpf;
            let meets = req.min_tokens_per_s_per_user.is_none_or(|t| per_user >= t);
            let candidate = ServeEstimate {
                chip: chip.id.clone(),
                precision,
                chips_per_replica: tp,
                batch,
                prefill_tokens_per_s_per_chip: prefill,
                decode_tokens_per_s_per_chip: decode,
                tokens_per_s_per_user: per_user,
                chip_hours_per_million_tokens: cost(decode),
                fits,
                meets_latency: meets,
                memory_gb_per_chip: (weights + f64::from(batch) * kv_per_seq) / 1e9,
            };
            let better = best.as_ref().is_none_or(|b| better_than(&candidate, b));
            if better {
                best = Some(candidate);
            }
        }
        tp *= 2;
    }
    best.unwrap_or_else(|| ServeEstimate {
        chip: chip.id.clone(),
        precision,
        chips_per_replica: last,
        batch: 0,
        prefill_tokens_per_s_per_chip: prefill,
        decode_tokens_per_s_per_chip: 0.0,
        tokens_per_s_per_user: 0.0,
        chip_hours_per_million_tokens: f64::INFINITY,
        fits: false,
        meets_latency: false,
        memory_gb_per_chip: s.weight_bytes / f64::from(last) / 1e9,
    })
}
