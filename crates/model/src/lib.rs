//! Transformer model architectures: the shape of a model (layers, widths, heads, experts) as a
//! scenario or the command line gives it, and presets for published models.
//!
//! This crate only describes models; what they cost to train or serve on a chip is the
//! performance model's business.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The feed-forward block of each layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mlp {
    /// Two matrices with a GELU between them (GPT-2/3 style).
    #[default]
    Gelu,
    /// Three matrices, gated (Llama style).
    Swiglu,
}

/// A decoder-only transformer, as published in its configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// Number of transformer layers.
    #[schemars(range(min = 1))]
    pub layers: u32,
    /// Hidden (model) width.
    #[schemars(range(min = 1))]
    pub d_model: u32,
    /// Attention (query) heads.
    #[schemars(range(min = 1))]
    pub heads: u32,
    /// Key/value heads (grouped-query attention); defaults to `heads`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub kv_heads: Option<u32>,
    /// Feed-forward width (per expert for MoE layers); defaults to 4 × `d_model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub ffn: Option<u32>,
    /// Feed-forward kind; defaults to GELU.
    #[serde(default, skip_serializing_if = "is_default")]
    pub mlp: Mlp,
    /// Vocabulary size.
    #[schemars(range(min = 1))]
    pub vocab: u32,
    /// Training sequence length, tokens.
    #[schemars(range(min = 1))]
    pub seq_len: u32,
    /// Routed experts per MoE layer (absent for dense models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub experts: Option<u32>,
    /// Experts each token is routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub top_k: Option<u32>,
    /// Always-active shared experts per MoE layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_experts: Option<u32>,
    /// Leading layers that are dense even in an MoE model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense_layers: Option<u32>,
    /// Feed-forward width of those dense layers, when it differs from `ffn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub dense_ffn: Option<u32>,
    /// Multi-head latent attention (DeepSeek): elements cached per token and layer instead of
    /// keys and values (e.g. 512 + 64 = 576).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub kv_latent_dim: Option<u32>,
    /// Input and output embeddings share weights.
    #[serde(default, skip_serializing_if = "is_default")]
    pub tied_embeddings: bool,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Architecture {
    /// Checks the relations between fields that a schema cannot express. Returns
    /// `(field, message)` pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.heads > 0 && self.d_model % self.heads != 0 {
            out.push((
                "heads",
                format!(
                    "d_model {} is not divisible by heads {}",
                    self.d_model, self.heads
                ),
            ));
        }
        if let Some(kv) = self.kv_heads
            && kv > 0
            && self.heads % kv != 0
        {
            out.push((
                "kv_heads",
                format!("heads {} is not divisible by kv_heads {kv}", self.heads),
            ));
        }
        match (self.experts, self.top_k) {
            (Some(e), Some(k)) if k > e => {
                out.push(("top_k", format!("top_k {k} is larger than experts {e}")));
            }
            (Some(_), None) => out.push((
                "top_k",
                "an MoE model (experts given) needs top_k".to_string(),
            )),
            (None, Some(_)) => {
                out.push(("experts", "top_k is given but experts is not".to_string()))
            }
            _ => {}
        }
        if let Some(d) = self.dense_layers
            && d > self.layers
        {
            out.push((
                "dense_layers",
                format!("dense_layers {d} exceeds layers {}", self.layers),
            ));
        }
        out
    }
}

/// Parameter counts derived from an architecture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamCount {
    /// Every parameter.
    pub total: f64,
    /// Parameters used for each token (all of a dense model; routed top-k plus shared experts
    /// of an MoE model).
    pub active: f64,
    /// Input embedding parameters (a table lookup, no matrix multiply).
    pub input_embedding: f64,
}

impl ParamCount {
    /// Active parameters that take part in matrix multiplies: active minus the input embedding.
    pub fn active_matmul(&self) -> f64 {
        self.active - self.input_embedding
    }
}

impl Architecture {
    /// Width of one attention head.
    pub fn head_dim(&self) -> f64 {
        f64::from(self.d_model) / f64::from(self.heads.max(1))
    }

    /// Key/value heads (grouped-query attention), `heads` when not given.
    pub fn kv_heads(&self) -> u32 {
        self.kv_heads.unwrap_or(self.heads)
    }

