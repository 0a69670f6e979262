//! A job-level, heterogeneity-aware scheduling simulator (docs/simulate.md): can a fleet run the
//! work, and at what job completion times?
//!
//! A [`Workload`] is a fleet of chip [`Pool`]s (one per chip type, with a price), a
//! [`Throughputs`] matrix (work per second of each job type's gang on each chip type) and
//! [`Job`]s. [`simulate`] runs it under a [`Policy`] as a discrete-event simulation (a binary
//! heap of events, deterministic for a seed): jobs arrive, are placed as gangs on one chip type,
//! run at the matrix's rate, finish, or fail (exponential time to failure per chip, so a gang
//! of `n` fails `n` times as often) and restart from their last checkpoint, the work since then
//! counted as lost. FIFO and least cost place jobs as chips free up; max-min fairness (plain, or
//! heterogeneity-aware as Gavel formulates it) and finish-time fairness allocate time fractions
//! with a linear program solved through the planner's solver seam (`allot_plan::solver`) and
//! realise them in rounds, as Gavel's mechanism does (`allocation.rs`). The [`Outcome`] holds
//! each job's result, the [`Metrics`] and a timeline of queue length and busy chips.
//!
//! [`trace`] generates jobs from Gavel's published distributions or reads them from CSV;
//! [`gavel`] holds Gavel's measured throughput matrix and cluster; [`plan_check`] runs a plan's
//! training runs on its fleet against their deadlines. Nothing here does IO.

mod allocation;
mod engine;
pub mod gavel;
pub mod plan_check;
pub mod pyrandom;
pub mod trace;

pub use engine::simulate;

/// The budget of a simulation's wall-clock time (`Settings::time_limit_s`), shared with the
/// allocation LPs it solves: the planner's (`allot_plan::solver::Deadline`).
pub use allot_plan::solver::Deadline;

use serde::Serialize;

/// Chips of one type that jobs may use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pool {
    /// The chip type (an accelerator id, or any name the throughput matrix uses).
    pub chip: String,
    /// How many chips.
    pub chips: u32,
    /// Price of one chip for one hour, USD.
    pub usd_per_chip_hour: f64,
}

/// Work per second of each job type's gang on each pool's chip type: `rate[job_type][pool]`,
/// in the job's work units (0: the job type cannot run there).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughputs {
    /// Job type names.
    pub job_types: Vec<String>,
    /// Rates, one row per job type, one column per pool.
    pub rate: Vec<Vec<f64>>,
}

/// A job: a gang of chips of one type for a given amount of work.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Name.
    pub id: String,
    /// Arrival, seconds from the start of the simulation.
    pub arrival_s: f64,
    /// Row of the throughput matrix.
    pub job_type: usize,
    /// Chips it needs at once, all of one type.
    pub gang: u32,
    /// Work to do, in the matrix's units (a rate of 1 on a chip type: seconds there).
    pub work: f64,
    /// When it must be finished, seconds from the start, if it has a deadline.
    pub deadline_s: Option<f64>,
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// The fleet.
    pub pools: Vec<Pool>,
    /// Rates of job types on pools.
    pub throughputs: Throughputs,
    /// The jobs.
    pub jobs: Vec<Job>,
}

/// How jobs are given chips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// First come, first served: the oldest waiting job goes on the free chip type where it
    /// runs fastest; nothing overtakes it. Jobs run to completion.
    Fifo,
    /// Max-min fairness blind to chip types (Gavel's `max_min_fairness`): the same LP as
    /// [`Policy::Gavel`] with every rate set to 1, realised in rounds.
    MaxMin,
    /// Heterogeneity-aware max-min fairness (Gavel's `max_min_fairness_perf`): maximise the
    /// least throughput any job gets, each normalised by its throughput on an equal share of
    /// the fleet, realised in rounds.
    Gavel,
    /// Finish-time fairness (Themis, as Gavel formulates it): minimise the largest ratio of a
    /// job's finish time under the allocation to its finish time on an equal share.
    FinishTime,
    /// The oldest waiting job goes on the free chip type where its work costs least; jobs run
    /// to completion.
    LeastCost,
}

impl Policy {
    /// Every policy, in the order of the command line's choices.
    pub const ALL: [Policy; 5] = [
        Policy::Fifo,
        Policy::MaxMin,
        Policy::Gavel,
        Policy::FinishTime,
        Policy::LeastCost,
    ];

    /// The policy's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::MaxMin => "max-min",
            Policy::Gavel => "gavel",
            Policy::FinishTime => "finish-time",
            Policy::LeastCost => "least-cost",
        }
    }

    /// Whether the policy allocates time fractions and realises them in rounds (preempting
    /// jobs at round ends) rather than placing jobs as chips free up.
    pub fn in_rounds(self) -> bool {
        matches!(self, Policy::MaxMin | Policy::Gavel | Policy::FinishTime)
    }
}

