//! A plan's fleet under queueing (`allot simulate`, docs/simulate.md): the chips a plan holds in
//! one period (or chips given), the plan's training runs as gang jobs with their deadlines, rates
//! from the performance model (`allot-perf`), and any other work from a trace; simulated, with
//! each run's finish set against its deadline.
//!
//! Time runs from the start of the scenario. A run arrives at the start of the month the plan
//! starts it (its `earliest_start` when the plan's start is not a month) and must finish by the
//! end of its `deadline` month (the horizon's end when it has none); months are
//! `allot_catalog::HOURS_PER_MONTH` hours. Its gang is the plan's cluster, its work the run's
//! tokens, its rate on each chip type the performance model's tokens per second for that
//! cluster (0 where the run may not use the chip or does not fit). The serving replicas the
//! plan holds in the period keep their chips; runs and trace jobs share the rest.

use std::collections::BTreeMap;
use std::fmt;

use allot_catalog::{Catalog, HOURS_PER_MONTH};
use allot_perf::{Precision, TrainKind, TrainRequest, calibration, estimate_train};
use allot_plan::Plan;
use allot_present::number::num;
use allot_present::table::{Align, Table};
use allot_scenario::{ModelSpec, Month, Scenario};
use serde::Serialize;

use crate::trace::{self, Generate, TraceError};
use crate::{
    Job, Metrics, Outcome, Policy, Pool, Sample, Settings, SimError, Simulated, Stopped,
    Throughputs, Workload,
};

/// Which chips to simulate.
#[derive(Debug, Clone, PartialEq)]
pub enum Fleet {
    /// The chips the plan holds in this period (a label of the plan's `periods`).
    Period(String),
    /// Given counts per chip (accelerator ids or aliases).
    Chips(Vec<(String, u32)>),
}

/// Work beside the plan's training runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Background<'a> {
    /// None.
    None,
    /// A CSV trace (file name for messages, text), job types from the throughput matrix.
    Trace(&'a str, &'a str),
    /// Jobs generated from Gavel's distributions over the matrix's job types.
    Generate(Generate),
}

/// What to simulate beside the plan and scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The fleet.
    pub fleet: Fleet,
    /// The throughput matrix of the trace's job types (file name, CSV text; columns are chip
    /// ids or aliases); without one, a single job type `job` runs at 1 per second on every chip
    /// (its work is seconds).
    pub throughputs: Option<(&'a str, &'a str)>,
    /// Other work.
    pub background: Background<'a>,
    /// Policy, seed, rounds.
    pub settings: Settings,
}

/// The options of a simulation as `allot simulate` takes them as flags and `allot serve` as the
/// fields of `POST /plans/{id}/simulate`; [`Options::request`] checks them and makes the
/// [`Request`], so both read them the same way. Errors name the flag (`--chips`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The fleet: the chips the plan holds in this period (default: [`default_period`]).
    pub period: Option<String>,
    /// The fleet: chips per type instead (`H100=512,MI300X=64`).
    pub chips: Option<String>,
    /// Other work from a CSV trace: a name for messages, and its text.
    pub trace: Option<(String, String)>,
    /// Other work: this many jobs from Gavel's distributions (multi-chip gangs).
    pub generate: Option<usize>,
    /// Arrivals per hour of the generated jobs (0: all at time 0).
    pub rate: f64,
    /// Seed of the generated jobs and of the simulation.
    pub seed: u64,
    /// The policy's name ([`Policy::name`]).
    pub policy: String,
    /// The throughput matrix of the trace's job types: a name for messages, and its text.
    pub throughput: Option<(String, String)>,
    /// Wall-clock budget of the simulation, seconds (infinite: none; [`TIME_LIMIT_S`] by
    /// default).
    pub time_limit_s: f64,
}

/// The default time limit of a simulation, seconds: that of every other command with a
/// `--time-limit` (`allot plan`, `risk`, `explain`), far beyond what FIFO and least cost take
/// (10,000 jobs in a tenth of a second) and what the round-based policies take at moderate load
/// (1,000 jobs arriving at 1 an hour: seconds), but short of the minutes they can take when
/// many jobs wait at once on a small fleet.
pub const TIME_LIMIT_S: f64 = 60.0;