    /// Feed-forward width: `ffn`, or 4 × `d_model`.
    pub fn ffn(&self) -> u32 {
        self.ffn.unwrap_or(4 * self.d_model)
    }

    /// Whether the feed-forward layers are mixtures of experts.
    pub fn is_moe(&self) -> bool {
        self.experts.is_some()
    }

    /// Elements of KV cache per token and layer: keys and values of every KV head, or the
    /// latent vector of multi-head latent attention.
    pub fn kv_elements_per_token_layer(&self) -> f64 {
        match self.kv_latent_dim {
            Some(latent) => f64::from(latent),
            None => 2.0 * f64::from(self.kv_heads()) * self.head_dim(),
        }
    }

    /// Parameter counts. Attention: Q and O are d × d, K and V are d × (kv_heads × head_dim);
    /// an MLP is 2 (GELU) or 3 (SwiGLU) matrices of d × ffn; an MoE layer has `experts` routed
    /// and `shared_experts` always-on MLPs plus a d × experts router; two norm vectors per layer;
    /// input embedding vocab × d, and an output head of the same size unless tied.
    pub fn params(&self) -> ParamCount {
        let d = f64::from(self.d_model);
        let kv_width = f64::from(self.kv_heads()) * self.head_dim();
        let attention = 2.0 * d * d + 2.0 * d * kv_width;
        let matrices = match self.mlp {
            Mlp::Gelu => 2.0,
            Mlp::Swiglu => 3.0,
        };
        let mlp = |width: u32| matrices * d * f64::from(width);
        let norms = 2.0 * d;
        let layers = f64::from(self.layers);
        let (total_layers, active_layers) = match (self.experts, self.top_k) {
            (Some(e), Some(k)) => {
                let dense = f64::from(self.dense_layers.unwrap_or(0).min(self.layers));
                let moe = layers - dense;
                let dense_layer = attention + norms + mlp(self.dense_ffn.unwrap_or(self.ffn()));
                let shared = f64::from(self.shared_experts.unwrap_or(0)) * mlp(self.ffn());
                let router = d * f64::from(e);
                let common = attention + norms + shared + router;
                (
                    dense * dense_layer + moe * (common + f64::from(e) * mlp(self.ffn())),
                    dense * dense_layer + moe * (common + f64::from(k) * mlp(self.ffn())),
                )
            }
            _ => {
                let layer = attention + norms + mlp(self.ffn());
                (layers * layer, layers * layer)
            }
        };
        let embedding = f64::from(self.vocab) * d;
        let head = if self.tied_embeddings { 0.0 } else { embedding };
        let outside = embedding + head + d;
        ParamCount {
            total: total_layers + outside,
            active: active_layers + outside,
            input_embedding: embedding,
        }
    }
}

/// A published model configuration.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Stable id used in scenarios and on the command line.
    pub id: &'static str,
    /// Where the configuration comes from.
    pub source: &'static str,
    /// Published total parameter count, for checking derived counts.
    pub published_params: f64,
    /// Published active parameter count (equal to the total for dense models).
    pub published_active: f64,
    build: fn() -> Architecture,
}

impl Preset {
    /// The architecture.
    pub fn architecture(&self) -> Architecture {
        (self.build)()
    }
}

fn dense(
    layers: u32,
    d_model: u32,
    heads: u32,
    kv_heads: u32,
    ffn: u32,
    vocab: u32,
    seq_len: u32,
) -> Architecture {
    Architecture {
        layers,
        d_model,
        heads,
        kv_heads: Some(kv_heads),
        ffn: Some(ffn),
        mlp: Mlp::Swiglu,
        vocab,
        seq_len,
        experts: None,
        top_k: None,
        shared_experts: None,
        dense_layers: None,
        dense_ffn: None,
        kv_latent_dim: None,
        tied_embeddings: false,
    }
}

