//! Questions about a stored plan: what binds (`/explain`), its financial statement
//! (`/finance`), the scheduler files as one archive (`/export`), and, as jobs, what-if,
//! why-not and risk. Each answers as the CLI command of the same name does, through the same
//! library functions; the difference is where the base plan comes from: the one stored, not a
//! fresh solve.
//!
//! A what-if re-plan starts from the base plan's solve: the first what-if of a plan solves its
//! scenario once more to keep the relaxation's optimal basis ([`allot_plan::solver::Resolver`]),
//! and every later what-if of that plan with the same settings starts from it (a few kept,
//! the least recently used dropped). A kept base is keyed by the plan and the settings without
//! their deadline, and each job re-plans from it with its own deadline
//! ([`Resolver::with_deadline`]): the deadline of the job that made it has passed by then.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use allot_plan::solver::{Deadline, Resolver};
use allot_plan::{Plan, SolveSettings, SolveStatus, question};
use allot_present::answer::{self, Comparison};
use allot_scenario::Scenario;
use allot_store::{Job, JobKind, JobResult, JobState, NewJob, Store};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::history::{kind_name, stored_plan};
use crate::jobs::failed;
use crate::problem::{Ids, JsonBody, Problem, QueryOf};
use crate::wire::{
    DiagnosticJson, ExplainJson, ExportQuery, FinanceQuery, JobJson, ProgressJson, RiskRequestJson,
    SettingsJson, WhatIfJson, WhyNotJson,
};

/// The most samples a risk job may ask for.
pub const MAX_RISK_SAMPLES: usize = 10_000;

/// How many base plans' solves are kept for what-if warm starts.
const WARM_BASES: usize = 4;

/// The stored plan job `id` and its scenario as loaded: the base of a question.
pub(crate) struct Base {
    pub(crate) job: Job,
    pub(crate) plan: Plan,
    pub(crate) scenario: Scenario,
    toml: String,
    files: BTreeMap<String, String>,
}

impl Base {
    pub(crate) fn read(store: &Store, id: i64) -> Result<Base, Problem> {
        let job = store.job(id)?;
        if job.job.kind != JobKind::Plan {
            return Err(Problem::conflict(
                "not-a-plan",
                format!(
                    "job {id} is a {} job, not a plan: ask questions of a plan job (GET /plans?kind=plan)",
                    kind_name(job.job.kind)
                ),
            ));
        }
        let plan = stored_plan(store, id)?;
        let version = store.version_by_id(job.job.scenario_version_id)?;
        let loaded = crate::scenarios::load_upload(&version.content.toml, &version.content.files);
        let Some(scenario) = loaded.scenario else {
            return Err(Problem::conflict(
                "scenario-no-longer-loads",
                format!(
                    "job {id}'s scenario version no longer loads with allot {}",
                    crate::ALLOT_VERSION
                ),
            ));
        };
        Ok(Base {
            job,
            plan,
            scenario,
            toml: version.content.toml,
            files: version.content.files,
        })
    }

    pub(crate) fn solved(self) -> Result<Base, Problem> {
        if self.plan.status.has_solution() {
            Ok(self)
        } else {
            Err(Problem::conflict(
                "no-solution",
                format!(
                    "plan {} has no solution (its status is {}): there is nothing to ask of it",
                    self.job.id, self.plan.status
                ),
            ))
        }
    }
}

/// A value from a request as shown in a message: control characters escaped.
pub fn shown(value: &str) -> String {
    allot_diag::name::escape_control(value, false).into_owned()
}

/// Runs `f` off the async workers (loading a scenario and reading a plan take milliseconds).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Problem::internal("the request stopped on an internal error"))?
}

