//! Risk shard files: the samples one task of a split `allot risk` run made (`--shard K/N`,
//! run by a Slurm job array or a Kubernetes Indexed Job), and the merge that reads them back.
//!
//! Every number is written as the decimal text Rust prints for an `f64` (the shortest that
//! reads back to the same bits) and read back with Rust's own parser, so a merged run has
//! exactly the samples, and so exactly the quantiles, of a run on one machine. The merge checks
//! each file against the run it belongs to and names the file and field of any problem.

use std::ops::Range;

use allot_finance::risk::{Measures, Sample, YearMeasures};
use allot_plan_format::SolveStatus;
use serde::{Deserialize, Serialize};

/// The `format` of a shard file.
pub const SHARD_FORMAT: &str = "allot-risk-shard";
/// The `version` of the shard format.
pub const SHARD_VERSION: u32 = 1;

/// The samples `0..samples` that shard `shard` of `shards` makes: contiguous blocks, their
/// sizes differing by at most one.
pub fn shard_range(samples: usize, shard: usize, shards: usize) -> Range<usize> {
    let at = |k: usize| (samples as u128 * k as u128 / shards.max(1) as u128) as usize;
    at(shard)..at(shard + 1)
}

/// Reads `K/N`, shard K (from 0) of N.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((k, n)) if k < n => Ok((k, n)),
        _ => Err(format!("'{text}' is not K/N with 0 <= K < N")),
    }
}

/// What a shard belongs to: every file of one run has the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRun {
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// Samples in the whole run.
    pub samples: usize,
    /// How samples were re-planned (`fixed`, `warm`, `cold`).
    pub replan: String,
    /// The uncertain inputs, in the order of each sample's values.
    pub inputs: Vec<String>,
}

/// A shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardJson {
    /// [`SHARD_FORMAT`].
    pub format: String,
    /// [`SHARD_VERSION`].
    pub version: u32,
    /// The run it belongs to.
    pub run: ShardRun,
    /// This shard's number, from 0.
    pub shard: usize,
    /// Shards in the whole run.
    pub shards: usize,
    /// Its samples, in index order: those of [`shard_range`].
    pub results: Vec<SampleJson>,
}

/// An `f64` as the decimal text that reads back to it exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exact(pub f64);

impl Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Exact).map_err(|_| {
            serde::de::Error::custom(format!("'{text}' is not a number written as text"))
        })
    }
}

/// One sample of a shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleJson {
    /// The sample's index in the whole run.
    pub index: usize,
    /// The values drawn, one per input.
    pub values: Vec<Exact>,
    /// How its plan's solve ended.
    pub status: SolveStatus,
    /// Total cost, cumulative loss and funding gap, USD, when its plan has a solution.
    pub measures: Option<[Exact; 3]>,
    /// Year, cumulative loss and funding gap at the end of each year.
    pub years: Vec<(i32, Exact, Exact)>,
}

impl From<&Sample> for SampleJson {
    fn from(s: &Sample) -> Self {
        SampleJson {
            index: s.index,
            values: s.values.iter().copied().map(Exact).collect(),
            status: s.status,
            measures: s.measures.map(|m| [0, 1, 2].map(|k| Exact(m.get(k)))),
            years: s
                .years
                .iter()
                .map(|y| {
                    let (loss, gap) = (y.cumulative_loss_usd, y.funding_gap_usd);
                    (y.year, Exact(loss), Exact(gap))
                })
                .collect(),
        }
    }
}

impl From<&SampleJson> for Sample {
    fn from(s: &SampleJson) -> Self {
        Sample {
            index: s.index,
            values: s.values.iter().map(|v| v.0).collect(),
            status: s.status,
            measures: s.measures.map(|[cost, loss, gap]| Measures {
                total_cost_usd: cost.0,
                cumulative_loss_usd: loss.0,
                funding_gap_usd: gap.0,
            }),
            years: s
                .years
                .iter()
                .map(|&(year, loss, gap)| YearMeasures {
                    year,
                    cumulative_loss_usd: loss.0,
                    funding_gap_usd: gap.0,
                })
                .collect(),
        }
    }
}

