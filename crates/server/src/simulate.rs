//! `POST /plans/{id}/simulate`: a stored plan's training runs simulated job by job on its fleet
//! (`allot simulate`, docs/simulate.md), answered at once with what `allot simulate --json`
//! writes. The options are the command's flags, read by the same
//! `allot_sim::plan_check::Options` and simulated by the same `check`; this module only bounds
//! the work and turns errors into problem documents naming the field.
//!
//! Answered in the request, not as a job: its result is not kept and it has no progress to
//! report. Measured in a debug build on the examples' plans: 10,000 jobs under `fifo`
//! 0.08–0.11 s; 1,000 jobs arriving at 1 an hour under `gavel` 0.8–1.0 s, under `finish-time`
//! 3.5–3.8 s. The round-based policies solve an LP over the waiting jobs every round, so many
//! jobs at once on a small fleet cost far more: 1,000 at once on 64 H100, `finish-time`, 6.8 s;
//! on 32 chips of four types, `gavel` 27 s and `finish-time` 82 s (see docs/server.md). Hence
//! the bounds on jobs, at most [`MAX_RUNNING`] at once, off the async workers (another is
//! refused with 429), and a time limit on each (`time_limit_s`, [`TIME_LIMIT_S`] by default, at
//! most [`MAX_TIME_LIMIT_S`]): the simulator stops between events and within an allocation LP
//! once it is spent, the request is answered 422 saying where it stopped, and its place is
//! free again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use allot_sim::plan_check::{Check, CheckError, Checked};
use allot_sim::{Policy, Stopped};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::App;
use crate::problem::{Ids, JsonBody, Problem};
use crate::questions::{Base, blocking, shown};
use crate::wire::{DiagnosticJson, SimulateJson};

/// The most jobs besides the plan's runs (generated, or lines of a trace) under `fifo` and
/// `least-cost`.
pub const MAX_JOBS: usize = 10_000;

/// The most jobs besides the plan's runs under the round-based policies (`max-min`, `gavel`,
/// `finish-time`), which solve an LP per round.
pub const MAX_JOBS_IN_ROUNDS: usize = 1_000;

/// Simulations that may run at once.
pub const MAX_RUNNING: usize = 2;

/// A simulation's time limit when the request gives none, seconds.
pub const TIME_LIMIT_S: f64 = 30.0;

/// The longest time limit a request may ask for, seconds: with [`MAX_RUNNING`] places, the
/// longest a place can be held (beyond it by how long the simulator takes to notice:
/// BENCHMARKS.md).
pub const MAX_TIME_LIMIT_S: f64 = 60.0;

static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// A place among the simulations running, given back when dropped.
struct Running;

impl Running {
    fn take() -> Result<Running, Problem> {
        RUNNING
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_RUNNING).then_some(n + 1)
            })
            .map(|_| Running)
            .map_err(|_| {
                Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "simulations-busy",
                    format!(
                        "{MAX_RUNNING} simulations are running, the most this server runs at once; try again when one has answered"
                    ),
                )
            })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Simulates a stored plan's training runs on its fleet (one period's chips less its serving,
/// or given chips) beside generated or uploaded work, and says which runs miss their deadline
/// under queueing (`allot simulate --json`).
#[utoipa::path(post, path = "/plans/{id}/simulate", tag = "questions",
    params(("id" = i64, Path, description = "The plan's job id")),
    request_body = SimulateJson,
    responses(
        (status = 200, description = "What `allot simulate --json` writes for these options: the fleet's pools, each training run's arrival, start, finish and deadline in hours (`missed`), runs that cannot run, `metrics` of every job and `trace_metrics` of the other work (JCT, makespan, utilisation, cost), and the `timeline` of queue length and utilisation per pool", body = Object),
        (status = 400, description = "Bad id or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, or a plan without a solution", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An option that is wrong (the field named, with a hint; a trace's problems with their line), more jobs than the server simulates at once, a `time_limit_s` over the server's 60 s, nothing to simulate, or a simulation its time limit stopped (type `/problems/simulation-time-limit`, field `time_limit_s`: the simulated time reached and the jobs finished by then; no partial result)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many simulations running", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn simulate(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    JsonBody(req): JsonBody<SimulateJson>,
) -> Result<Json<Box<Check>>, Problem> {
    bound(&req)?;
    let running = Running::take()?;
    let store = app.store.clone();
    let id = ids[0];
    blocking(move || {
        let _running = running;
        let base = Base::read(&store, id)?.solved()?;
        match req.options().check(&base.plan, &base.scenario) {
            Ok(Checked::Complete(check)) => Ok(check),
            Ok(Checked::Stopped(stopped)) => Err(stopped_problem(&stopped)),
            Err(e) => Err(problem(e, &req)),
        }
    })
    .await
    .map(Json)
}

/// 422 for a simulation its time limit stopped: a request that asks for more work than its
/// limit allows (a retry of the same request stops again, so not 503 or 429, which invite one).
fn stopped_problem(stopped: &Stopped) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "simulation-time-limit",
        format!(
            "{stopped}; no partial result is given. Ask for fewer jobs, a lower rate, more chips, or fifo or least-cost (which solve no LP), or a longer time_limit_s (at most {MAX_TIME_LIMIT_S} s here); allot simulate on the command line takes --time-limit inf"
        ),
    )
    .field("time_limit_s")
}