/// How to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// The policy.
    pub policy: Policy,
    /// Length of a scheduling round, seconds (Gavel: 360), for the round-based policies.
    pub round_s: f64,
    /// Round-based policies solve their allocation again when the jobs changed and at least
    /// this many seconds have passed since the last solve (Gavel's
    /// `minimum_time_between_allocation_resets`: 1,920).
    pub reallocate_s: f64,
    /// Mean time between failures of one chip, hours; `None`: no failures.
    pub mtbf_chip_hours: Option<f64>,
    /// A running job saves a checkpoint every this many seconds of running; a failure loses the
    /// work since the last one. `None`: no checkpoints while running (a failure loses the whole
    /// run since the job was last placed). Round-based policies also checkpoint at preemption.
    pub checkpoint_s: Option<f64>,
    /// Seed of the failure draws.
    pub seed: u64,
    /// At most this many points in the outcome's timeline.
    pub timeline_points: usize,
    /// Wall-clock budget, seconds (infinite: none). Checked between events and before and
    /// during each allocation LP (each LP is given the time left as its limit); once spent,
    /// the simulation stops and [`simulate`] answers [`Simulated::Stopped`].
    pub time_limit_s: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            policy: Policy::Fifo,
            round_s: 360.0,
            reallocate_s: 1920.0,
            mtbf_chip_hours: None,
            checkpoint_s: None,
            seed: 1,
            timeline_points: 400,
            time_limit_s: f64::INFINITY,
        }
    }
}

/// What happened to one job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobResult {
    /// The job's name.
    pub id: String,
    /// Arrival, seconds.
    pub arrival_s: f64,
    /// Chips it held at once.
    pub gang: u32,
    /// First placement, seconds.
    pub start_s: f64,
    /// Completion, seconds.
    pub finish_s: f64,
    /// Chip-seconds it held chips (lost work included).
    pub chip_s: f64,
    /// What those chips cost, USD.
    pub cost_usd: f64,
    /// Chip-seconds of work lost to failures.
    pub lost_chip_s: f64,
    /// How many times it failed.
    pub failures: u32,
    /// Seconds it ran on each pool (wall clock, not chip-seconds).
    pub run_s: Vec<f64>,
    /// When it held its gang on which pool, in time order (a placement at the instant of a
    /// preemption, on the same pool, merged with the span before it; never across a failure).
    pub spans: Vec<Span>,
    /// Its deadline, if it had one.
    pub deadline_s: Option<f64>,
}

impl JobResult {
    /// Job completion time: finish less arrival, seconds.
    pub fn jct_s(&self) -> f64 {
        self.finish_s - self.arrival_s
    }

    /// Whether it finished after its deadline.
    pub fn missed_deadline(&self) -> bool {
        self.deadline_s.is_some_and(|d| self.finish_s > d + 1e-9)
    }
}

/// A stretch of time a job held its gang on one pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// The pool.
    pub pool: usize,
    /// From, seconds.
    pub from_s: f64,
    /// To, seconds.
    pub to_s: f64,
    /// Whether it ended in a failure.
    pub failed: bool,
}

/// One point of the timeline: the state from `t_s` until the next point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// Seconds from the start.
    pub t_s: f64,
    /// Jobs arrived and not finished that hold no chips (time-averaged over the point's span).
    pub queued: f64,
    /// Busy chips per pool over chips in the pool (time-averaged), between 0 and 1.
    pub utilisation: Vec<f64>,
}

/// Summary measures of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Jobs counted.
    pub jobs: usize,
    /// Mean job completion time, seconds.
    pub avg_jct_s: f64,
    /// 99th percentile (nearest rank) of job completion time, seconds.
    pub p99_jct_s: f64,
    /// The last completion, seconds from the start.
    pub makespan_s: f64,
    /// Per pool, busy chip-seconds over chips × makespan.
    pub utilisation: Vec<f64>,
    /// Chip-hours held by jobs.
    pub chip_hours: f64,
    /// What they cost, USD.
    pub cost_usd: f64,
    /// Jobs finished after their deadline.
    pub deadlines_missed: usize,
    /// Failures.
    pub failures: u32,
    /// Chip-hours of work lost to failures.
    pub lost_chip_hours: f64,
}

