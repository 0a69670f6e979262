//! The event loop: a binary heap of arrivals, completions, failures and round ends, processed
//! in time order (ties in the order they were scheduled), with the chips of each pool counted
//! so that none is ever given twice.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::allocation::{self, Active, Failed};
use crate::pyrandom::PyRandom;
use crate::{
    Deadline, JobResult, Metrics, Outcome, Policy, Sample, Settings, SimError, Simulated, Span,
    Stopped, Workload,
};

/// The deadline is looked at every this many events (and before every round, whose
/// allocation LP is what takes long); reading the clock at every event would cost FIFO, at
/// millions of events a second, a few percent.
const CLOCK_EVERY: u64 = 64;

/// Work left below this fraction of a job's work counts as none (rounding of rate × time).
const DONE: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Arrive(usize),
    /// A run ends: the job, the run's epoch (a stale event of an ended run is ignored).
    Finish(usize, u64),
    Fail(usize, u64),
    Round,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    t: f64,
    seq: u64,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.t.total_cmp(&self.t).then(other.seq.cmp(&self.seq))
    }
}

#[derive(Debug, Clone, Copy)]
struct Run {
    pool: usize,
    since: f64,
    rate: f64,
    /// Work left when the run started (the last checkpoint).
    remaining_at_start: f64,
}

#[derive(Debug, Clone)]
struct JobState {
    arrived: bool,
    done: bool,
    remaining: f64,
    run: Option<Run>,
    epoch: u64,
    start: Option<f64>,
    result: JobResult,
}

/// Simulates `workload` under `settings`: [`Simulated::Complete`] when every job finished,
/// [`Simulated::Stopped`] when `settings.time_limit_s` ran out first (between events, or
/// during an allocation LP, which is given the time left as its limit).
pub fn simulate(workload: &Workload, settings: &Settings) -> Result<Simulated, SimError> {
    let deadline = Deadline::after(settings.time_limit_s);
    check(workload, settings)?;
    let mut sim = Sim::new(workload, settings, deadline);
    match sim.run()? {
        Step::Done => Ok(Simulated::Complete(sim.outcome())),
        Step::Stopped => Ok(Simulated::Stopped(sim.stopped())),
    }
}

/// Whether the simulation goes on, or the deadline stopped it.
enum Step {
    Done,
    Stopped,
}

fn setting(name: &'static str, value: f64, rule: &'static str) -> SimError {
    SimError::Setting {
        name,
        value: value.to_string(),
        rule,
    }
}