/// Refuses more work than a request may take, before anything is read.
fn bound(req: &SimulateJson) -> Result<(), Problem> {
    let rounds = Policy::ALL
        .into_iter()
        .find(|p| p.name() == req.policy)
        .is_some_and(Policy::in_rounds);
    let (max, which) = if rounds {
        (
            MAX_JOBS_IN_ROUNDS,
            "the round-based policies (max-min, gavel, finish-time)",
        )
    } else {
        (MAX_JOBS, "fifo and least-cost")
    };
    let limit = req.time_limit_s;
    if let Err(e) = allot_plan::check_time_limit(limit) {
        return Err(Problem::invalid(
            "time_limit_s",
            format!(
                "{} (got {}); the default is {TIME_LIMIT_S} s, at most {MAX_TIME_LIMIT_S} s",
                e.rule(),
                e.value()
            ),
        ));
    }
    if limit > MAX_TIME_LIMIT_S {
        return Err(Problem::invalid(
            "time_limit_s",
            format!(
                "a time limit of {limit} s is more than this server gives a simulation, {MAX_TIME_LIMIT_S} s; allot simulate on the command line takes any --time-limit"
            ),
        ));
    }
    let hint = "allot simulate on the command line has no such limit";
    if let Some(n) = req.generate.filter(|n| *n > max) {
        return Err(Problem::invalid(
            "generate",
            format!("{n} jobs are more than this server simulates under {which}, {max}; {hint}"),
        ));
    }
    if let Some(lines) = req.trace.as_ref().map(|t| t.lines().count())
        && lines > max + 1
    {
        return Err(Problem::invalid(
            "trace",
            format!(
                "the trace has {lines} lines, more than this server simulates under {which}: a header and {max} jobs; {hint}"
            ),
        ));
    }
    Ok(())
}

/// The request fields, as the command's flags name them in messages (flag, field).
const FIELDS: [(&str, &str); 9] = [
    ("--period", "period"),
    ("--chips", "chips"),
    ("--trace", "trace"),
    ("--generate", "generate"),
    ("--rate", "rate"),
    ("--seed", "seed"),
    ("--policy", "policy"),
    ("--throughput", "throughput"),
    ("--time-limit", "time_limit_s"),
];

/// A message of the command with its flags (`--chips`) named as the request's fields (`chips`).
fn unflag(text: &str) -> String {
    FIELDS
        .iter()
        .fold(text.to_string(), |t, (flag, field)| t.replace(flag, field))
}

/// The problem document of a simulation that cannot run, naming the field at fault.
fn problem(e: CheckError, req: &SimulateJson) -> Problem {
    // The field other work came from, for errors about the work as a whole.
    let work = if req.trace.is_some() {
        "trace"
    } else {
        "generate"
    };
    match e {
        CheckError::Input {
            what,
            message,
            hint,
        } => {
            // `what` is a flag (`--chips`), or a file named after its field (`throughput`).
            let field = FIELDS
                .iter()
                .find(|(flag, field)| *flag == what || *field == what)
                .map_or(work, |(_, field)| field);
            Problem::invalid(field, format!("{}; {}", unflag(&message), unflag(&hint)))
        }
        CheckError::Trace(t) => {
            let column = t
                .field
                .as_deref()
                .map(|f| format!(", field {f}"))
                .unwrap_or_default();
            let mut p = Problem::invalid(
                &t.file,
                format!(
                    "{} line {}{column}: {}; {}",
                    t.file, t.line, t.message, t.hint
                ),
            );
            p.errors = vec![DiagnosticJson {
                file: t.file.clone(),
                line: usize::try_from(t.line).ok().filter(|l| *l > 0),
                column: None,
                severity: "error".into(),
                message: match &t.field {
                    Some(f) => format!("field {f}: {}", t.message),
                    None => t.message.clone(),
                },
                hints: vec![t.hint],
            }];
            p
        }
        CheckError::Sim(e) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot-simulate",
            shown(&e.to_string()),
        )
        .field(work),
    }
}