/// What binds in a stored plan, with shadow prices and ranges.
#[utoipa::path(get, path = "/plans/{id}/explain", tag = "questions",
    params(("id" = i64, Path, description = "The plan's job id")),
    responses(
        (status = 200, description = "The binding constraints, largest effect first", body = ExplainJson),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, no plan yet, or planned without `settings.explain`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn explain(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
) -> Result<Json<ExplainJson>, Problem> {
    let store = app.store.clone();
    let id = ids[0];
    blocking(move || {
        let job = store.job(id)?;
        let plan = stored_plan(&store, id)?;
        let explained = serde_json::from_value::<SettingsJson>(job.job.settings.clone())
            .map(|s| s.explain)
            .unwrap_or(false);
        if !explained && plan.explanations.is_empty() {
            return Err(Problem::conflict(
                "not-explained",
                format!(
                    "plan {id} was made without explanations: plan it again with \"settings\": {{\"explain\": true}} (POST /plans)"
                ),
            ));
        }
        Ok(ExplainJson {
            job_id: id,
            status: plan.status.to_string(),
            objective_usd: plan.objective_usd,
            bindings: serde_json::to_value(&plan.explanations).unwrap_or_default(),
        })
    })
    .await
    .map(Json)
}

/// The financial statement of a stored plan (`allot finance --json --plan`).
#[utoipa::path(get, path = "/plans/{id}/finance", tag = "questions",
    params(("id" = i64, Path, description = "The plan's job id"), FinanceQuery),
    responses(
        (status = 200, description = "The statement (the shape of `allot finance --json`)", body = Object),
        (status = 400, description = "Bad id or query", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, or a plan without a solution", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn finance(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    QueryOf(q): QueryOf<FinanceQuery>,
) -> Result<Json<serde_json::Value>, Problem> {
    let store = app.store.clone();
    let id = ids[0];
    blocking(move || {
        let base = Base::read(&store, id)?.solved()?;
        let statement = allot_finance::project(&base.scenario, &base.plan)
            .map_err(|e| Problem::conflict("no-statement", format!("plan {id}: {e}")))?;
        let json = allot_present::finance_json::FinanceJson::new(&statement, !q.summary);
        Ok(serde_json::to_value(json).unwrap_or_default())
    })
    .await
    .map(Json)
}

/// The scheduler files of a stored plan (`allot export`) as one tar archive.
#[utoipa::path(get, path = "/plans/{id}/export", tag = "questions",
    params(("id" = i64, Path, description = "The plan's job id"), ExportQuery),
    responses(
        (status = 200, description = "A tar archive of the files `allot export` writes; notes in the `X-Allot-Notes` header", content_type = "application/x-tar", body = Vec<u8>),
        (status = 400, description = "Bad id or query", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, or a plan without a solution", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value the export refuses (period, GRES, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    QueryOf(q): QueryOf<ExportQuery>,
) -> Result<Response, Problem> {
    let store = app.store.clone();
    let id = ids[0];
    let (name, archive, notes) = blocking(move || {
        let Some(target) = allot_export::Target::ALL
            .into_iter()
            .find(|t| t.as_str() == q.to)
        else {
            return Err(Problem::invalid(
                "to",
                format!(
                    "to must be skypilot, kubernetes, kueue or slurm, got \"{}\"",
                    shown(&q.to)
                ),
            ));
        };
        let base = Base::read(&store, id)?.solved()?;
        let mut settings = allot_export::Settings {
            command: q.command.clone(),
            period: q.period.clone(),
            ..allot_export::Settings::default()
        };
        if let Some(image) = &q.image {
            settings.image = image.clone();
        }
        let catalog = &base.scenario.catalog;
        for spec in q.gres.iter().flat_map(|g| g.split(',')).map(str::trim) {
            if spec.is_empty() {
                continue;
            }
            let (chip, gres) = allot_export::Gres::parse_mapping(spec, catalog)
                .map_err(|e| Problem::invalid("gres", format!("{e}; {}", e.hint())))?;
            settings.gres.insert(chip, gres);
        }
        let file = format!("plan {id}");
        let export = allot_export::export(&base.plan, &file, catalog, target, &settings)
            .map_err(|e| Problem::invalid(field_of(&e), format!("{e}; {}", e.hint())))?;
        let archive = tar_of(&export.files)
            .map_err(|e| Problem::internal(format!("writing the archive: {e}")))?;
        Ok((format!("plan-{id}-{}.tar", q.to), archive, export.notes))
    })
    .await?;
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/x-tar".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        archive,
    )
        .into_response();
    // Notes as one header line: control characters (and so line breaks) cannot reach it.
    let joined: String = notes
        .join(" | ")
        .chars()
        .map(|c| {
            if c.is_control() || !c.is_ascii() {
                ' '
            } else {
                c
            }
        })
        .collect();
    if let Ok(value) = header::HeaderValue::from_str(&joined)
        && !joined.is_empty()
    {
        response.headers_mut().insert("x-allot-notes", value);
    }
    Ok(response)
}

/// The query field an export error is about: the period or the GRES asked for; else what was
/// asked to be exported.
fn field_of(e: &allot_export::ExportError) -> &'static str {
    match e {
        allot_export::ExportError::UnknownPeriod { .. } => "period",
        allot_export::ExportError::BadGres { .. } => "gres",
        _ => "to",
    }
}

/// The files as a ustar archive, in order, each with mode 0644 (scripts 0755) and time 0, so
/// that the same plan gives the same bytes.
fn tar_of(files: &[allot_export::File]) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    for file in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(file.contents.len() as u64);
        let script = file.path.ends_with(".sh");
        header.set_mode(if script { 0o755 } else { 0o644 });
        header.set_mtime(0);
        builder.append_data(&mut header, &file.path, file.contents.as_bytes())?;
    }
    builder.into_inner()
}