impl Default for Options {
    fn default() -> Self {
        Options {
            period: None,
            chips: None,
            trace: None,
            generate: None,
            rate: 1.0,
            seed: 1,
            policy: Policy::Fifo.name().to_string(),
            throughput: None,
            time_limit_s: TIME_LIMIT_S,
        }
    }
}

impl Options {
    /// The request these options make for `plan`, or the first option that is wrong.
    pub fn request(&self, plan: &Plan) -> Result<Request<'_>, CheckError> {
        let one_of = |a: &str, b: &str| {
            input(
                &format!("--{b}"),
                format!("--{a} and --{b} both given"),
                format!("give one of --{a} and --{b}"),
            )
        };
        let fleet = match (&self.chips, &self.period) {
            (Some(_), Some(_)) => return Err(one_of("period", "chips")),
            (Some(chips), None) => Fleet::Chips(parse_chips(chips)?),
            (None, p) => Fleet::Period(
                p.clone()
                    .or_else(|| default_period(plan))
                    .unwrap_or_default(),
            ),
        };
        if !self.rate.is_finite() || self.rate < 0.0 {
            return Err(input(
                "--rate",
                format!("{} is not a rate of arrivals per hour", self.rate),
                "give a number from 0 up (0: every job arrives at once)",
            ));
        }
        let background = match (&self.trace, self.generate) {
            (Some(_), Some(_)) => return Err(one_of("trace", "generate")),
            (Some((name, text)), None) => Background::Trace(name, text),
            (None, Some(jobs)) => Background::Generate(Generate {
                jobs,
                rate_per_hour: self.rate,
                seed: self.seed,
                multi_chip: true,
            }),
            (None, None) => Background::None,
        };
        if let Err(bad) = allot_plan::check_time_limit(self.time_limit_s) {
            // As every command with a --time-limit says it.
            return Err(input(
                "--time-limit",
                format!("{} (got {})", bad.rule(), bad.value()),
                bad.hint(),
            ));
        }
        let Some(policy) = Policy::ALL.into_iter().find(|p| p.name() == self.policy) else {
            let names: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
            return Err(input(
                "--policy",
                format!("no policy {:?}", self.policy),
                format!("one of: {}", names.join(", ")),
            ));
        };
        Ok(Request {
            fleet,
            throughputs: self
                .throughput
                .as_ref()
                .map(|(n, t)| (n.as_str(), t.as_str())),
            background,
            settings: Settings {
                policy,
                seed: self.seed,
                time_limit_s: self.time_limit_s,
                ..Settings::default()
            },
        })
    }

    /// Simulates `plan` with these options: [`Options::request`], then [`check`].
    pub fn check(&self, plan: &Plan, scenario: &Scenario) -> Result<Checked, CheckError> {
        check(plan, scenario, &self.request(plan)?)
    }
}

/// Why a plan cannot be simulated: a message and a hint.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    /// A problem with the request, named by its flag.
    Input {
        /// The flag or file at fault.
        what: String,
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// A CSV file at its line and field.
    Trace(TraceError),
    /// The simulator refused the workload.
    Sim(SimError),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Input {
                what,
                message,
                hint,
            } => write!(f, "error: {what}: {message}\nhint: {hint}"),
            CheckError::Trace(e) => write!(f, "{e}"),
            CheckError::Sim(e) => write!(f, "error: {e}"),
        }
    }
}

impl std::error::Error for CheckError {}

fn input(what: &str, message: impl Into<String>, hint: impl Into<String>) -> CheckError {
    CheckError::Input {
        what: what.to_string(),
        message: message.into(),
        hint: hint.into(),
    }
}