impl Metrics {
    /// The measures of `results` (job completion times of those jobs only) on `pools`, whose
    /// utilisation counts every job in `all`.
    pub fn of(results: &[JobResult], all: &[JobResult], pools: &[Pool]) -> Metrics {
        let mut jct: Vec<f64> = results.iter().map(JobResult::jct_s).collect();
        jct.sort_by(f64::total_cmp);
        let n = jct.len();
        let avg = if n == 0 {
            0.0
        } else {
            jct.iter().sum::<f64>() / n as f64
        };
        let p99 = if n == 0 {
            0.0
        } else {
            jct[(0.99 * n as f64).ceil() as usize - 1]
        };
        let makespan = all.iter().map(|r| r.finish_s).fold(0.0, f64::max);
        let utilisation = pools
            .iter()
            .enumerate()
            .map(|(p, pool)| {
                let busy: f64 = all
                    .iter()
                    .map(|r| r.run_s.get(p).copied().unwrap_or(0.0) * f64::from(r.gang))
                    .sum();
                let capacity = f64::from(pool.chips) * makespan;
                if capacity > 0.0 {
                    (busy / capacity).min(1.0)
                } else {
                    0.0
                }
            })
            .collect();
        Metrics {
            jobs: n,
            avg_jct_s: avg,
            p99_jct_s: p99,
            makespan_s: makespan,
            utilisation,
            chip_hours: results.iter().map(|r| r.chip_s).sum::<f64>() / 3600.0,
            cost_usd: results.iter().map(|r| r.cost_usd).sum(),
            deadlines_missed: results.iter().filter(|r| r.missed_deadline()).count(),
            failures: results.iter().map(|r| r.failures).sum(),
            lost_chip_hours: results.iter().map(|r| r.lost_chip_s).sum::<f64>() / 3600.0,
        }
    }
}

/// The result of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The policy simulated.
    pub policy: Policy,
    /// Per job, in the workload's order.
    pub jobs: Vec<JobResult>,
    /// Measures over every job.
    pub metrics: Metrics,
    /// Queue length and utilisation over time.
    pub timeline: Vec<Sample>,
    /// Linear programs solved for allocations.
    pub lp_solves: usize,
    /// Events processed.
    pub events: u64,
}

/// How a simulation ended: every job finished, or the time limit stopped it first. A stopped
/// simulation has no [`Outcome`]: its measures would count only the jobs finished so far, the
/// shortest ones, and read as a complete run's.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Simulated {
    /// Every job finished.
    Complete(Outcome),
    /// The time limit was reached first.
    Stopped(Stopped),
}

impl Simulated {
    /// The outcome of a complete simulation, or where it stopped.
    pub fn complete(self) -> Result<Outcome, Stopped> {
        match self {
            Simulated::Complete(outcome) => Ok(outcome),
            Simulated::Stopped(stopped) => Err(stopped),
        }
    }
}

/// Where a simulation stood when its time limit stopped it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stopped {
    /// The limit, wall-clock seconds.
    pub time_limit_s: f64,
    /// Simulated time reached, seconds from the start.
    pub at_s: f64,
    /// Jobs finished by then.
    pub finished: usize,
    /// Jobs simulated.
    pub jobs: usize,
    /// Allocation LPs solved by then.
    pub lp_solves: usize,
    /// Events processed by then.
    pub events: u64,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the simulation stopped at its time limit of {} s, at {:.1} h of simulated time, with {} of {} jobs finished ({} allocation LPs solved)",
            self.time_limit_s,
            self.at_s / 3600.0,
            self.finished,
            self.jobs,
            self.lp_solves
        )
    }
}

/// Why a workload or settings cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// A setting out of its range.
    #[error("setting {name} = {value} is out of range: {rule}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        rule: &'static str,
    },
    /// The fleet has no chips.
    #[error("the fleet has no chips")]
    NoChips,
    /// The matrix does not have a row per job type and a column per pool.
    #[error(
        "the throughput matrix has {rows} rows of {cols} for {job_types} job types and {pools} pools"
    )]
    Matrix {
        /// Rows given.
        rows: usize,
        /// Columns of the first bad row.
        cols: usize,
        /// Job types named.
        job_types: usize,
        /// Pools.
        pools: usize,
    },
    /// A job is malformed.
    #[error("job {job}: {problem}")]
    Job {
        /// The job.
        job: String,
        /// What is wrong.
        problem: String,
    },
    /// A job cannot run on any pool: it would never finish.
    #[error(
        "job {job} needs {gang} chips of a type it can run on, and no pool has them (hint: give a rate above 0 for a chip type with at least {gang} chips)"
    )]
    Unrunnable {
        /// The job.
        job: String,
        /// Its gang.
        gang: u32,
    },
    /// The solver failed on an allocation.
    #[error("the allocation LP failed at {t_s:.0} s: {message}")]
    Solver {
        /// Simulated time.
        t_s: f64,
        /// What the solver said.
        message: String,
    },
}