fn check(w: &Workload, s: &Settings) -> Result<(), SimError> {
    if allot_plan::check_time_limit(s.time_limit_s).is_err() {
        return Err(setting(
            "time_limit",
            s.time_limit_s,
            "a number of seconds above 0 (infinite: no limit)",
        ));
    }
    if !(s.round_s.is_finite() && s.round_s > 0.0) {
        return Err(setting("round", s.round_s, "a number of seconds above 0"));
    }
    if !(s.reallocate_s.is_finite() && s.reallocate_s >= 0.0) {
        return Err(setting(
            "reallocate",
            s.reallocate_s,
            "a number of seconds from 0 up",
        ));
    }
    if let Some(m) = s.mtbf_chip_hours
        && !(m.is_finite() && m > 0.0)
    {
        return Err(setting("mtbf", m, "a number of hours above 0"));
    }
    if let Some(c) = s.checkpoint_s
        && !(c.is_finite() && c > 0.0)
    {
        return Err(setting("checkpoint", c, "a number of seconds above 0"));
    }
    if w.pools.iter().all(|p| p.chips == 0) {
        return Err(SimError::NoChips);
    }
    if let Some(p) = w
        .pools
        .iter()
        .find(|p| !(p.usd_per_chip_hour.is_finite() && p.usd_per_chip_hour >= 0.0))
    {
        return Err(setting(
            "price",
            p.usd_per_chip_hour,
            "a price of 0 or more per chip-hour",
        ));
    }
    let t = &w.throughputs;
    let bad_row = t.rate.iter().find(|r| r.len() != w.pools.len());
    if t.rate.len() != t.job_types.len() || bad_row.is_some() {
        return Err(SimError::Matrix {
            rows: t.rate.len(),
            cols: bad_row.map_or(w.pools.len(), Vec::len),
            job_types: t.job_types.len(),
            pools: w.pools.len(),
        });
    }
    for job in &w.jobs {
        let problem = |p: &str| SimError::Job {
            job: job.id.clone(),
            problem: p.to_string(),
        };
        if !(job.arrival_s.is_finite() && job.arrival_s >= 0.0) {
            return Err(problem(
                "arrival must be a finite number of seconds from 0 up",
            ));
        }
        if !(job.work.is_finite() && job.work > 0.0) {
            return Err(problem("work must be a finite number above 0"));
        }
        if job.gang == 0 {
            return Err(problem("a job needs at least one chip"));
        }
        if job.deadline_s.is_some_and(|d| !d.is_finite()) {
            return Err(problem("the deadline must be a finite number of seconds"));
        }
        let Some(rates) = t.rate.get(job.job_type) else {
            return Err(problem(
                "its job type is not a row of the throughput matrix",
            ));
        };
        if rates.iter().any(|r| !(r.is_finite() && *r >= 0.0)) {
            return Err(problem("its rates must be finite numbers from 0 up"));
        }
        let runnable = rates
            .iter()
            .zip(&w.pools)
            .any(|(r, p)| *r > 0.0 && p.chips >= job.gang);
        if !runnable {
            return Err(SimError::Unrunnable {
                job: job.id.clone(),
                gang: job.gang,
            });
        }
    }
    Ok(())
}

struct Sim<'a> {
    w: &'a Workload,
    s: &'a Settings,
    deadline: Deadline,
    jobs: Vec<JobState>,
    free: Vec<u32>,
    heap: BinaryHeap<Event>,
    seq: u64,
    rng: ChaCha8Rng,
    /// Arrived, unfinished jobs holding no chips, by index (the workload's arrival order).
    waiting: BTreeSet<(u64, usize)>,
    /// Arrival rank of each job (order of arrival, ties by index).
    rank: Vec<u64>,
    /// Jobs arrived and not finished (round-based policies).
    active: BTreeSet<usize>,
    /// The active set changed since the last allocation.
    dirty: bool,
    round_pending: bool,
    /// Each job's allocation per pool, from the last reset; `None` for a job that arrived
    /// since (Gavel gives it priority 0: it runs only on chips no allocated job takes).
    allocation: Vec<Option<Vec<f64>>>,
    /// Gavel's priority bookkeeping since the last reset, per job and pool: seconds run (from
    /// half a round, Gavel's prior), and the accumulated deficit (time the allocation should
    /// have given less time received, over past resets; the first tie-break).
    time_so_far: Vec<Vec<f64>>,
    deficit: Vec<Vec<f64>>,
    /// Seconds run on each pool by all jobs since the last reset (from the priors).
    pool_time_so_far: Vec<f64>,
    last_reset: f64,
    /// Gavel's worker-type shuffler (`random.Random(seed + 5)`), for the agnostic policy.
    shuffler: PyRandom,
    lp_solves: usize,
    events: u64,
    /// Step changes: (time, queued, busy chips per pool).
    steps: Vec<(f64, usize, Vec<u32>)>,
    now: f64,
}