/// Reads `--chips` (`H100=512,MI300X=64`): chip names and counts, or what is wrong.
pub fn parse_chips(text: &str) -> Result<Vec<(String, u32)>, CheckError> {
    text.split(',')
        .map(|part| {
            let (chip, n) = part.split_once('=').unwrap_or((part, ""));
            match n.trim().parse::<u32>() {
                Ok(n) if n > 0 && !chip.trim().is_empty() => Ok((chip.trim().to_string(), n)),
                _ => Err(input(
                    "--chips",
                    format!("{part:?} is not CHIP=COUNT with a count above 0"),
                    "e.g. --chips H100=512,MI300X=64",
                )),
            }
        })
        .collect()
}

/// One training run of the plan, as simulated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    /// The run.
    pub name: String,
    /// Its cluster, chips.
    pub gang: u32,
    /// Arrival, hours from the start of the scenario.
    pub arrival_h: f64,
    /// First placement, hours.
    pub start_h: f64,
    /// Completion, hours.
    pub finish_h: f64,
    /// Its deadline, hours (the end of its deadline month).
    pub deadline_h: f64,
    /// The chip type it ran on longest.
    pub chip: String,
    /// Whether it finished after its deadline.
    pub missed: bool,
}

/// A run the fleet cannot run at all, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The run.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The outcome of [`check`]: the plan's runs against their deadlines, and the whole run's
/// measures (what `allot simulate --json` writes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The scenario's first month, time 0.
    pub origin: String,
    /// Where the fleet came from: `period 2027-02` or `--chips`.
    pub fleet: String,
    /// The pools simulated (the serving chips of the period taken out).
    pub pools: Vec<Pool>,
    /// Chips per chip type the period's serving holds, left out of the pools.
    pub serving_chips: BTreeMap<String, u32>,
    /// The policy.
    pub policy: &'static str,
    /// The plan's training runs.
    pub runs: Vec<RunResult>,
    /// Runs that cannot run on the fleet.
    pub skipped: Vec<Skipped>,
    /// Training runs that missed their deadline.
    pub deadlines_missed: usize,
    /// Jobs of the trace.
    pub trace_jobs: usize,
    /// Measures of every job: the plan's runs and the trace's.
    pub metrics: Metrics,
    /// Measures of the trace's jobs alone (every job counts towards utilisation).
    pub trace_metrics: Metrics,
    /// Queue length and utilisation over time.
    pub timeline: Vec<Sample>,
}

const H: f64 = 3600.0;

fn month_s(origin: Month, month: Month) -> f64 {
    origin.months_until(month) as f64 * HOURS_PER_MONTH * H
}

/// The period simulated when none is given: the first in which one of the plan's training runs
/// starts (its cluster is held then, beside whatever else the plan holds), else the plan's
/// first. The plan's first period often holds serving alone (both shipped examples), which
/// leaves nothing to simulate.
pub fn default_period(plan: &Plan) -> Option<String> {
    plan.periods
        .iter()
        .find(|p| plan.training.iter().any(|t| &t.start == *p))
        .or(plan.periods.first())
        .cloned()
}