/// The file of shard `shard` of `shards` of `run`, holding `samples`.
pub fn to_json(run: &ShardRun, shard: usize, shards: usize, samples: &[Sample]) -> ShardJson {
    ShardJson {
        format: SHARD_FORMAT.to_string(),
        version: SHARD_VERSION,
        run: run.clone(),
        shard,
        shards,
        results: samples.iter().map(SampleJson::from).collect(),
    }
}

/// Why shard files cannot be merged: the file and field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct ShardError {
    /// The file.
    pub file: String,
    /// The field (a path such as `results[3].measures`), or `shard` for a missing shard.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The samples of a merged run, and the shards its time limit cut short.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Every sample, in index order.
    pub samples: Vec<Sample>,
    /// The shards with samples their time limit left without a plan, in shard order: each
    /// task has the run's `--time-limit` for its own samples, so one can be cut short while
    /// the others complete. None: every shard completed, and the merged report is the single
    /// run's.
    pub cut_short: Vec<CutShort>,
}

/// A shard its time limit cut short: which samples were planned in it depends on the speed of
/// the machine that made it, not only on the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutShort {
    /// The file.
    pub file: String,
    /// The shard's number.
    pub shard: usize,
    /// Its samples the time limit left without a plan.
    pub stopped: usize,
    /// Its samples.
    pub samples: usize,
}

impl std::fmt::Display for CutShort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: shard {} was cut short by its time limit: {} of its {} samples have no plan",
            self.file, self.shard, self.stopped, self.samples
        )
    }
}

/// Reads the shard files of `run` (name, text) and returns every sample in index order, with
/// the shards cut short by their time limit: each file must be a shard of this run (format,
/// version and every field of [`ShardRun`] equal), all of one split (the first file's
/// `shards`), each shard present once, holding exactly its samples with one value per input.
pub fn merge(run: &ShardRun, files: &[(String, String)]) -> Result<Merged, ShardError> {
    let mut shards: Vec<Option<(String, ShardJson)>> = Vec::new();
    for (file, text) in files {
        let error = |field: &str, message: String| ShardError {
            file: file.clone(),
            field: field.to_string(),
            message,
        };
        let de = &mut serde_json::Deserializer::from_str(text);
        let shard: ShardJson = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "(file)".to_string()
            } else {
                field
            };
            error(&field, e.into_inner().to_string())
        })?;
        if shard.format != SHARD_FORMAT || shard.version != SHARD_VERSION {
            return Err(error(
                "format",
                format!(
                    "'{}' version {} is not '{SHARD_FORMAT}' version {SHARD_VERSION}",
                    shard.format, shard.version
                ),
            ));
        }
        let fields = [
            ("run.scenario", shard.run.scenario != run.scenario),
            ("run.seed", shard.run.seed != run.seed),
            ("run.samples", shard.run.samples != run.samples),
            ("run.replan", shard.run.replan != run.replan),
            ("run.inputs", shard.run.inputs != run.inputs),
        ];
        if let Some((field, _)) = fields.iter().find(|(_, differs)| *differs) {
            return Err(error(
                field,
                format!("differs from the run being merged ({})", describe(run)),
            ));
        }
        if shard.shards == 0 || shard.shards > run.samples {
            let message = format!("{} shards for {} samples", shard.shards, run.samples);
            return Err(error("shards", message));
        }
        if shards.is_empty() {
            shards = vec![None; shard.shards];
        } else if shard.shards != shards.len() {
            let first = &files[0].0;
            let message = format!("{}, but {first} has {}", shard.shards, shards.len());
            return Err(error("shards", message));
        }
        let Some(slot) = shards.get_mut(shard.shard) else {
            let message = format!("{} is not below shards = {}", shard.shard, shard.shards);
            return Err(error("shard", message));
        };
        if let Some((other, _)) = slot {
            return Err(error(
                "shard",
                format!("shard {} is also {other}", shard.shard),
            ));
        }
        let range = shard_range(run.samples, shard.shard, shard.shards);
        let indices: Vec<usize> = shard.results.iter().map(|s| s.index).collect();
        if !indices.iter().copied().eq(range.clone()) {
            return Err(error(
                "results",
                format!(
                    "shard {} must hold samples {}..{} in order, not {} samples {}",
                    shard.shard,
                    range.start,
                    range.end,
                    indices.len(),
                    compact(&indices)
                ),
            ));
        }
        if let Some((i, s)) =
            (shard.results.iter().enumerate()).find(|(_, s)| s.values.len() != run.inputs.len())
        {
            return Err(error(
                &format!("results[{i}].values"),
                format!("{} values for {} inputs", s.values.len(), run.inputs.len()),
            ));
        }
        *slot = Some((file.clone(), shard));
    }
    if let Some(missing) = shards.iter().position(Option::is_none) {
        return Err(ShardError {
            file: files[0].0.clone(),
            field: "shard".to_string(),
            message: format!("no file holds shard {missing} of {}", shards.len()),
        });
    }
    if files.is_empty() {
        return Err(ShardError {
            file: "(none)".to_string(),
            field: "shard".to_string(),
            message: "no shard files to merge".to_string(),
        });
    }
    let shards: Vec<(String, usize, Vec<Sample>)> = shards
        .into_iter()
        .flatten()
        .map(|(file, s)| (file, s.shard, s.results.iter().map(Sample::from).collect()))
        .collect();
    let cut_short = shards
        .iter()
        .map(|(file, shard, samples)| CutShort {
            file: file.clone(),
            shard: *shard,
            stopped: samples.iter().filter(|s| s.stopped_by_time_limit()).count(),
            samples: samples.len(),
        })
        .filter(|c| c.stopped > 0)
        .collect();
    let samples = shards.into_iter().flat_map(|(_, _, s)| s).collect();
    Ok(Merged { samples, cut_short })
}

