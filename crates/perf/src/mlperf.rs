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
    /// Line of the results file (1 is the header).
    pub line: usize,
    /// Benchmark id.
    pub benchmark: String,
    /// MLPerf round, e.g. v5.0.
    pub round: String,
    /// Submitter.
    pub submitter: String,
    /// System name as submitted.
    pub system: String,
    /// Accelerator name as in the file.
    pub accelerator: String,
    /// Accelerators used.
    pub chips: u32,
    /// Time to train, minutes.
    pub minutes: f64,
    /// Decimals the time is stated to (3.4 has one).
    pub decimals: usize,
}

/// A row left out because the source does not give a figure the fit needs (an empty field).
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// Line of the results file.
    pub line: usize,
    /// The empty field.
    pub field: &'static str,
    /// Submitter and system, to name the row.
    pub row: String,
}

/// A row that repeats another row's result: reported, and left out of the fit (see [`parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// Line of the repeat (the less precise figure, or the later row on a tie).
    pub line: usize,
    /// Line of the row it repeats.
    pub kept: usize,
}

/// The rows of a results file: those used, and those left out with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The file's name, as given to [`parse`].
    pub file: String,
    /// Every complete row, in file order, each result once (repeats left out).
    pub results: Vec<Result>,
    /// Rows with an empty field the fit needs.
    pub skipped: Vec<Skipped>,
    /// Rows repeating another row's result.
    pub duplicates: Vec<Duplicate>,
}

/// A malformed row of a results file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: field `{field}`: {message}")]
pub struct MlperfError {
    /// The file.
    pub file: String,
    /// Line (1 is the header).
    pub line: usize,
    /// The field.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The columns of the results file, in order.
pub const COLUMNS: [&str; 9] = [
    "benchmark",
    "round",
    "submitter",
    "system",
    "accelerator",
    "num_accelerators",
    "minutes",
    "source_url",
    "notes",
];

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

/// Whether `b` repeats `a`: the same benchmark, accelerator and chip count, a submitter of the
/// same organisation (its first word: "NVIDIA (vendor-stated)" is NVIDIA), and the same time at
/// the precision of the less precise figure (a vendor's 3.4 minutes is the logs' 3.444). The
/// round and system may differ: a result is re-listed in a later round, under a vendor's label,
/// or under a power-measured system name.
fn repeats(a: &Result, b: &Result) -> bool {
    let org = |r: &Result| {
        r.submitter
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let d = a.decimals.min(b.decimals);
    a.benchmark == b.benchmark
        && a.accelerator == b.accelerator
        && a.chips == b.chips
        && org(a) == org(b)
        && format!("{:.d$}", a.minutes) == format!("{:.d$}", b.minutes)
}

/// Reads a results file (`COLUMNS`, a header line first). A row with a wrong number of fields,
/// an empty identifying field or a figure that does not parse is an error naming file, line and
/// field; a row whose chip count or time is empty (the source does not give it) is skipped and
/// listed; a row repeating an earlier result is listed as a repeat of the more precise figure
/// (the earlier row on a tie) and left out of the results, so that each result counts once in
/// the fit (docs/performance-model.md).
pub fn parse(text: &str, file: &str) -> std::result::Result<Results, MlperfError> {
    let mut out = Results {
        file: file.to_string(),
        results: Vec::new(),
        skipped: Vec::new(),
        duplicates: Vec::new(),
    };
    for (i, text_line) in text.lines().enumerate().skip(1) {
        let line = i + 1;
        if text_line.trim().is_empty() {
            continue;
        }
        let err = |field: &'static str, message: String| MlperfError {
            file: file.to_string(),
            line,
            field,
            message,
        };
        let f = fields(text_line);
        if f.len() != COLUMNS.len() {
            let field = COLUMNS.get(f.len()).copied().unwrap_or("notes");
            return Err(err(
                field,
                format!("{} fields, expected {}", f.len(), COLUMNS.len()),
            ));
        }
        for (k, name) in [(0, "benchmark"), (1, "round"), (4, "accelerator")] {
            if f[k].trim().is_empty() {
                return Err(err(name, "empty".to_string()));
            }
        }
        let (chips, minutes) = (f[5].trim(), f[6].trim());
        if let Some(field) = [("num_accelerators", chips), ("minutes", minutes)]
            .into_iter()
            .find_map(|(name, v)| v.is_empty().then_some(name))
        {
            out.skipped.push(Skipped {
                line,
                field,
                row: format!("{} {} {} {}", f[0], f[1], f[2], f[3]),
            });
            continue;
        }
        let chips: u32 = chips
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| err("num_accelerators", format!("`{chips}` is not a chip count")))?;
        let parsed: f64 = minutes
            .parse()
            .ok()
            .filter(|m: &f64| m.is_finite() && *m > 0.0)
            .ok_or_else(|| err("minutes", format!("`{minutes}` is not a time in minutes")))?;
        let r = Result {
            line,
            benchmark: f[0].trim().to_string(),
            round: f[1].trim().to_string(),
            submitter: f[2].trim().to_string(),
            system: f[3].trim().to_string(),
            accelerator: f[4].trim().to_string(),
            chips,
            minutes: parsed,
            decimals: minutes.split_once('.').map_or(0, |(_, d)| d.len()),
        };
        // A repeat is matched against the rows kept so far, never against another repeat.
        let first = out
            .results
            .iter()
            .filter(|k| !out.duplicates.iter().any(|d| d.line == k.line))
            .find(|k| repeats(k, &r))
            .map(|k| (k.line, k.decimals));
        if let Some((first_line, first_decimals)) = first {
            let (line, kept) = if r.decimals > first_decimals {
                (first_line, r.line)
            } else {
                (r.line, first_line)
            };
            // Repeats of a row that is itself superseded now repeat the row kept.
            for d in out.duplicates.iter_mut().filter(|d| d.kept == line) {
                d.kept = kept;
            }
            out.duplicates.push(Duplicate { line, kept });
        }
        out.results.push(r);
    }
    let dropped: Vec<usize> = out.duplicates.iter().map(|d| d.line).collect();
    out.results.retain(|r| !dropped.contains(&r.line));
    out.duplicates.sort_by_key(|d| d.line);
    Ok(out)
}

/// The shipped results file, read once (its rows are checked by the tests, so a malformed row
/// fails them).
pub fn shipped() -> &'static Results {
    static SHIPPED: std::sync::OnceLock<Results> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(|| {
        parse(RESULTS_CSV, RESULTS_FILE).unwrap_or_else(|e| panic!("shipped MLPerf results: {e}"))
    })
}

/// The shipped results file's path in the repository.
pub const RESULTS_FILE: &str = "data/calibration/mlperf-training.csv";

/// Every complete row of the shipped results file.
pub fn results() -> Vec<Result> {
    shipped().results.clone()
}
