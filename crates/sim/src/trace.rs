//! Job traces: generated from Gavel's published distributions, or read from CSV.
//!
//! Generated (Gavel's `generate_job`, from Microsoft's Philly trace): job types uniformly at
//! random; a duration on the reference chip type of `60·10^U(1.5,3)` s for 80% of jobs and
//! `60·10^U(3,4)` s for the other 20%; gangs of 1, 2, 4 or 8 chips with probabilities 0.70,
//! 0.10, 0.15 and 0.05 (or all of one chip); Poisson arrivals at a given rate per hour. A
//! job's work is its duration times its type's rate on the reference chip type.
//!
//! CSV, one job a line, with a header naming the columns: `id`, `arrival_s`, `job_type` (a
//! row of the throughput matrix), `gang`, then `work` (in the matrix's units) or `duration_s`
//! (seconds on the reference chip type), and optionally `deadline_s`. Lines starting with `#`
//! are comments. Every problem is reported with its file, line and field, and a hint.

use std::fmt;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::{Job, Throughputs};

/// How to generate a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Generate {
    /// Jobs.
    pub jobs: usize,
    /// Mean arrivals per hour (Poisson); 0 or less: every job at time 0.
    pub rate_per_hour: f64,
    /// Seed.
    pub seed: u64,
    /// Gangs drawn from Gavel's 1/2/4/8 distribution; otherwise every job takes one chip.
    pub multi_chip: bool,
}

/// Gavel's duration distribution, seconds: `60·10^U(3,4)` with probability 0.2, else
/// `60·10^U(1.5,3)`.
pub fn gavel_duration_s(rng: &mut ChaCha8Rng) -> f64 {
    if rng.random::<f64>() >= 0.8 {
        60.0 * 10f64.powf(3.0 + rng.random::<f64>())
    } else {
        60.0 * 10f64.powf(1.5 + 1.5 * rng.random::<f64>())
    }
}

/// Gavel's gang distribution: 1, 2, 4 or 8 chips with probabilities 0.70, 0.10, 0.15, 0.05.
pub fn gavel_gang(rng: &mut ChaCha8Rng) -> u32 {
    let r: f64 = rng.random();
    match r {
        r if r < 0.70 => 1,
        r if r < 0.80 => 2,
        r if r < 0.95 => 4,
        _ => 8,
    }
}

/// A trace of `spec.jobs` jobs over the job types of `throughputs`, durations measured on
/// pool `reference`, deterministic for the seed.
pub fn generate(spec: &Generate, throughputs: &Throughputs, reference: usize) -> Vec<Job> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&spec.seed.to_le_bytes());
    key[8..16].copy_from_slice(b"allot-tr");
    let mut rng = ChaCha8Rng::from_seed(key);
    let types = throughputs.job_types.len().max(1);
    let mut t = 0.0;
    (0..spec.jobs)
        .map(|i| {
            if i > 0 && spec.rate_per_hour > 0.0 {
                let u: f64 = rng.random();
                t += -(1.0 - u).ln() * 3600.0 / spec.rate_per_hour;
            }
            let job_type = ((rng.random::<f64>() * types as f64) as usize).min(types - 1);
            let duration = gavel_duration_s(&mut rng);
            let gang = if spec.multi_chip {
                gavel_gang(&mut rng)
            } else {
                1
            };
            let rate = throughputs
                .rate
                .get(job_type)
                .and_then(|r| r.get(reference))
                .copied()
                .unwrap_or(1.0);
            Job {
                id: format!("job{i}"),
                arrival_s: t,
                job_type,
                gang,
                work: duration * rate,
                deadline_s: None,
            }
        })
        .collect()
}

/// A problem in a CSV file, at its line and field.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceError {
    /// The file.
    pub file: String,
    /// Line, from 1 (0: the file as a whole).
    pub line: u64,
    /// The column, when one is at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: ", self.file, self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field {field}: ")?;
        }
        write!(f, "{}\nhint: {}", self.message, self.hint)
    }
}

