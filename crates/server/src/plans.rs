//! `/plans`: plans as jobs. POST queues a solve of a scenario version and returns at once; GET
//! shows its state and progress; `/result` is the plan JSON, byte for byte what `allot plan
//! --json` prints for that version and settings; `/cancel` stops it, keeping the best plan found.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::problem::{Ids, JsonBody, Problem, QueryOf};
use crate::wire::{JobJson, ListQuery, PlanRequestJson, SettingsJson};

/// Checks settings against the planner's rules and the server's limits, naming the field.
pub fn check_settings(s: &SettingsJson, max_time_limit_s: f64) -> Result<(), Problem> {
    if let Some(e) = crate::jobs::solve_settings(s).problems().into_iter().next() {
        return Err(Problem::invalid(
            &format!("settings.{}", e.setting()),
            format!("{} (got {}); {}", e.rule(), e.value(), e.hint()),
        ));
    }
    if s.time_limit_s > max_time_limit_s {
        return Err(Problem::invalid(
            "settings.time_limit_s",
            format!(
                "the time limit is {} s, over this server's limit of {max_time_limit_s} s per job (allot serve --max-time-limit)",
                s.time_limit_s
            ),
        ));
    }
    if s.method != "lp-first" && s.method != "mip" {
        return Err(Problem::invalid(
            "settings.method",
            format!(
                "method must be \"lp-first\" or \"mip\", got \"{}\"",
                s.method
            ),
        ));
    }
    Ok(())
}

/// Starts a plan of a scenario version.
#[utoipa::path(post, path = "/plans", tag = "plans",
    request_body = PlanRequestJson,
    responses(
        (status = 202, description = "Queued; Location names the job", body = JobJson),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario or version", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A setting out of range", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The queue is full", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(app): State<Arc<App>>,
    JsonBody(req): JsonBody<PlanRequestJson>,
) -> Result<Response, Problem> {
    check_settings(&req.settings, app.config.max_time_limit_s)?;
    let scenario = app
        .store
        .scenario(req.scenario_id)
        .map_err(|e| Problem::from(e).field("scenario_id"))?;
    let number = req.version.unwrap_or(scenario.latest_version);
    let version = app
        .store
        .version(req.scenario_id, number)
        .map_err(|e| Problem::from(e).field("version"))?;
    let job = allot_store::NewJob {
        kind: allot_store::JobKind::Plan,
        scenario_version_id: version.id,
        base_job_id: None,
        request: serde_json::json!({ "scenario_id": req.scenario_id, "version": number }),
        settings: serde_json::to_value(&req.settings).unwrap_or_default(),
        allot_version: crate::ALLOT_VERSION.to_string(),
    };
    app.jobs.accept(&job)
}

/// Plans and question jobs (what-if, why-not, risk), newest first.
#[utoipa::path(get, path = "/plans", tag = "plans",
    params(ListQuery),
    responses(
        (status = 200, description = "The jobs", body = Vec<JobJson>),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<ListQuery>,
) -> Result<Json<Vec<JobJson>>, Problem> {
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(
            serde_json::from_value::<allot_store::JobKind>(serde_json::Value::String(k.into()))
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "kind must be plan, what_if, why_not or risk, got \"{}\"",
                        allot_diag::name::escape_control(k, false)
                    ))
                    .field("kind")
                })?,
        ),
    };
    let filter = allot_store::JobFilter {
        kind,
        scenario_id: q.scenario_id,
        limit: q.limit.unwrap_or(100),
    };
    let jobs = app.store.jobs(&filter)?;
    Ok(Json(jobs.into_iter().map(|j| app.jobs.show(j)).collect()))
}

/// A job: its state, progress while it runs, and how it ended.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobJson),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn show(State(app): State<Arc<App>>, Ids(ids): Ids) -> Result<Json<JobJson>, Problem> {
    Ok(Json(app.jobs.show(app.store.job(ids[0])?)))
}

/// The plan JSON of a finished job, exactly as `allot plan --json` prints it.
#[utoipa::path(get, path = "/plans/{id}/result", tag = "plans",
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, description = "The plan JSON (`allot schema plan`)", body = Object),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has no result (yet)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn result(State(app): State<Arc<App>>, Ids(ids): Ids) -> Result<Response, Problem> {
    let id = ids[0];
    match app.store.job_result(id)? {
        Some(text) => Ok((
            [(header::CONTENT_TYPE, "application/json")],
            format!("{text}\n"),
        )
            .into_response()),
        None => {
            let job = app.jobs.show(app.store.job(id)?);
            Err(Problem::conflict(
                "no-result",
                match job.error {
                    Some(e) => format!("job {id} is {} without a plan: {e}", job.state),
                    None => format!("job {id} is {}; it has no plan yet", job.state),
                },
            ))
        }
    }
}

/// Cancels a queued job, or stops a running one at the solver's next check (the best plan found
/// so far is kept as its result).
#[utoipa::path(post, path = "/plans/{id}/cancel", tag = "plans",
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 202, description = "Cancelled, or stopping", body = JobJson),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has ended", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel(State(app): State<Arc<App>>, Ids(ids): Ids) -> Result<Response, Problem> {
    let job = app.jobs.cancel(ids[0])?;
    Ok((StatusCode::ACCEPTED, Json(app.jobs.show(job))).into_response())
}

/// Two stored plans side by side: what the cost difference is made of and what else moved
/// (the comparison `allot explain` and `allot history diff` use); `id` is the base.
#[utoipa::path(get, path = "/plans/{id}/diff/{other}", tag = "plans",
    params(("id" = i64, Path, description = "The base plan's job id"), ("other" = i64, Path, description = "The plan compared with it")),
    responses(
        (status = 200, description = "The comparison (the shape of `allot explain --json`)", body = Object),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A job has no plan", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn diff(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
) -> Result<Json<serde_json::Value>, Problem> {
    let store = app.store.clone();
    let (base, other) = (ids[0], ids[1]);
    let diff = tokio::task::spawn_blocking(move || {
        crate::history::Diff::new(&store, base, other).map(|d| d.json())
    })
    .await
    .map_err(|_| Problem::internal("the comparison stopped on an internal error"))??;
    Ok(Json(diff))
}
