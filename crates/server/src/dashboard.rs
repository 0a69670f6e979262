//! The dashboard (docs/server.md, "The dashboard"): `GET /` is the page of
//! `allot_web::dashboard`, `GET /assets/{name}` its scripts, styles and ECharts with its licence,
//! all from the binary; `GET /plans/{id}/report-data` is the data views 1–8 draw for a stored
//! plan (`allot_web::ReportData`, assembled by `allot_web::assemble` as `allot report` does),
//! with `?risk=JOB` the risk view made from that finished risk job's stored result.
//!
//! The page and its assets hold no data and are the same on every server, so they are served
//! without the bearer token (a browser cannot send a header when it opens a page): [`page_routes`]
//! is merged outside the token check. Every request the page makes for data carries the token.

use std::sync::Arc;

use allot_web::assemble::{Explain, Options, RiskRun};
use allot_web::dashboard;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::problem::{Ids, Problem, QueryOf};
use crate::wire::SettingsJson;

/// How long a browser may keep an asset named by its content's hash: a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /` and `GET /assets/{name}`, served without the token.
pub fn page_routes() -> Router {
    Router::new()
        .route("/", axum::routing::get(page))
        .route("/assets/{name}", axum::routing::get(asset))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                dashboard::CONTENT_SECURITY_POLICY,
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        dashboard::page(),
    )
        .into_response()
}

/// An asset; cached for a year when asked for by its current hash (`?v=HASH`, as the page
/// names it), else revalidated.
async fn asset(Path(name): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(a) = dashboard::asset(&name) else {
        return Problem::not_found(format!(
            "no asset '{name}': the dashboard's page names its assets"
        ))
        .field("name")
        .into_response();
    };
    let current = dashboard::version(a.name).map(|v| format!("v={v}"));
    let cache = if query.is_some() && query == current {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let mut response = a.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// What views 1–8 of the dashboard draw for a stored plan: the report's data (the plan as
/// stored, cost by year stacked three ways, chips and MW per period, commitments, training
/// windows, the financial statement, what binds). Risk is not run here (it re-plans every
/// sample): with `?risk=JOB` the risk view is made from that finished risk job of this plan
/// (`POST /plans/{id}/risk`). What binds is the plan's own explanation (a plan made with
/// `explain`).
#[utoipa::path(get, path = "/plans/{id}/report-data", tag = "plans",
    params(("id" = i64, Path, description = "The plan's job id"), ReportDataQuery),
    responses(
        (status = 200, description = "The report data (allot_web::ReportData, format `allot-report`)", body = Object),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not a plan, or has no plan (yet); or the risk job is not a finished risk run of this plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The risk job's result does not read as allot risk --json", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report_data(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    QueryOf(q): QueryOf<ReportDataQuery>,
) -> Result<Response, Problem> {
    let id = ids[0];
    let store = app.store.clone();
    let json = tokio::task::spawn_blocking(move || data_json(&store, id, q.risk))
        .await
        .map_err(|_| Problem::internal("the report data stopped on an internal error"))??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        json,
    )
        .into_response())
}

/// Which risk run the report data shows.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportDataQuery {
    /// A finished risk job of this plan (`POST /plans/{id}/risk`) whose result the risk view
    /// shows.
    pub risk: Option<i64>,
}

/// The risk view of risk job `risk`, which must be a finished risk run of plan `plan`.
fn stored_risk(
    store: &allot_store::Store,
    plan: i64,
    risk: i64,
) -> Result<allot_web::data::Risk, Problem> {
    let job = store.job(risk)?;
    if job.job.kind != allot_store::JobKind::Risk {
        return Err(Problem::conflict(
            "not-a-risk-job",
            format!(
                "job {risk} is not a risk job (GET /plans?kind=risk lists them; POST /plans/{plan}/risk starts one)"
            ),
        )
        .field("risk"));
    }
    if job.job.base_job_id != Some(plan) {
        let base = job
            .job
            .base_job_id
            .map_or("no plan".to_string(), |b| format!("plan {b}"));
        return Err(Problem::conflict(
            "risk-of-another-plan",
            format!("risk job {risk} is a risk run of {base}, not of plan {plan}"),
        )
        .field("risk"));
    }
    let text = match (job.state, store.job_result(risk)?) {
        (allot_store::JobState::Done, Some(text)) => text,
        (state, _) => {
            return Err(Problem::conflict(
                "risk-not-finished",
                format!(
                    "risk job {risk} is {} and has no result to show",
                    serde_json::to_value(state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            )
            .field("risk"));
        }
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Problem::invalid("risk", format!("risk job {risk}'s result is not JSON: {e}"))
    })?;
    let req: crate::wire::RiskRequestJson =
        serde_json::from_value(job.job.request.clone()).unwrap_or_default();
    let settings = format!(
        "risk job {risk}: seed {}, each sample re-planned {}",
        req.seed,
        match req.replan.as_str() {
            "warm" => "from the plan's basis (warm)",
            "cold" => "from scratch (cold)",
            _ => "as a recourse plan: the plan's placements kept, the rest re-optimised",
        }
    );
    allot_web::data::Risk::from_risk_json(&value, &settings)
        .map_err(|e| Problem::invalid("risk", format!("risk job {risk}: {e}")))
}

fn data_json(store: &allot_store::Store, id: i64, risk: Option<i64>) -> Result<String, Problem> {
    let job = store.job(id)?;
    if job.job.kind != allot_store::JobKind::Plan {
        let kind = serde_json::to_value(job.job.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        return Err(Problem::conflict(
            "not-a-plan",
            format!("job {id} is a {kind} job; its result is not a plan to draw"),
        ));
    }
    let plan = crate::history::stored_plan(store, id)?;
    let risk = risk.map(|r| stored_risk(store, id, r)).transpose()?;
    let version = store.version_by_id(job.job.scenario_version_id)?;
    let loaded = crate::scenarios::load_upload(&version.content.toml, &version.content.files);
    let Some(scenario) = loaded.scenario else {
        return Err(Problem::conflict(
            "scenario-does-not-load",
            format!(
                "the scenario version of job {id} no longer loads with this allot version ({})",
                crate::ALLOT_VERSION
            ),
        ));
    };
    let settings: SettingsJson =
        serde_json::from_value(job.job.settings.clone()).unwrap_or_default();
    let options = Options {
        solve: crate::jobs::solve_settings(&settings),
        explain: Explain::Skip(
            "The plan was made without explain, so nothing is listed; plan it with explain on (settings.explain, as the dashboard's Plan it does) to see what binds."
                .into(),
        ),
        risk: RiskRun::Skip(format!(
            "risk was not run for this plan: Run risk below starts a risk job (POST /plans/{id}/risk); allot report --samples N runs it"
        )),
    };
    let assembled = allot_web::assemble(&scenario, &plan, &options, &mut |_| {});
    let generator = format!("allot {} (allot serve, plan {id})", crate::ALLOT_VERSION);
    let mut data = allot_web::ReportData::new(&assembled.input(&scenario, &plan, &generator));
    if let Some(risk) = risk {
        data.risk = Some(risk);
        data.risk_note = None;
    }
    Ok(allot_web::data_json(&data))
}