fn describe(run: &ShardRun) -> String {
    format!(
        "scenario '{}', seed {}, {} samples, --replan {}, inputs {}",
        run.scenario,
        run.seed,
        run.samples,
        run.replan,
        run.inputs.join(", ")
    )
}

fn compact(indices: &[usize]) -> String {
    match (indices.first(), indices.last()) {
        (Some(a), Some(b)) => format!("{a}..={b}"),
        _ => "(none)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(index: usize) -> Sample {
        Sample {
            index,
            values: vec![0.1 + index as f64 / 3.0],
            status: SolveStatus::Optimal,
            measures: (index != 1).then_some(Measures {
                total_cost_usd: 1e9 / 7.0,
                cumulative_loss_usd: -2.0 / 3.0,
                funding_gap_usd: 0.0,
            }),
            years: vec![YearMeasures {
                year: 2027,
                cumulative_loss_usd: std::f64::consts::PI,
                funding_gap_usd: 1e-300,
            }],
        }
    }

    fn run(samples: usize) -> ShardRun {
        ShardRun {
            scenario: "lab".to_string(),
            seed: 7,
            samples,
            replan: "fixed".to_string(),
            inputs: vec!["demand".to_string()],
        }
    }

    fn files(run: &ShardRun, shards: usize, all: &[Sample]) -> Vec<(String, String)> {
        (0..shards)
            .map(|k| {
                let range = shard_range(run.samples, k, shards);
                let json = to_json(run, k, shards, &all[range]);
                let text = serde_json::to_string_pretty(&json).expect("json");
                (format!("shard-{k}.json"), text)
            })
            .collect()
    }

    #[test]
    fn shard_specs_read_as_k_of_n() {
        assert_eq!(parse_shard("3/4"), Ok((3, 4)));
        for bad in ["4/4", "1", "-1/2", "a/b", "1/2/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_cover_the_samples_once_in_blocks() {
        for (samples, shards) in [(10, 3), (3, 5), (100, 7), (1, 1)] {
            let all: Vec<usize> = (0..shards)
                .flat_map(|k| shard_range(samples, k, shards))
                .collect();
            assert_eq!(all, (0..samples).collect::<Vec<_>>());
        }
        assert_eq!(shard_range(10, 2, 3), 6..10);
    }

    #[test]
    fn a_merge_reads_back_every_sample_bit_for_bit() {
        let all: Vec<Sample> = (0..7).map(sample).collect();
        let run = run(7);
        let mut texts = files(&run, 3, &all);
        texts.reverse();
        assert_eq!(
            merge(&run, &texts),
            Ok(Merged {
                samples: all,
                cut_short: Vec::new()
            })
        );
    }

    /// A shard whose time limit left samples without a plan is merged, and named: the merged
    /// report is then not the seed's complete run.
    #[test]
    fn a_merge_names_the_shards_their_time_limit_cut_short() {
        let mut all: Vec<Sample> = (0..7).map(sample).collect();
        for s in &mut all[5..7] {
            s.status = SolveStatus::TimeLimitNoSolution;
            s.measures = None;
            s.years.clear();
        }
        let run = run(7);
        let merged = merge(&run, &files(&run, 3, &all)).expect("merges");
        assert_eq!(merged.samples, all);
        assert_eq!(
            merged.cut_short,
            [CutShort {
                file: "shard-2.json".to_string(),
                shard: 2,
                stopped: 2,
                samples: 3,
            }]
        );
        assert_eq!(
            merged.cut_short[0].to_string(),
            "shard-2.json: shard 2 was cut short by its time limit: 2 of its 3 samples have no plan"
        );
    }

    #[test]
    fn a_bad_shard_is_named_by_file_and_field() {
        let all: Vec<Sample> = (0..7).map(sample).collect();
        let run = run(7);
        let good = files(&run, 3, &all);
        type Files = Vec<(String, String)>;
        let check = |edit: &dyn Fn(&mut Files), expected: &str| {
            let mut texts = good.clone();
            edit(&mut texts);
            let e = merge(&run, &texts).expect_err(expected);
            // serde's messages end with the line and column.
            assert!(e.to_string().starts_with(expected), "{e}\n{expected}");
        };
        fn replace(
            k: usize,
            from: &'static str,
            to: &'static str,
        ) -> impl Fn(&mut Vec<(String, String)>) {
            move |t| t[k].1 = t[k].1.replacen(from, to, 1)
        }
        check(
            &replace(1, "\"3.141592653589793\"", "\"pi\""),
            "shard-1.json: results[0].years[0][1]: 'pi' is not a number written as text",
        );
        check(
            &replace(2, "\"seed\": 7", "\"seed\": 8"),
            "shard-2.json: run.seed: differs from the run being merged (scenario 'lab', seed 7, \
             7 samples, --replan fixed, inputs demand)",
        );
        check(
            &|t| t.truncate(2),
            "shard-0.json: shard: no file holds shard 2 of 3",
        );
        check(
            &|t| t[2] = ("copy.json".to_string(), t[1].1.clone()),
            "copy.json: shard: shard 1 is also shard-1.json",
        );
        check(
            &replace(0, "\"index\": 1", "\"index\": 4"),
            "shard-0.json: results: shard 0 must hold samples 0..2 in order, not 2 samples 0..=4",
        );
        check(
            &replace(0, "\"status\": \"optimal\"", "\"status\": \"fine\""),
            "shard-0.json: results[0].status: unknown variant `fine`, expected one of \
             `optimal`, `feasible`, `infeasible`, `unbounded`, `time_limit_no_solution`, `error`",
        );
        check(
            &replace(1, "\"shards\": 3", "\"shards\": 4"),
            "shard-1.json: shards: 4, but shard-0.json has 3",
        );
        check(&|t| t.clear(), "(none): shard: no shard files to merge");
        check(
            &replace(0, "\"format\"", "\"colour\": 1, \"format\""),
            "shard-0.json: colour: unknown field `colour`",
        );
    }
}