impl std::error::Error for TraceError {}

fn error(
    file: &str,
    line: u64,
    field: Option<&str>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> TraceError {
    TraceError {
        file: file.to_string(),
        line,
        field: field.map(str::to_string),
        message: message.into(),
        hint: hint.into(),
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

/// One data line of a CSV: read, located, and as wide as the header, or an error naming the
/// line with `hint`.
fn row(
    file: &str,
    record: Result<csv::StringRecord, csv::Error>,
    width: usize,
    hint: &str,
) -> Result<(csv::StringRecord, u64), TraceError> {
    let record = record.map_err(|e| csv_error(file, &e))?;
    let line = line_of(&record);
    if record.len() != width {
        return Err(error(
            file,
            line,
            None,
            format!("{} fields where the header has {width}", record.len()),
            hint,
        ));
    }
    Ok((record, line))
}

fn csv_error(file: &str, e: &csv::Error) -> TraceError {
    let line = e.position().map_or(0, csv::Position::line);
    error(
        file,
        line,
        None,
        format!("unreadable CSV: {e}"),
        "save the file as UTF-8 CSV with one header line",
    )
}

/// Reads a trace of jobs from CSV `text` (named `file` in errors); job types are looked up in
/// `throughputs`, durations converted to work at pool `reference`'s rates.
pub fn read(
    file: &str,
    text: &str,
    throughputs: &Throughputs,
    reference: usize,
) -> Result<Vec<Job>, TraceError> {
    let mut rdr = reader(text);
    let header = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let required = ["id", "arrival_s", "job_type", "gang"];
    for name in required {
        if column(name).is_none() {
            return Err(error(
                file,
                1,
                Some(name),
                format!("the header has no column {name}"),
                "the header is id,arrival_s,job_type,gang,work (or duration_s)[,deadline_s]",
            ));
        }
    }
    let known = [
        "id",
        "arrival_s",
        "job_type",
        "gang",
        "work",
        "duration_s",
        "deadline_s",
    ];
    if let Some(unknown) = header.iter().find(|h| !known.contains(h)) {
        return Err(error(
            file,
            1,
            Some(unknown),
            format!("unknown column {unknown}"),
            format!("the columns are {}", known.join(", ")),
        ));
    }
    let (work, duration) = (column("work"), column("duration_s"));
    if work.is_some() == duration.is_some() {
        return Err(error(
            file,
            1,
            None,
            "the header needs exactly one of work and duration_s",
            "give work in the throughput matrix's units, or duration_s in seconds on the reference chip type",
        ));
    }
    let deadline = column("deadline_s");
    let mut jobs = Vec::new();
    let mut ids = std::collections::BTreeMap::new();
    for record in rdr.records() {
        let (record, line) = row(
            file,
            record,
            header.len(),
            "give every line the header's columns, in its order",
        )?;
        let cell = |i: usize| record.get(i).unwrap_or("");
        let number = |name: &str, i: usize, hint: &str| -> Result<f64, TraceError> {
            let text = cell(i);
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(error(
                    file,
                    line,
                    Some(name),
                    format!("{text:?} is not a finite number"),
                    hint,
                )),
            }
        };
        let id = cell(column("id").unwrap_or(0)).to_string();
        if id.is_empty() {
            return Err(error(
                file,
                line,
                Some("id"),
                "empty job id",
                "name every job",
            ));
        }
        if let Some(first) = ids.insert(id.clone(), line) {
            return Err(error(
                file,
                line,
                Some("id"),
                format!("job {id} is already on line {first}"),
                "give every job its own id",
            ));
        }
        let arrival = number(
            "arrival_s",
            column("arrival_s").unwrap_or(0),
            "seconds from the start of the trace, 0 or more",
        )?;
        if arrival < 0.0 {
            return Err(error(
                file,
                line,
                Some("arrival_s"),
                format!("arrival {arrival} is before the start"),
                "seconds from the start of the trace, 0 or more",
            ));
        }
        let type_name = cell(column("job_type").unwrap_or(0));
        let Some(job_type) = throughputs.job_types.iter().position(|t| t == type_name) else {
            let mut names = throughputs.job_types.clone();
            names.truncate(6);
            return Err(error(
                file,
                line,
                Some("job_type"),
                format!("unknown job type {type_name:?}"),
                format!(
                    "a job type of the throughput matrix, e.g. {}",
                    names.join(", ")
                ),
            ));
        };
        let gang_text = cell(column("gang").unwrap_or(0));
        let gang = match gang_text.parse::<u32>() {
            Ok(g) if g > 0 => g,
            _ => {
                return Err(error(
                    file,
                    line,
                    Some("gang"),
                    format!("{gang_text:?} is not a whole number of chips above 0"),
                    "the chips the job needs at once, e.g. 1, 2, 4 or 8",
                ));
            }
        };
        let amount = match (work, duration) {
            (Some(i), _) => number(
                "work",
                i,
                "the job's work in the throughput matrix's units, above 0",
            )?,
            (_, Some(i)) => {
                let d = number(
                    "duration_s",
                    i,
                    "seconds on the reference chip type, above 0",
                )?;
                d * throughputs.rate[job_type]
                    .get(reference)
                    .copied()
                    .unwrap_or(1.0)
            }
            _ => 0.0,
        };
        if amount <= 0.0 {
            let field = if work.is_some() { "work" } else { "duration_s" };
            return Err(error(
                file,
                line,
                Some(field),
                format!("{amount} is not above 0"),
                "a job must have work to do (and a rate above 0 on the reference chip type)",
            ));
        }
        let deadline_s = match deadline {
            Some(i) if !cell(i).is_empty() => Some(number(
                "deadline_s",
                i,
                "seconds from the start of the trace, or empty for none",
            )?),
            _ => None,
        };
        jobs.push(Job {
            id,
            arrival_s: arrival,
            job_type,
            gang,
            work: amount,
            deadline_s,
        });
    }
    if jobs.is_empty() {
        return Err(error(
            file,
            0,
            None,
            "the trace has no jobs",
            "add a line per job below the header",
        ));
    }
    Ok(jobs)
}

/// A throughput matrix from CSV `text`: a header `job_type,CHIP,...` and a line per job type
/// with its rate on each chip type. Returns the chip types (columns) and the matrix.
pub fn read_throughputs(file: &str, text: &str) -> Result<(Vec<String>, Throughputs), TraceError> {
    let mut rdr = reader(text);
    let header = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
    if header.get(0) != Some("job_type") || header.len() < 2 {
        return Err(error(
            file,
            1,
            header.get(0),
            "the header must be job_type followed by chip types",
            "e.g. job_type,v100,p100,k80",
        ));
    }
    let chips: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
    let mut t = Throughputs {
        job_types: Vec::new(),
        rate: Vec::new(),
    };
    for record in rdr.records() {
        let (record, line) = row(
            file,
            record,
            header.len(),
            "a rate for every chip type of the header",
        )?;
        let name = record.get(0).unwrap_or("").to_string();
        if name.is_empty() || t.job_types.contains(&name) {
            return Err(error(
                file,
                line,
                Some("job_type"),
                format!("job type {name:?} is empty or repeated"),
                "name each job type once",
            ));
        }
        let mut row = Vec::new();
        for (chip, text) in chips.iter().zip(record.iter().skip(1)) {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => row.push(v),
                _ => {
                    return Err(error(
                        file,
                        line,
                        Some(chip),
                        format!("{text:?} is not a rate of 0 or more"),
                        "work per second on this chip type; 0 if the job type cannot run there",
                    ));
                }
            }
        }
        t.job_types.push(name);
        t.rate.push(row);
    }
    Ok((chips, t))
}
