//! Solves as jobs: a bounded queue (a request beyond its length is refused with 429) served by
//! one worker thread per core, each solve single-threaded. A job's row is written before the
//! request returns, so a job the client was told of survives a crash (as `interrupted`). While a
//! job runs, the planner's progress reports (`allot_plan::progress`) are kept in memory for
//! `GET /plans/{id}`; cancelling sets the listener's stop flag, so HiGHS stops at its next check
//! and the best plan found so far is kept.
//!
//! A job's `settings.time_limit_s` is one deadline for the whole job
//! ([`allot_plan::solver::Deadline`], set when the job starts running, not when it was queued):
//! every solve it makes draws from it, as every solve of a CLI command draws from
//! `--time-limit` — a plan with its explanations and infeasibility diagnosis, a what-if's or
//! why-not's plans, every plan of a risk run.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use allot_plan::solver::Deadline;
use allot_plan::{SolveSettings, SolveStatus};
use allot_store::{Job, JobResult, JobState, NewJob, Store};

use crate::problem::Problem;
use crate::wire::{JobJson, ProgressJson, SettingsJson};

/// A job in memory while it is queued or runs.
#[derive(Default)]
struct Live {
    stop: Arc<AtomicBool>,
    progress: Option<ProgressJson>,
}

/// The queue and its workers.
pub struct Jobs {
    store: Arc<Store>,
    sender: Mutex<mpsc::Sender<i64>>,
    waiting: AtomicUsize,
    capacity: usize,
    live: Arc<Mutex<HashMap<i64, Live>>>,
    warm: crate::questions::WarmBases,
}

impl Jobs {
    /// Starts `workers` worker threads on a queue of at most `capacity` waiting jobs.
    pub fn start(store: Arc<Store>, workers: usize, capacity: usize) -> Arc<Jobs> {
        let (sender, receiver) = mpsc::channel::<i64>();
        let jobs = Arc::new(Jobs {
            store,
            sender: Mutex::new(sender),
            waiting: AtomicUsize::new(0),
            capacity,
            live: Arc::default(),
            warm: Default::default(),
        });
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..workers.max(1) {
            let (jobs, receiver) = (jobs.clone(), receiver.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("allot-worker-{i}"))
                .spawn(move || {
                    loop {
                        let next = receiver.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(id) = next else { break };
                        jobs.waiting.fetch_sub(1, Ordering::SeqCst);
                        jobs.run(id);
                    }
                });
            if spawned.is_err() && i == 0 {
                // Without any worker the queue would only fill: say so in every job.
                eprintln!("allot serve: cannot start a worker thread");
            }
        }
        jobs
    }

