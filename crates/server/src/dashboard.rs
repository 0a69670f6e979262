//! The dashboard (docs/server.md, "The dashboard"): `GET /` is the page of
//! `allot_web::dashboard`, `GET /assets/{name}` its scripts, styles and ECharts with its licence,
//! all from the binary; `GET /plans/{id}/report-data` is the data views 1–8 draw for a stored
//! plan (`allot_web::ReportData`, assembled by `allot_web::assemble` as `allot report` does).
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
use crate::problem::{Ids, Problem};
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
/// sample), and what binds is the plan's own explanation (a plan made with `explain`).
#[utoipa::path(get, path = "/plans/{id}/report-data", tag = "plans",
    params(("id" = i64, Path, description = "The plan's job id")),
    responses(
        (status = 200, description = "The report data (allot_web::ReportData, format `allot-report`)", body = Object),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not a plan, or has no plan (yet)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report_data(State(app): State<Arc<App>>, Ids(ids): Ids) -> Result<Response, Problem> {
    let id = ids[0];
    let store = app.store.clone();
    let json = tokio::task::spawn_blocking(move || data_json(&store, id))
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

fn data_json(store: &allot_store::Store, id: i64) -> Result<String, Problem> {
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
        risk: RiskRun::Skip(
            "risk is not run by the dashboard (it re-plans every sample); allot report --samples N runs it"
                .into(),
        ),
    };
    let assembled = allot_web::assemble(&scenario, &plan, &options, &mut |_| {});
    let generator = format!("allot {} (allot serve, plan {id})", crate::ALLOT_VERSION);
    let data = allot_web::ReportData::new(&assembled.input(&scenario, &plan, &generator));
    Ok(allot_web::data_json(&data))
}
