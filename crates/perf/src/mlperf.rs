//! MLPerf Training results (shipped in `data/calibration/mlperf-training.csv`, a copy of the
//! project's reference file) and the benchmarks' definitions: model, work per run.

use allot_model::Architecture;

use crate::TrainKind;

/// The MLPerf Training results used for calibration.
pub const RESULTS_CSV: &str = include_str!("../../../data/calibration/mlperf-training.csv");

/// One MLPerf Training benchmark: what one run computes.
#[derive(Debug, Clone)]
pub struct Benchmark {
    /// Benchmark id as in the results file.
    pub id: &'static str,
    /// The model trained.
    pub arch: Architecture,
    /// Full training or LoRA.
    pub kind: TrainKind,
    /// Tokens processed from the start of timing to reaching the quality target.
    pub tokens: f64,
    /// Where the token count comes from.
    pub source: &'static str,
}

/// The benchmarks with results in the file.
pub fn benchmarks() -> Vec<Benchmark> {
    let defs: [(&str, &str, TrainKind, f64, &str); 3] = [
        (
            "gpt3",
            "gpt3-175b",
            TrainKind::Full,
            GPT3_TOKENS,
            "MLPerf GPT-3 175B: resumes from a checkpoint, sequence 2048, to log-perplexity 2.69",
        ),
        (
            "llama2_70b_lora",
            "llama2-70b",
            TrainKind::Lora,
            LLAMA2_LORA_TOKENS,
            "MLPerf Llama 2 70B LoRA on GovReport (SCROLLS), sequence 8192, to eval loss 0.925",
        ),
        (
            "llama31_405b",
            "llama3.1-405b",
            TrainKind::Full,
            LLAMA31_405B_TOKENS,
            "MLPerf Llama 3.1 405B: resumes from a checkpoint, sequence 8192, to log-perplexity 5.6",
        ),
    ];
    defs.into_iter()
        .filter_map(|(id, preset, kind, tokens, source)| {
            let arch = allot_model::preset(preset)?.architecture();
            let arch = if id == "llama2_70b_lora" {
                Architecture {
                    seq_len: 8192,
                    ..arch
                }
            } else {
                arch
            };
            Some(Benchmark {
                id,
                arch,
                kind,
                tokens,
                source,
            })
        })
        .collect()
}

/// Tokens per GPT-3 run to the target (see docs/performance-model.md for the derivation).
pub const GPT3_TOKENS: f64 = 1.3e9;
/// Tokens per Llama 2 70B LoRA run to the target.
pub const LLAMA2_LORA_TOKENS: f64 = 25e6;
/// Tokens per Llama 3.1 405B run to the target.
pub const LLAMA31_405B_TOKENS: f64 = 2.5e9;

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Result {
    /// Benchmark id.
    pub benchmark: String,
    /// MLPerf round, e.g. v5.0.
    pub round: String,
    /// Submitter.
    pub submitter: String,
    /// Accelerator name as in the file.
    pub accelerator: String,
    /// Accelerators used.
    pub chips: u32,
    /// Time to train, minutes.
    pub minutes: f64,
}

/// Splits one CSV line, honouring double quotes.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let last = out.len() - 1;
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out[last].push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out[last].push(c),
        }
    }
    out
}

/// Every well-formed row of the results file.
pub fn results() -> Vec<Result> {
    RESULTS_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f = fields(line);
            Some(Result {
                benchmark: f.first()?.clone(),
                round: f.get(1)?.clone(),
                submitter: f.get(2)?.clone(),
                accelerator: f.get(4)?.clone(),
                chips: f.get(5)?.parse().ok()?,
                minutes: f.get(6)?.parse().ok()?,
            })
        })
        .collect()
}