    /// Records `job` and queues it; 429 when the queue is full.
    pub fn submit(&self, job: &NewJob) -> Result<Job, Problem> {
        let taken = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.capacity).then_some(n + 1)
            });
        if taken.is_err() {
            return Err(Problem::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "queue-full",
                format!(
                    "{} jobs are waiting already, the most this server queues (allot serve --queue); try again when one has started",
                    self.capacity
                ),
            ));
        }
        let stored = match self.store.create_job(job) {
            Ok(j) => j,
            Err(e) => {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                return Err(e.into());
            }
        };
        self.lock().insert(stored.id, Live::default());
        let sent = self
            .sender
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(stored.id);
        if sent.is_err() {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Problem::internal("the job queue has stopped"));
        }
        Ok(stored)
    }

    /// Records `job`, queues it and answers 202 with it, `Location` naming it.
    pub fn accept(&self, job: &NewJob) -> Result<axum::response::Response, Problem> {
        use axum::response::IntoResponse;
        let stored = self.submit(job)?;
        let location = format!("/plans/{}", stored.id);
        Ok((
            axum::http::StatusCode::ACCEPTED,
            [(axum::http::header::LOCATION, location)],
            axum::Json(self.show(stored)),
        )
            .into_response())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Live>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A stored job with its progress, as the API shows it.
    pub fn show(&self, job: Job) -> JobJson {
        let (progress, stopping) = match self.lock().get(&job.id) {
            Some(live) => (live.progress.clone(), live.stop.load(Ordering::Relaxed)),
            None => (None, false),
        };
        let has_result = job.status.is_some();
        JobJson::new(job, progress, stopping, has_result)
    }

    /// Cancels a queued job, or asks a running one to stop (its best plan so far is kept).
    pub fn cancel(&self, id: i64) -> Result<Job, Problem> {
        let job = self.store.job(id)?;
        match job.state {
            JobState::Queued => {
                self.store.cancel_queued(id)?;
            }
            JobState::Running => {
                if let Some(live) = self.lock().get(&id) {
                    live.stop.store(true, Ordering::SeqCst);
                }
            }
            _ => {
                let state = self.show(job).state;
                return Err(Problem::conflict(
                    "job-finished",
                    format!("job {id} has ended ({state}); there is nothing to cancel"),
                ));
            }
        }
        Ok(self.store.job(id)?)
    }

    /// Runs job `id` on this worker thread and records how it ended.
    fn run(&self, id: i64) {
        let started = match self.store.start_job(id) {
            Ok(started) => started,
            Err(e) => {
                eprintln!("allot serve: job {id}: {e}");
                false
            }
        };
        if !started {
            // Cancelled while it waited.
            self.lock().remove(&id);
            return;
        }
        let stop = self.lock().entry(id).or_default().stop.clone();
        let live = self.live.clone();
        let report = move |progress: ProgressJson| {
            if let Some(l) = live.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&id) {
                l.progress = Some(progress);
            }
        };
        let solver_report = report.clone();
        let listening = allot_plan::progress::listen(stop.clone(), move |r| {
            solver_report(ProgressJson::from(r))
        });
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.execute(id, &stop, &report)
        }));
        drop(listening);
        let mut result = match outcome {
            Ok(result) => result,
            Err(_) => failed("the planner stopped on an internal error (a bug: please report it)"),
        };
        if stop.load(Ordering::SeqCst) {
            // A plan keeps the best plan found; a question stopped before its answer has none.
            result.state = JobState::Cancelled;
            if result.result.is_none() {
                result.error = Some("cancelled before it had a result".into());
            }
        }
        if let Err(e) = self.store.finish_job(id, &result) {
            eprintln!("allot serve: job {id}: {e}");
        }
        self.lock().remove(&id);
    }

    /// Runs job `id`: a plan, or a question about a stored plan.
    fn execute(
        &self,
        id: i64,
        stop: &Arc<AtomicBool>,
        report: &(dyn Fn(ProgressJson) + Sync),
    ) -> JobResult {
        // The job's time limit counts from here, when it starts running.
        let started = Instant::now();
        let job = match self.store.job(id) {
            Ok(job) => job,
            Err(e) => return failed(&e.to_string()),
        };
        match job.job.kind {
            allot_store::JobKind::Plan => self.plan(&job, started),
            _ => crate::questions::run(
                &job,
                &crate::questions::Context {
                    store: &self.store,
                    warm: &self.warm,
                    stop,
                    progress: report,
                    started,
                },
            ),
        }
    }

    /// Plans the job's scenario version as `allot plan --json` would, every solve drawing from
    /// one deadline, `settings.time_limit_s` after `started`.
    fn plan(&self, job: &Job, started: Instant) -> JobResult {
        let t0 = started;
        let version = match self.store.version_by_id(job.job.scenario_version_id) {
            Ok(v) => v,
            Err(e) => return failed(&e.to_string()),
        };
        let queued_s = seconds_between(&job.created_at, job.started_at.as_deref());
        let loaded = crate::scenarios::load_upload(&version.content.toml, &version.content.files);
        let Some(scenario) = loaded.scenario else {
            return failed("the stored scenario version no longer loads with this allot version");
        };
        let settings: SettingsJson = match serde_json::from_value(job.job.settings.clone()) {
            Ok(s) => s,
            Err(e) => return failed(&format!("stored settings: {e}")),
        };
        let solve = job_settings(&settings, started);
        let mut outcome = if settings.explain {
            allot_plan::plan_explained(&scenario, &solve)
        } else {
            allot_plan::plan(&scenario, &solve)
        };
        if outcome.plan.status == SolveStatus::Infeasible {
            outcome.plan.relaxations = allot_plan::elastic::diagnose(&scenario, &solve);
        }
        let plan = &outcome.plan;
        let text = match allot_present::finance_json::plan_json(&scenario, plan) {
            Ok(t) => t,
            Err(e) => return failed(&format!("writing the plan JSON: {e}")),
        };
        let timings = BTreeMap::from([
            ("queued_s", queued_s),
            ("build_s", outcome.timings.build.as_secs_f64()),
            ("solve_s", outcome.timings.solve.as_secs_f64()),
            ("extract_s", outcome.timings.extract.as_secs_f64()),
            ("total_s", t0.elapsed().as_secs_f64()),
        ]);
        JobResult {
            state: JobState::Done,
            status: Some(plan.status.to_string()),
            objective_usd: plan.status.has_solution().then_some(plan.objective_usd),
            result: Some(text),
            error: None,
            timings: serde_json::to_value(timings).unwrap_or_default(),
        }
    }
}

/// The planner's settings for a job started at `started`, as `allot plan` sets them from its
/// flags: [`solve_settings`] with one deadline for the whole job, `time_limit_s` after
/// `started`.
pub fn job_settings(s: &SettingsJson, started: Instant) -> SolveSettings {
    SolveSettings {
        deadline: Deadline::after_from(started, s.time_limit_s),
        ..solve_settings(s)
    }
}

/// The planner's settings for a job's, without a deadline: what is checked when a job is
/// asked for, and what a kept what-if base is keyed by ([`job_settings`] adds the deadline).
pub fn solve_settings(s: &SettingsJson) -> SolveSettings {
    SolveSettings {
        deadline: Deadline::NONE,
        time_limit_s: s.time_limit_s,
        mip_gap: s.mip_gap,
        threads: 1,
        log: false,
        presolve: s.presolve,
        lp_first: s.method == "lp-first",
        ranging: false,
    }
}

/// A job that ended without a result, saying why.
pub(crate) fn failed(message: &str) -> JobResult {
    JobResult {
        state: JobState::Failed,
        status: None,
        objective_usd: None,
        result: None,
        error: Some(message.to_string()),
        timings: serde_json::Value::Null,
    }
}

/// Seconds from one RFC 3339 time to another (0 when either does not read).
fn seconds_between(from: &str, to: Option<&str>) -> f64 {
    let parse = |s: &str| s.parse::<jiff::Timestamp>().ok();
    match (parse(from), to.and_then(parse)) {
        (Some(a), Some(b)) => ((b.as_millisecond() - a.as_millisecond()) as f64 / 1000.0).max(0.0),
        _ => 0.0,
    }
}