impl<'a> Sim<'a> {
    fn new(w: &'a Workload, s: &'a Settings, deadline: Deadline) -> Sim<'a> {
        let mut order: Vec<usize> = (0..w.jobs.len()).collect();
        order.sort_by(|&a, &b| {
            w.jobs[a]
                .arrival_s
                .total_cmp(&w.jobs[b].arrival_s)
                .then(a.cmp(&b))
        });
        let mut rank = vec![0; w.jobs.len()];
        for (r, &j) in order.iter().enumerate() {
            rank[j] = r as u64;
        }
        let jobs = w
            .jobs
            .iter()
            .map(|j| JobState {
                arrived: false,
                done: false,
                remaining: j.work,
                run: None,
                epoch: 0,
                start: None,
                result: JobResult {
                    id: j.id.clone(),
                    arrival_s: j.arrival_s,
                    gang: j.gang,
                    start_s: f64::NAN,
                    finish_s: f64::NAN,
                    chip_s: 0.0,
                    cost_usd: 0.0,
                    lost_chip_s: 0.0,
                    failures: 0,
                    run_s: vec![0.0; w.pools.len()],
                    spans: Vec::new(),
                    deadline_s: j.deadline_s,
                },
            })
            .collect();
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&s.seed.to_le_bytes());
        key[8..16].copy_from_slice(b"allot-sm");
        let mut sim = Sim {
            w,
            s,
            deadline,
            jobs,
            free: w.pools.iter().map(|p| p.chips).collect(),
            heap: BinaryHeap::new(),
            seq: 0,
            rng: ChaCha8Rng::from_seed(key),
            waiting: BTreeSet::new(),
            rank,
            active: BTreeSet::new(),
            dirty: false,
            round_pending: false,
            allocation: vec![None; w.jobs.len()],
            time_so_far: vec![Vec::new(); w.jobs.len()],
            deficit: vec![Vec::new(); w.jobs.len()],
            pool_time_so_far: vec![0.0; w.pools.len()],
            last_reset: 0.0,
            shuffler: PyRandom::new(s.seed + 5),
            lp_solves: 0,
            events: 0,
            steps: Vec::new(),
            now: 0.0,
        };
        for &j in &order {
            sim.push(w.jobs[j].arrival_s, Kind::Arrive(j));
        }
        sim
    }

    fn push(&mut self, t: f64, kind: Kind) {
        self.seq += 1;
        self.heap.push(Event {
            t,
            seq: self.seq,
            kind,
        });
    }

    fn run(&mut self) -> Result<Step, SimError> {
        self.record();
        while let Some(ev) = self.heap.pop() {
            let look = ev.kind == Kind::Round || self.events % CLOCK_EVERY == 0;
            if look && self.deadline.passed() {
                return Ok(Step::Stopped);
            }
            self.now = ev.t;
            self.events += 1;
            match ev.kind {
                Kind::Arrive(j) => self.arrive(j),
                Kind::Finish(j, e) if self.jobs[j].epoch == e => self.stop(j, End::Finish),
                Kind::Fail(j, e) if self.jobs[j].epoch == e => self.stop(j, End::Fail),
                Kind::Finish(..) | Kind::Fail(..) => continue,
                Kind::Round => {
                    if let Step::Stopped = self.round()? {
                        return Ok(Step::Stopped);
                    }
                }
            }
            // Act once every event of this instant has been applied.
            if self.heap.peek().is_some_and(|next| next.t == self.now) {
                continue;
            }
            if !self.s.policy.in_rounds() {
                self.dispatch();
            }
            self.record();
        }
        Ok(Step::Done)
    }

    fn arrive(&mut self, j: usize) {
        self.jobs[j].arrived = true;
        self.waiting.insert((self.rank[j], j));
        if self.s.policy.in_rounds() {
            self.active.insert(j);
            self.dirty = true;
            let pools = self.w.pools.len();
            self.time_so_far[j] = vec![self.s.round_s / 2.0; pools];
            self.deficit[j] = vec![0.0; pools];
            if !self.round_pending {
                self.round_pending = true;
                self.push(self.now, Kind::Round);
            }
        }
    }

    /// Places `j` on `pool` now.
    fn start(&mut self, j: usize, pool: usize) {
        let job = &self.w.jobs[j];
        let rate = self.w.throughputs.rate[job.job_type][pool];
        debug_assert!(self.free[pool] >= job.gang && rate > 0.0);
        self.free[pool] -= job.gang;
        self.waiting.remove(&(self.rank[j], j));
        let state = &mut self.jobs[j];
        state.epoch += 1;
        state.start.get_or_insert(self.now);
        state.run = Some(Run {
            pool,
            since: self.now,
            rate,
            remaining_at_start: state.remaining,
        });
        let finish = self.now + state.remaining / rate;
        let epoch = state.epoch;
        let failure = self.s.mtbf_chip_hours.map(|mtbf| {
            let per_s = f64::from(job.gang) / (mtbf * 3600.0);
            let u: f64 = self.rng.random();
            self.now - (1.0 - u).ln() / per_s
        });
        match failure {
            Some(f) if f < finish => self.push(f, Kind::Fail(j, epoch)),
            _ => self.push(finish, Kind::Finish(j, epoch)),
        }
    }

    /// Ends `j`'s run now.
    fn stop(&mut self, j: usize, end: End) {
        let gang = self.w.jobs[j].gang;
        let price = self
            .w
            .pools
            .iter()
            .map(|p| p.usd_per_chip_hour)
            .collect::<Vec<_>>();
        let checkpoint = self.s.checkpoint_s;
        let now = self.now;
        let state = &mut self.jobs[j];
        let Some(run) = state.run.take() else { return };
        state.epoch += 1;
        let elapsed = now - run.since;
        let chip_s = elapsed * f64::from(gang);
        state.result.chip_s += chip_s;
        state.result.cost_usd += chip_s * price[run.pool] / 3600.0;
        state.result.run_s[run.pool] += elapsed;
        // A job placed again where it was preempted, at the same instant, holds one span.
        let failed = matches!(end, End::Fail);
        match state.result.spans.last_mut() {
            Some(last) if !last.failed && last.pool == run.pool && last.to_s == run.since => {
                last.to_s = now;
                last.failed = failed;
            }
            _ => state.result.spans.push(Span {
                pool: run.pool,
                from_s: run.since,
                to_s: now,
                failed,
            }),
        }
        self.free[run.pool] += gang;
        if let Some(t) = self.time_so_far[j].get_mut(run.pool) {
            *t += elapsed;
            self.pool_time_so_far[run.pool] += elapsed;
        }
        match end {
            End::Finish => state.remaining = 0.0,
            End::Preempt => state.remaining = run.remaining_at_start - elapsed * run.rate,
            End::Fail => {
                let kept = checkpoint.map_or(0.0, |c| (elapsed / c).floor() * c);
                state.remaining = run.remaining_at_start - kept * run.rate;
                state.result.lost_chip_s += (elapsed - kept) * f64::from(gang);
                state.result.failures += 1;
            }
        }
        if state.remaining <= DONE * self.w.jobs[j].work {
            state.remaining = 0.0;
            state.done = true;
            state.result.finish_s = now;
            state.result.start_s = state.start.unwrap_or(now);
            self.active.remove(&j);
            self.dirty = true;
            self.allocation[j] = None;
            self.time_so_far[j] = Vec::new();
            self.deficit[j] = Vec::new();
        } else {
            self.waiting.insert((self.rank[j], j));
        }
    }

    /// FIFO and least cost: the oldest waiting job goes on its best free pool, until it finds
    /// none.
    fn dispatch(&mut self) {
        while let Some(&(_, j)) = self.waiting.first() {
            let job = &self.w.jobs[j];
            let rates = &self.w.throughputs.rate[job.job_type];
            let score = |p: usize| match self.s.policy {
                Policy::LeastCost => self.w.pools[p].usd_per_chip_hour / rates[p],
                _ => -rates[p],
            };
            let best = (0..self.w.pools.len())
                .filter(|&p| rates[p] > 0.0 && self.free[p] >= job.gang)
                .min_by(|&a, &b| score(a).total_cmp(&score(b)).then(a.cmp(&b)));
            match best {
                Some(p) => self.start(j, p),
                None => break,
            }
        }
    }

    /// A round of the round-based policies, as Gavel's simulator runs one
    /// (`Scheduler.simulate`, `_schedule_jobs_on_workers`, `_update_priorities` at c4fa400):
    /// every run is preempted (at a checkpoint); when the jobs changed and at least
    /// `reallocate_s` has passed since the last reset, the time counters reset and the
    /// allocation is solved again; then, pool by pool (in the fleet's order, or shuffled each
    /// round for the chip-blind policy, as Gavel shuffles for a policy without `Perf` in its
    /// name), the active jobs in order of priority take that pool's chips while they last,
    /// each job at most once, jobs of priority 0 included; the round ends when the last job
    /// placed stops (at most `round_s` later).
    fn round(&mut self) -> Result<Step, SimError> {
        self.round_pending = false;
        let running: Vec<usize> = self
            .active
            .iter()
            .copied()
            .filter(|&j| self.jobs[j].run.is_some())
            .collect();
        for j in running {
            self.stop(j, End::Preempt);
        }
        if self.active.is_empty() {
            return Ok(Step::Done);
        }
        if self.dirty
            && (self.now - self.last_reset >= self.s.reallocate_s || self.last_reset == 0.0)
        {
            self.reset();
            if let Step::Stopped = self.allocate()? {
                return Ok(Step::Stopped);
            }
            self.dirty = false;
        }
        let mut pools: Vec<usize> = (0..self.w.pools.len()).collect();
        if self.s.policy == Policy::MaxMin {
            self.shuffler.shuffle(&mut pools);
        }
        // Active jobs in Gavel's order (job id, here arrival rank).
        let mut jobs: Vec<usize> = self.active.iter().copied().collect();
        jobs.sort_by_key(|&j| self.rank[j]);
        let mut end = self.now;
        for p in pools {
            let mut queue: Vec<(f64, f64, f64, usize)> = jobs
                .iter()
                .map(|&j| {
                    let share = self.allocation[j].as_ref().map_or(0.0, |x| x[p]);
                    (self.priority(j, p), self.deficit[j][p], share, j)
                })
                .collect();
            // Descending, stable: equal keys keep the job order.
            queue.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.1.total_cmp(&a.1))
                    .then(b.2.total_cmp(&a.2))
            });
            for (_, _, _, j) in queue {
                if self.free[p] == 0 {
                    break;
                }
                let job = &self.w.jobs[j];
                if self.jobs[j].run.is_some()
                    || self.w.throughputs.rate[job.job_type][p] <= 0.0
                    || self.free[p] < job.gang
                {
                    continue;
                }
                self.start(j, p);
                let rate = self.w.throughputs.rate[job.job_type][p];
                let stops = self.now + (self.jobs[j].remaining / rate).min(self.s.round_s);
                end = end.max(stops);
            }
        }
        if end <= self.now {
            end = self.now + self.s.round_s;
        }
        self.round_pending = true;
        self.push(end, Kind::Round);
        Ok(Step::Done)
    }

    /// Gavel's priority of job `j` on pool `p` (`_update_priorities`): its allocation there
    /// over its share of the time the pool has run since the last reset; 0 without an
    /// allocation or a rate there.
    fn priority(&self, j: usize, p: usize) -> f64 {
        let Some(x) = self.allocation[j].as_ref() else {
            return 0.0;
        };
        let rate = self.w.throughputs.rate[self.w.jobs[j].job_type][p];
        if x[p] == 0.0 || rate <= 0.0 {
            return 0.0;
        }
        let pool_time = self.pool_time_so_far[p];
        if pool_time == 0.0 {
            return x[p] * 1e9;
        }
        x[p] / (self.time_so_far[j][p] / pool_time)
    }

    /// Gavel's `_reset_time_run_so_far`: each active job's deficit on each pool grows by the
    /// time its allocation should have given it since the last reset less the time it got;
    /// the time counters restart from half a round per job.
    fn reset(&mut self) {
        let elapsed = self.now - self.last_reset;
        let prior = self.s.round_s / 2.0;
        for p in 0..self.w.pools.len() {
            self.pool_time_so_far[p] = 0.0;
            for &j in &self.active {
                let received = self.time_so_far[j][p] - prior;
                let should = self.allocation[j].as_ref().map_or(0.0, |x| x[p] * elapsed);
                self.deficit[j][p] += should - received;
                self.time_so_far[j][p] = prior;
                self.pool_time_so_far[p] += prior;
            }
        }
        self.last_reset = self.now;
    }

    /// Solves the allocation of the active jobs; [`Step::Stopped`] when the deadline cut the
    /// solve short (no allocation is kept then).
    fn allocate(&mut self) -> Result<Step, SimError> {
        let active: Vec<Active> = self
            .active
            .iter()
            .map(|&j| {
                let job = &self.w.jobs[j];
                Active {
                    gang: job.gang,
                    rates: self.w.throughputs.rate[job.job_type]
                        .iter()
                        .zip(&self.w.pools)
                        .map(|(&r, p)| if p.chips >= job.gang { r } else { 0.0 })
                        .collect(),
                    elapsed_s: self.now - job.arrival_s,
                    remaining: self.jobs[j].remaining,
                }
            })
            .collect();
        let chips: Vec<u32> = self.w.pools.iter().map(|p| p.chips).collect();
        let (x, solves) = match allocation::allocate(self.s.policy, &active, &chips, self.deadline)
        {
            Ok(done) => done,
            Err(Failed::Stopped { solves }) => {
                self.lp_solves += solves;
                return Ok(Step::Stopped);
            }
            Err(Failed::Solver(message)) => {
                return Err(SimError::Solver {
                    t_s: self.now,
                    message,
                });
            }
        };
        self.lp_solves += solves;
        for (&j, x) in self.active.iter().zip(x) {
            self.allocation[j] = Some(x);
        }
        Ok(Step::Done)
    }

    /// Where the simulation stands, for one the deadline stopped.
    fn stopped(&self) -> Stopped {
        Stopped {
            time_limit_s: self.s.time_limit_s,
            at_s: self.now,
            finished: self.jobs.iter().filter(|j| j.done).count(),
            jobs: self.jobs.len(),
            lp_solves: self.lp_solves,
            events: self.events,
        }
    }

    fn record(&mut self) {
        let busy: Vec<u32> = self
            .w
            .pools
            .iter()
            .zip(&self.free)
            .map(|(p, f)| p.chips - f)
            .collect();
        let queued = self.waiting.len();
        match self.steps.last_mut() {
            Some(last) if last.1 == queued && last.2 == busy => {}
            Some(last) if last.0 == self.now => {
                last.1 = queued;
                last.2 = busy;
            }
            _ => self.steps.push((self.now, queued, busy)),
        }
    }

    fn outcome(self) -> Outcome {
        let results: Vec<JobResult> = self.jobs.into_iter().map(|s| s.result).collect();
        let metrics = Metrics::of(&results, &results, &self.w.pools);
        let timeline = timeline(
            &self.steps,
            &self.w.pools,
            metrics.makespan_s,
            self.s.timeline_points,
        );
        Outcome {
            policy: self.s.policy,
            jobs: results,
            metrics,
            timeline,
            lp_solves: self.lp_solves,
            events: self.events,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum End {
    Finish,
    Fail,
    Preempt,
}

/// The step function `steps` averaged over `points` equal spans of `[0, end]`.
fn timeline(
    steps: &[(f64, usize, Vec<u32>)],
    pools: &[crate::Pool],
    end: f64,
    points: usize,
) -> Vec<Sample> {
    if points == 0 || end <= 0.0 || steps.is_empty() {
        return Vec::new();
    }
    let width = end / points as f64;
    let mut out: Vec<Sample> = (0..points)
        .map(|i| Sample {
            t_s: i as f64 * width,
            queued: 0.0,
            utilisation: vec![0.0; pools.len()],
        })
        .collect();
    for (k, (t0, queued, busy)) in steps.iter().enumerate() {
        let t1 = steps.get(k + 1).map_or(end, |s| s.0).min(end);
        let mut a = *t0;
        while a < t1 {
            let i = ((a / width) as usize).min(points - 1);
            let b = t1.min((i + 1) as f64 * width);
            let share = (b - a) / width;
            let sample = &mut out[i];
            sample.queued += *queued as f64 * share;
            for (u, (n, pool)) in sample.utilisation.iter_mut().zip(busy.iter().zip(pools)) {
                if pool.chips > 0 {
                    *u += f64::from(*n) / f64::from(pool.chips) * share;
                }
            }
            if b <= a {
                break;
            }
            a = b;
        }
    }
    out
}