/// Queues a question job about plan `base` (its scenario version, the plan as base).
fn submit(
    app: &App,
    kind: JobKind,
    base: &Job,
    request: serde_json::Value,
    settings: serde_json::Value,
) -> Result<Response, Problem> {
    app.jobs.accept(&NewJob {
        kind,
        scenario_version_id: base.job.scenario_version_id,
        base_job_id: Some(base.id),
        request,
        settings,
        allot_version: crate::ALLOT_VERSION.to_string(),
    })
}

/// The scenario of `base` with `changes` applied, or the problem naming what is wrong.
fn changed_scenario(base: &Base, changes: &[String]) -> Result<question::Posed, Problem> {
    if changes.is_empty() {
        return Err(Problem::invalid(
            "changes",
            "give at least one change, KEY=VALUE (e.g. policy.vendor_cap[nvidia].max_share=0.5)",
        ));
    }
    let edited = question::what_if_text(&base.toml, changes)
        .map_err(|e| Problem::invalid("changes", e.to_string()))?;
    let loaded = crate::scenarios::load_upload(&edited.text, &base.files);
    let Some(changed) = loaded.scenario else {
        let errors: Vec<DiagnosticJson> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| DiagnosticJson::new(d, &loaded.files))
            .collect();
        let mut problem = Problem::invalid(
            "changes",
            format!(
                "the scenario with {} is not valid{}",
                edited.changes.join(", "),
                if edited.in_place {
                    " (diagnostics at the stored version's lines)"
                } else {
                    " (diagnostics at the lines of the rewritten text)"
                }
            ),
        );
        problem.errors = errors;
        return Err(problem);
    };
    Ok(question::what_if(changes, &edited.changes, changed))
}