/// Every preset, in a stable order.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "gpt3-175b",
        source: "https://arxiv.org/abs/2005.14165 (Table 2.1)",
        published_params: 175e9,
        published_active: 175e9,
        build: || Architecture {
            mlp: Mlp::Gelu,
            ..dense(96, 12288, 96, 96, 49152, 50257, 2048)
        },
    },
    Preset {
        id: "llama2-70b",
        source: "https://huggingface.co/meta-llama/Llama-2-70b-hf/blob/main/config.json",
        published_params: 70e9,
        published_active: 70e9,
        build: || dense(80, 8192, 64, 8, 28672, 32000, 4096),
    },
    Preset {
        id: "llama3.1-8b",
        source: "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json",
        published_params: 8.03e9,
        published_active: 8.03e9,
        build: || dense(32, 4096, 32, 8, 14336, 128256, 8192),
    },
    Preset {
        id: "llama3.1-70b",
        source: "https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json",
        published_params: 70.6e9,
        published_active: 70.6e9,
        build: || dense(80, 8192, 64, 8, 28672, 128256, 8192),
    },
    Preset {
        id: "llama3.1-405b",
        source: "https://huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json",
        published_params: 405e9,
        published_active: 405e9,
        build: || dense(126, 16384, 128, 8, 53248, 128256, 8192),
    },
    Preset {
        id: "mixtral-8x7b",
        source: "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json",
        published_params: 46.7e9,
        published_active: 12.9e9,
        build: || Architecture {
            experts: Some(8),
            top_k: Some(2),
            ..dense(32, 4096, 32, 8, 14336, 32000, 4096)
        },
    },
    Preset {
        id: "deepseek-v3",
        source: "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json",
        published_params: 671e9,
        published_active: 37e9,
        build: || Architecture {
            experts: Some(256),
            top_k: Some(8),
            shared_experts: Some(1),
            dense_layers: Some(3),
            dense_ffn: Some(18432),
            kv_latent_dim: Some(576),
            ..dense(61, 7168, 128, 128, 2048, 129280, 4096)
        },
    },
];

/// The preset with this id (case-insensitive), if any.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

/// Ids of every preset.
pub fn preset_ids() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|p| p.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_consistent() {
        for p in PRESETS {
            assert_eq!(p.architecture().problems(), vec![], "{}", p.id);
        }
        assert!(preset("Llama3.1-405B").is_some());
        assert!(preset("llama4").is_none());
    }

    #[test]
    fn derived_parameter_counts_match_published_ones() {
        for p in PRESETS {
            let c = p.architecture().params();
            let total_err = (c.total - p.published_params).abs() / p.published_params;
            let active_err = (c.active - p.published_active).abs() / p.published_active;
            println!(
                "{:<14} total {:>7.2}B (published {:>6.1}B)  active {:>6.2}B (published {:>5.1}B)",
                p.id,
                c.total / 1e9,
                p.published_params / 1e9,
                c.active / 1e9,
                p.published_active / 1e9
            );
            assert!(
                total_err < 0.02,
                "{}: total {:.3e} vs {:.3e}",
                p.id,
                c.total,
                p.published_params
            );
            // DeepSeek-V3's latent attention is counted as if it were ordinary attention, which
            // overstates active parameters by a few percent.
            let limit = if p.id == "deepseek-v3" { 0.06 } else { 0.02 };
            assert!(
                active_err < limit,
                "{}: active {:.3e} vs {:.3e}",
                p.id,
                c.active,
                p.published_active
            );
        }
    }

    #[test]
    fn defaults_follow_the_documented_rules() {
        let a = Architecture {
            layers: 2,
            d_model: 64,
            heads: 4,
            kv_heads: None,
            ffn: None,
            mlp: Mlp::Gelu,
            vocab: 100,
            seq_len: 16,
            experts: None,
            top_k: None,
            shared_experts: None,
            dense_layers: None,
            dense_ffn: None,
            kv_latent_dim: None,
            tied_embeddings: false,
        };
        assert_eq!(a.ffn(), 256);
        assert_eq!(a.kv_heads(), 4);
        // per layer: attention 4 × 64² + MLP 2 × 64 × 256 + norms 2 × 64
        let layer = 4.0 * 4096.0 + 2.0 * 64.0 * 256.0 + 128.0;
        assert_eq!(a.params().total, 2.0 * layer + 2.0 * 6400.0 + 64.0);
    }

    #[test]
    fn finds_inconsistent_architectures() {
        let mut a = PRESETS[1].architecture();
        a.kv_heads = Some(7);
        a.experts = Some(4);
        a.top_k = Some(5);
        let fields: Vec<_> = a.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["kv_heads", "top_k"]);
    }
}
