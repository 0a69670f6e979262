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
    /// Evaluation work inside the timed run, as a fraction of the training FLOPs.
    pub eval_fraction: f64,
    /// Where the work figures come from.
    pub source: &'static str,
}

impl Benchmark {
    /// Tokens trained from the start of timing to the quality target, on `chips` accelerators.
    ///
    /// The samples to convergence grow with the global batch size (MLPerf's reference
    /// convergence points); the results file does not give each submission's batch, so a typical
    /// batch for the cluster size is assumed (docs/performance-model.md).
    pub fn tokens(&self, chips: u32) -> f64 {
        let c = f64::from(chips);
        match self.id {
            // RCPs: tokens = max(1.20e9, 1.00e9 + 7.3e4 × batch); result logs 1.21-1.41e9.
            "gpt3" => GPT3_TOKENS,
            // RCPs: samples = 394 + 966 √batch, 8192 tokens each; batch ≈ one per chip, 8 to 128.
            "llama2_70b_lora" => (394.0 + 966.0 * c.clamp(8.0, 128.0).sqrt()) * 8192.0,
            // RCPs: samples = 266,000 + 49 × batch, 8192 tokens each; batch ≈ chips / 4, 448 to 2304.
            "llama31_405b" => (266_000.0 + 49.0 * (c / 4.0).clamp(448.0, 2304.0)) * 8192.0,
            _ => 0.0,
        }
    }
}

/// The benchmarks with results in the file.
pub fn benchmarks() -> Vec<Benchmark> {
    let defs: [(&str, &str, TrainKind, f64, &str); 3] = [
        (
            "gpt3",
            "gpt3-175b",
            TrainKind::Full,
            0.077,
            "MLPerf GPT-3 175B: resumes from a checkpoint, sequence 2048, to log-perplexity 2.69",
        ),
        (
            "llama2_70b_lora",
            "llama2-70b",
            TrainKind::Lora,
            0.0,
            "MLPerf Llama 2 70B LoRA on GovReport (SCROLLS), sequence 8192, to eval loss 0.925",
        ),
        (
            "llama31_405b",
            "llama3.1-405b",
            TrainKind::Full,
            0.042,
            "MLPerf Llama 3.1 405B: resumes from a checkpoint, sequence 8192, to log-perplexity 5.6",
        ),
    ];
    defs.into_iter()
        .filter_map(|(id, preset, kind, eval_fraction, source)| {
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
                eval_fraction,
                source,
            })
        })
        .collect()
}

/// Tokens per GPT-3 run to the target: the middle of the result logs' 1.21-1.41e9.
pub const GPT3_TOKENS: f64 = 1.25e9;

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