/// Re-plans a stored plan's scenario with values changed, from the plan's solve, and compares
/// the two plans (`allot explain --what-if`); a job.
#[utoipa::path(post, path = "/plans/{id}/what-if", tag = "questions",
    params(("id" = i64, Path, description = "The base plan's job id")),
    request_body = WhatIfJson,
    responses(
        (status = 202, description = "Queued; its result is the comparison, the shape of `allot explain --json`", body = JobJson),
        (status = 400, description = "Bad id or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, or a plan without a solution", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A change that does not apply or leaves the scenario invalid (with its diagnostics), or a setting out of range", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The queue is full", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn what_if(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    JsonBody(req): JsonBody<WhatIfJson>,
) -> Result<Response, Problem> {
    crate::plans::check_settings(&req.settings, app.config.max_time_limit_s)?;
    let store = app.store.clone();
    let id = ids[0];
    let changes = req.changes.clone();
    let base = blocking(move || {
        let base = Base::read(&store, id)?.solved()?;
        changed_scenario(&base, &changes)?;
        Ok(base.job)
    })
    .await?;
    submit(
        &app,
        JobKind::WhatIf,
        &base,
        serde_json::json!({ "changes": req.changes }),
        serde_json::to_value(&req.settings).unwrap_or_default(),
    )
}

/// Re-plans a stored plan's scenario with one choice forced and compares the two plans
/// (`allot explain --why-not`); a job.
#[utoipa::path(post, path = "/plans/{id}/why-not", tag = "questions",
    params(("id" = i64, Path, description = "The base plan's job id")),
    request_body = WhyNotJson,
    responses(
        (status = 202, description = "Queued; its result is the comparison, the shape of `allot explain --json`", body = JobJson),
        (status = 400, description = "Bad id or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan, or a plan without a solution", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A choice that does not read or names nothing in the scenario, or a setting out of range", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The queue is full", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn why_not(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    JsonBody(req): JsonBody<WhyNotJson>,
) -> Result<Response, Problem> {
    crate::plans::check_settings(&req.settings, app.config.max_time_limit_s)?;
    let store = app.store.clone();
    let id = ids[0];
    let choice = req.choice.clone();
    let base = blocking(move || {
        let base = Base::read(&store, id)?.solved()?;
        question::why_not(&choice, &base.scenario)
            .map_err(|e| Problem::invalid("choice", e.to_string()))?;
        Ok(base.job)
    })
    .await?;
    submit(
        &app,
        JobKind::WhyNot,
        &base,
        serde_json::json!({ "choice": req.choice }),
        serde_json::to_value(&req.settings).unwrap_or_default(),
    )
}

/// Samples the stored plan's scenario's uncertain inputs and re-plans every sample
/// (`allot risk`); a job with progress, whose result is the shape of `allot risk --json`.
#[utoipa::path(post, path = "/plans/{id}/risk", tag = "questions",
    params(("id" = i64, Path, description = "The base plan's job id")),
    request_body = RiskRequestJson,
    responses(
        (status = 202, description = "Queued; its result is the shape of `allot risk --json`", body = JobJson),
        (status = 400, description = "Bad id or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value out of range, or a scenario without [[uncertainty]]", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The queue is full", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn risk(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    JsonBody(req): JsonBody<RiskRequestJson>,
) -> Result<Response, Problem> {
    if req.samples == 0 || req.samples > MAX_RISK_SAMPLES {
        return Err(Problem::invalid(
            "samples",
            format!(
                "samples must be from 1 to {MAX_RISK_SAMPLES}, got {}",
                req.samples
            ),
        ));
    }
    if allot_plan::replan::Method::parse(&req.replan).is_none() {
        return Err(Problem::invalid(
            "replan",
            format!(
                "replan must be \"fixed\", \"warm\" or \"cold\", got \"{}\"",
                shown(&req.replan)
            ),
        ));
    }
    let settings = SettingsJson {
        time_limit_s: req.time_limit_s,
        mip_gap: req.mip_gap,
        ..SettingsJson::default()
    };
    crate::plans::check_settings(&settings, app.config.max_time_limit_s).map_err(|mut p| {
        // The risk request has its solver settings at the top level.
        p.field = p
            .field
            .map(|f| f.trim_start_matches("settings.").to_string());
        p
    })?;
    let store = app.store.clone();
    let id = ids[0];
    let base = blocking(move || {
        let base = Base::read(&store, id)?;
        if base.scenario.file.uncertainty.is_empty() {
            return Err(Problem::invalid(
                "scenario",
                format!(
                    "plan {id}'s scenario has no [[uncertainty]] entries to sample (docs/finance.md shows how to write them)"
                ),
            ));
        }
        Ok(base.job)
    })
    .await?;
    submit(
        &app,
        JobKind::Risk,
        &base,
        serde_json::to_value(&req).unwrap_or_default(),
        serde_json::to_value(&settings).unwrap_or_default(),
    )
}

/// The base plans' solves kept for what-if warm starts, most recently used last.
#[derive(Default)]
pub struct WarmBases {
    kept: Mutex<Vec<(WarmKey, Resolver)>>,
}

/// A base plan and the settings its solve was made with, without their deadline.
type WarmKey = (i64, String);

impl WarmBases {
    /// The solve of plan `id`'s `scenario` with `settings`, made now when it is not kept, its solves drawing
    /// from `settings.deadline` (the asking job's) whichever job made it. A solve that kept no
    /// base (stopped by the job's time limit, say) is not kept.
    fn get(&self, id: i64, scenario: &Scenario, settings: &SolveSettings) -> Resolver {
        let undated = SolveSettings {
            deadline: Deadline::NONE,
            ..settings.clone()
        };
        let key = (id, format!("{undated:?}"));
        let lock = || self.kept.lock().unwrap_or_else(|p| p.into_inner());
        {
            let mut kept = lock();
            if let Some(i) = kept.iter().position(|(k, _)| *k == key) {
                let entry = kept.remove(i);
                let resolver = entry.1.with_deadline(settings.deadline);
                kept.push(entry);
                return resolver;
            }
        }
        let mut resolver = Resolver::new(settings);
        allot_plan::plan_base(scenario, &mut resolver);
        if resolver.has_base() {
            let mut kept = lock();
            kept.push((key, resolver.clone()));
            if kept.len() > WARM_BASES {
                kept.remove(0);
            }
        }
        resolver
    }

    /// How many base solves are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// What a question job's worker needs besides the job.
pub struct Context<'a> {
    /// The database.
    pub store: &'a Store,
    /// The kept base solves.
    pub warm: &'a WarmBases,
    /// Set when the job is cancelled.
    pub stop: &'a Arc<AtomicBool>,
    /// Reports the job's progress.
    pub progress: &'a (dyn Fn(ProgressJson) + Sync),
    /// When the job started running: its time limit counts from here.
    pub started: Instant,
}

/// Runs question job `job` (what-if, why-not or risk) and says how it ended.
pub fn run(job: &Job, cx: &Context<'_>) -> JobResult {
    let t0 = cx.started;
    let Some(base_id) = job.job.base_job_id else {
        return failed("the job names no base plan");
    };
    let base = match Base::read(cx.store, base_id) {
        Ok(b) => b,
        Err(p) => return failed(&p.detail),
    };
    let settings: SettingsJson = match serde_json::from_value(job.job.settings.clone()) {
        Ok(s) => s,
        Err(e) => return failed(&format!("stored settings: {e}")),
    };
    let solve = crate::jobs::job_settings(&settings, cx.started);
    let outcome = match job.job.kind {
        JobKind::WhatIf | JobKind::WhyNot => compare(job, &base, &solve, cx, t0),
        JobKind::Risk => risk_run(job, &base, &solve, cx),
        JobKind::Plan => Err("a plan job is not a question".to_string()),
    };
    match outcome {
        Ok(mut result) => {
            result.timings = serde_json::json!({ "total_s": t0.elapsed().as_secs_f64() });
            result
        }
        Err(message) => failed(&message),
    }
}

/// A what-if or why-not: the changed plan beside the stored one.
fn compare(
    job: &Job,
    base: &Base,
    solve: &SolveSettings,
    cx: &Context<'_>,
    t0: Instant,
) -> Result<JobResult, String> {
    let request = &job.job.request;
    let text = |key: &str| {
        request
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let (posed, changed, warm_start) = if job.job.kind == JobKind::WhyNot {
        let choice = text("choice").ok_or("the stored request has no choice")?;
        let posed = question::why_not(&choice, &base.scenario).map_err(|e| e.to_string())?;
        // A forced choice is solved from the base plan's own solve, as `allot explain` does.
        let answer = question::answer(&base.scenario, &posed, solve).map_err(|e| e.to_string())?;
        (posed, answer.changed, answer.warm_start)
    } else {
        let changes: Vec<String> = request
            .get("changes")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .ok_or("the stored request has no changes")?;
        let posed = changed_scenario(base, &changes).map_err(|p| p.detail)?;
        let resolver = cx.warm.get(base.job.id, &base.scenario, solve);
        let mut changed = allot_plan::plan_warm(&posed.scenario, &resolver).plan;
        // As `question::answer` does for a why-not.
        if changed.status == SolveStatus::Infeasible && changed.relaxations.is_empty() {
            changed.relaxations = allot_plan::elastic::diagnose(&posed.scenario, solve);
        }
        (posed, changed, true)
    };
    if cx.stop.load(Ordering::SeqCst) {
        return Err("cancelled".into());
    }
    let comparison = Comparison {
        question: &posed.question,
        kind: posed.kind.as_str(),
        change: &posed.change,
        focus: posed.focus.as_deref(),
        imposed: posed.imposed.as_ref().map(|(k, s)| (*k, s.as_str())),
        notes: &posed.notes,
        base: &base.plan,
        changed: &changed,
        warm_start,
    };
    let json = answer::to_json(&comparison, t0.elapsed().as_secs_f64());
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    Ok(JobResult {
        state: JobState::Done,
        status: Some(changed.status.to_string()),
        objective_usd: changed
            .status
            .has_solution()
            .then_some(changed.objective_usd),
        result: Some(text),
        error: None,
        timings: serde_json::Value::Null,
    })
}

/// A risk run of the base plan's scenario, on this worker's thread.
fn risk_run(
    job: &Job,
    base: &Base,
    solve: &SolveSettings,
    cx: &Context<'_>,
) -> Result<JobResult, String> {
    let req: RiskRequestJson =
        serde_json::from_value(job.job.request.clone()).map_err(|e| e.to_string())?;
    let method = allot_plan::replan::Method::parse(&req.replan).unwrap_or_default();
    let stress = match method {
        allot_plan::replan::Method::Fixed => {
            allot_finance::stress_scenarios(&base.scenario).map_err(|e| e.to_string())?
        }
        _ => Vec::new(),
    };
    let inner = allot_plan::replan::replanner(method, &base.scenario, solve, &stress, 1)
        .map_err(|e| e.to_string())?;
    // Samples are planned on the risk engine's own thread, where the job's stop flag is not
    // seen: each sample listens to it, so that a cancel stops the sample being solved; every
    // later sample is answered with that stopped plan at once (the run's result is dropped).
    let stop = cx.stop.clone();
    let stopped: Mutex<Option<Plan>> = Mutex::new(None);
    let replan = move |s: &Scenario| {
        if stop.load(Ordering::SeqCst)
            && let Some(plan) = stopped.lock().unwrap_or_else(|p| p.into_inner()).clone()
        {
            return plan;
        }
        let _listening = allot_plan::progress::listen(stop.clone(), |_| {});
        let plan = inner(s);
        if stop.load(Ordering::SeqCst) {
            *stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(plan.clone());
        }
        plan
    };
    let started = Instant::now();
    let progress = |done: usize, total: usize| {
        (cx.progress)(ProgressJson::risk(
            done,
            total,
            started.elapsed().as_secs_f64(),
        ));
    };
    let settings = allot_finance::RiskSettings {
        samples: req.samples,
        seed: req.seed,
        threads: 1,
        swing: req.swing,
    };
    let report = allot_finance::run_risk(&base.scenario, &replan, &settings, &progress)
        .map_err(|e| e.to_string())?;
    if cx.stop.load(Ordering::SeqCst) {
        return Err("cancelled".into());
    }
    let name = &base.scenario.file.scenario.name;
    let json = allot_present::risk::to_json(name, req.seed, &report);
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    Ok(JobResult {
        state: JobState::Done,
        status: Some(base.plan.status.to_string()),
        objective_usd: None,
        result: Some(text),
        error: None,
        timings: serde_json::Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::SettingsJson;

    /// A kept what-if base is shared by jobs with the same settings, each re-planning with its
    /// own deadline: not the deadline of the job that made it, long passed by then.
    #[test]
    fn a_kept_base_plans_with_the_asking_jobs_deadline() {
        let toml = include_str!("../../../examples/startup.toml");
        let scenario = crate::scenarios::load_upload(toml, &BTreeMap::new())
            .scenario
            .expect("the example loads");
        let warm = WarmBases::default();
        let with = |deadline| SolveSettings {
            deadline,
            ..crate::jobs::solve_settings(&SettingsJson::default())
        };
        let first_job = Deadline::after(3.0);
        let made = warm.get(7, &scenario, &with(first_job));
        assert!(made.has_base());
        assert_eq!(warm.len(), 1);
        std::thread::sleep(std::time::Duration::from_secs_f64(
            first_job.seconds_left() + 0.05,
        ));
        assert!(first_job.passed());
        // A later job, after the first one's deadline: the kept base, with its deadline.
        let next = warm.get(7, &scenario, &with(Deadline::after(60.0)));
        assert_eq!(warm.len(), 1, "made again rather than kept");
        let plan = allot_plan::plan_warm(&scenario, &next).plan;
        assert!(
            plan.status.has_solution(),
            "{}: {}",
            plan.status,
            plan.status_message
        );
        // And a job whose own deadline has passed plans nothing from it.
        let late = warm.get(7, &scenario, &with(Deadline::after(0.0)));
        let plan = allot_plan::plan_warm(&scenario, &late).plan;
        assert_eq!(plan.status, SolveStatus::TimeLimitNoSolution);
        assert_eq!(warm.len(), 1);
    }
}