/// The pools of the fleet, and the serving chips taken out of a period's.
fn pools(
    plan: &Plan,
    catalog: &Catalog,
    fleet: &Fleet,
) -> Result<(Vec<Pool>, BTreeMap<String, u32>), CheckError> {
    let mut pools = Vec::new();
    let mut serving = BTreeMap::new();
    match fleet {
        Fleet::Chips(list) => {
            for (name, n) in list {
                let Some(chip) = catalog.accelerator(name) else {
                    let hint = allot_diag::did_you_mean(name, catalog.accelerator_names())
                        .unwrap_or_else(|| "`allot catalog accelerators` lists them".into());
                    return Err(input(
                        "--chips",
                        format!("unknown accelerator {name:?}"),
                        hint,
                    ));
                };
                pools.push(Pool {
                    chip: chip.id.clone(),
                    chips: *n,
                    usd_per_chip_hour: allot_present::perf::on_demand_price(catalog, &chip.id)
                        .unwrap_or(0.0),
                });
            }
        }
        Fleet::Period(period) => {
            if !plan.periods.contains(period) {
                return Err(input(
                    "--period",
                    format!("the plan has no period {period:?}"),
                    format!("one of: {}", plan.periods.join(", ")),
                ));
            }
            let mut held: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
            for c in plan.capacity.iter().filter(|c| &c.period == period) {
                let e = held.entry(&c.chip).or_default();
                e.0 += c.chips;
                e.1 += c.chips * c.usd_per_chip_hour;
            }
            let mut used: BTreeMap<&str, f64> = BTreeMap::new();
            for s in plan.inference.iter().flat_map(|i| &i.chips_by_period) {
                if &s.period == period {
                    *used.entry(&s.chip).or_default() += s.chips;
                }
            }
            for (chip, (chips, usd)) in held {
                let serve = used
                    .get(chip)
                    .map_or(0, |u| (u - 1e-6).ceil().max(0.0) as u32);
                let whole = (chips + 1e-6).floor() as u32;
                if serve > 0 {
                    serving.insert(chip.to_string(), serve.min(whole));
                }
                pools.push(Pool {
                    chip: chip.to_string(),
                    chips: whole.saturating_sub(serve),
                    usd_per_chip_hour: if chips > 0.0 { usd / chips } else { 0.0 },
                });
            }
            if pools.iter().all(|p| p.chips == 0) {
                return Err(input(
                    "--period",
                    format!("the plan holds no chips beyond serving in {period}"),
                    "choose a period in which training or spare capacity is held, or give --chips",
                ));
            }
        }
    }
    Ok((pools, serving))
}

/// The trace's matrix over `pools`: its columns matched to the pools' chips.
fn trace_matrix(
    pools: &[Pool],
    catalog: &Catalog,
    throughputs: Option<(&str, &str)>,
) -> Result<Throughputs, CheckError> {
    let Some((file, text)) = throughputs else {
        return Ok(Throughputs {
            job_types: vec!["job".into()],
            rate: vec![vec![1.0; pools.len()]],
        });
    };
    let (chips, matrix) = trace::read_throughputs(file, text).map_err(CheckError::Trace)?;
    let id = |c: &str| {
        catalog
            .accelerator(c)
            .map_or(c.to_string(), |a| a.id.clone())
    };
    let column: Vec<Option<usize>> = pools
        .iter()
        .map(|p| chips.iter().position(|c| id(c) == p.chip))
        .collect();
    if column.iter().all(Option::is_none) {
        return Err(input(
            file,
            format!("no column is a chip of the fleet ({})", chips.join(", ")),
            format!(
                "name columns after the fleet's chips: {}",
                pools
                    .iter()
                    .map(|p| p.chip.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let rate = matrix
        .rate
        .iter()
        .map(|row| column.iter().map(|c| c.map_or(0.0, |k| row[k])).collect())
        .collect();
    Ok(Throughputs {
        job_types: matrix.job_types,
        rate,
    })
}

/// The plan's training runs as jobs (rows appended to `matrix`), and those that cannot run.
fn runs(
    plan: &Plan,
    scenario: &Scenario,
    pools: &[Pool],
    matrix: &mut Throughputs,
) -> (Vec<Job>, Vec<Skipped>) {
    let f = &scenario.file;
    let catalog = &scenario.catalog;
    let origin = f.scenario.start;
    let end = origin.plus(i64::from(f.scenario.horizon_months));
    let (mut jobs, mut skipped) = (Vec::new(), Vec::new());
    for t in &f.training {
        let lines: Vec<_> = plan.training.iter().filter(|l| l.name == t.name).collect();
        let Some(gang) = lines
            .iter()
            .map(|l| (l.chips - 1e-6).ceil().max(1.0) as u32)
            .max()
        else {
            continue;
        };
        let arch = match &t.model {
            ModelSpec::Preset(p) => allot_model::preset(p).map(|p| p.architecture()),
            ModelSpec::Architecture(a) => Some(a.clone()),
        };
        let Some(arch) = arch else { continue };
        let precision = match t.precision {
            allot_scenario::Precision::Bf16 => Precision::Bf16,
            allot_scenario::Precision::Fp8 => Precision::Fp8,
        };
        let allowed = |chip: &str| {
            t.chips.is_empty()
                || t.chips
                    .iter()
                    .any(|c| catalog.accelerator(c).is_some_and(|a| a.id == chip))
        };
        let rate: Vec<f64> = pools
            .iter()
            .map(|p| match catalog.accelerator(&p.chip) {
                Some(chip) if allowed(&chip.id) && p.chips >= gang => {
                    let req = TrainRequest {
                        arch: &arch,
                        tokens: t.tokens,
                        chips: gang,
                        precision,
                        kind: TrainKind::Full,
                        maturity: scenario_maturity(scenario, &chip.id),
                    };
                    let e = estimate_train(chip, &req, calibration());
                    if e.fits {
                        e.tokens_per_s_per_chip * f64::from(gang)
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            })
            .collect();
        if rate.iter().all(|r| *r <= 0.0) {
            skipped.push(Skipped {
                name: t.name.clone(),
                reason: format!(
                    "no chip type of the fleet it may use has {gang} chips on which it fits"
                ),
            });
            continue;
        }
        let start = lines
            .iter()
            .filter_map(|l| Month::parse(&l.start))
            .min()
            .or(t.earliest_start)
            .unwrap_or(origin);
        let deadline = t.deadline.map_or(end, |d| d.plus(1));
        matrix.job_types.push(t.name.clone());
        matrix.rate.push(rate);
        jobs.push(Job {
            id: t.name.clone(),
            arrival_s: month_s(origin, start).max(0.0),
            job_type: matrix.job_types.len() - 1,
            gang,
            work: t.tokens,
            deadline_s: Some(month_s(origin, deadline)),
        });
    }
    (jobs, skipped)
}

fn scenario_maturity(scenario: &Scenario, chip: &str) -> f64 {
    let catalog = &scenario.catalog;
    let overrides: BTreeMap<String, f64> = scenario
        .file
        .performance
        .maturity
        .iter()
        .filter_map(|(k, v)| catalog.accelerator(k).map(|a| (a.id.clone(), *v)))
        .collect();
    catalog
        .accelerator(chip)
        .map_or(1.0, |a| allot_perf::maturity(a, &overrides))
}

/// How a check ended: the simulation ran to the end, or its time limit stopped it (with no
/// measures: those of the jobs finished so far would read as the whole run's).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Checked {
    /// Every job finished: the plan's runs against their deadlines.
    Complete(Box<Check>),
    /// The time limit was reached first.
    Stopped(Stopped),
}

impl Checked {
    /// What `allot simulate` says on its error output when the limit stopped it.
    pub fn stopped_text(stopped: &Stopped) -> String {
        format!(
            "error: {stopped}\nhint: a longer --time-limit (inf: none), fewer jobs or a lower --rate, more chips, or fifo or least-cost, which solve no LP"
        )
    }
}

/// Simulates `plan`'s training runs on the fleet of `request` beside its trace.
pub fn check(plan: &Plan, scenario: &Scenario, request: &Request) -> Result<Checked, CheckError> {
    let catalog = &scenario.catalog;
    let (pools, serving_chips) = pools(plan, catalog, &request.fleet)?;
    let mut matrix = trace_matrix(&pools, catalog, request.throughputs)?;
    let mut jobs = match &request.background {
        Background::None => Vec::new(),
        Background::Trace(file, text) => {
            trace::read(file, text, &matrix, 0).map_err(CheckError::Trace)?
        }
        Background::Generate(spec) => trace::generate(spec, &matrix, 0),
    };
    let trace_jobs = jobs.len();
    let (run_jobs, skipped) = runs(plan, scenario, &pools, &mut matrix);
    if run_jobs.is_empty() && trace_jobs == 0 {
        return Err(input(
            "simulate",
            "nothing to simulate: the plan has no training run this fleet can run, and no trace was given",
            "give --trace FILE or --generate N, or a fleet the plan's runs fit on",
        ));
    }
    jobs.extend(run_jobs);
    let workload = Workload {
        pools,
        throughputs: matrix,
        jobs,
    };
    let outcome = match crate::simulate(&workload, &request.settings).map_err(CheckError::Sim)? {
        Simulated::Complete(outcome) => outcome,
        Simulated::Stopped(stopped) => return Ok(Checked::Stopped(stopped)),
    };
    Ok(Checked::Complete(Box::new(summarise(
        scenario,
        request,
        workload,
        outcome,
        serving_chips,
        skipped,
        trace_jobs,
    ))))
}

fn summarise(
    scenario: &Scenario,
    request: &Request,
    workload: Workload,
    outcome: Outcome,
    serving_chips: BTreeMap<String, u32>,
    skipped: Vec<Skipped>,
    trace_jobs: usize,
) -> Check {
    let runs: Vec<RunResult> = outcome.jobs[trace_jobs..]
        .iter()
        .map(|r| {
            let longest = (0..workload.pools.len())
                .max_by(|&a, &b| r.run_s[a].total_cmp(&r.run_s[b]))
                .unwrap_or(0);
            RunResult {
                name: r.id.clone(),
                gang: r.gang,
                arrival_h: r.arrival_s / H,
                start_h: r.start_s / H,
                finish_h: r.finish_s / H,
                deadline_h: r.deadline_s.unwrap_or(f64::INFINITY) / H,
                chip: workload.pools[longest].chip.clone(),
                missed: r.missed_deadline(),
            }
        })
        .collect();
    let trace = &outcome.jobs[..trace_jobs];
    Check {
        origin: scenario.file.scenario.start.to_string(),
        fleet: match &request.fleet {
            Fleet::Period(p) => format!("period {p}"),
            Fleet::Chips(_) => "--chips".into(),
        },
        serving_chips,
        policy: request.settings.policy.name(),
        deadlines_missed: runs.iter().filter(|r| r.missed).count(),
        runs,
        skipped,
        trace_jobs,
        trace_metrics: Metrics::of(trace, &outcome.jobs, &workload.pools),
        metrics: outcome.metrics,
        timeline: outcome.timeline,
        pools: workload.pools,
    }
}

impl Check {
    /// What `allot simulate` prints.
    pub fn text(&self) -> String {
        let chips = |p: &Pool| format!("{} {}", p.chips, p.chip);
        let fleet: Vec<String> = self.pools.iter().map(chips).collect();
        let mut out = format!("fleet ({}): {}", self.fleet, fleet.join(", "));
        if !self.serving_chips.is_empty() {
            let s: Vec<String> = self
                .serving_chips
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect();
            out += &format!("; serving keeps {}", s.join(", "));
        }
        out += &format!(
            "\npolicy {}; time in days from the start of {}\n\n",
            self.policy, self.origin
        );
        let mut t = Table::new(&[
            ("RUN", Align::Left),
            ("CHIPS", Align::Right),
            ("ON", Align::Left),
            ("ARRIVES", Align::Right),
            ("STARTS", Align::Right),
            ("FINISHES", Align::Right),
            ("DEADLINE", Align::Right),
            ("RESULT", Align::Left),
        ]);
        let day = |h: f64| num(Some(h / 24.0), 1);
        for r in &self.runs {
            t.row(vec![
                r.name.clone(),
                r.gang.to_string(),
                r.chip.clone(),
                day(r.arrival_h),
                day(r.start_h),
                day(r.finish_h),
                day(r.deadline_h),
                (if r.missed { "MISSED" } else { "met" }).to_string(),
            ]);
        }
        out += &t.render();
        for s in &self.skipped {
            out += &format!("{}: cannot run: {}\n", s.name, s.reason);
        }
        out += &format!(
            "{} of {} training runs miss their deadline under queueing\n",
            self.deadlines_missed,
            self.runs.len() + self.skipped.len()
        );
        if self.trace_jobs > 0 {
            let m = &self.trace_metrics;
            out += &format!(
                "trace: {} jobs, average JCT {} h, p99 {} h\n",
                self.trace_jobs,
                num(Some(m.avg_jct_s / H), 2),
                num(Some(m.p99_jct_s / H), 2)
            );
        }
        out
    }
}
