//! `/scenarios`: scenarios created from TOML text and uploaded catalog files, validated with the
//! diagnostics of `allot check`; every edit is a new version, nothing is overwritten.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::App;
use crate::problem::{Ids, Problem, Upload};
use crate::wire::{
    CheckJson, CheckRequestJson, DiagnosticJson, NewScenarioJson, NewVersionJson,
    ScenarioDetailJson, ScenarioJson, VersionJson, VersionSummaryJson,
};

/// The name the scenario text goes by in diagnostics.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// Loads an uploaded scenario: catalog files come from `files` only, by the name the scenario
/// gives them, never from the server's disk.
pub fn load_upload(toml: &str, files: &BTreeMap<String, String>) -> allot_scenario::Loaded {
    let mut read = |relative: &str| -> Result<(String, String), String> {
        let key = relative.trim_start_matches("./");
        match files.get(relative).or_else(|| files.get(key)) {
            Some(text) => Ok((relative.to_string(), text.clone())),
            None => Err(format!(
                "not uploaded with the scenario: add it to the request's `files` as \"{relative}\" (in a form upload, the field files.{relative}); the server reads no files from its disk"
            )),
        }
    };
    allot_scenario::load(SCENARIO_FILE, toml, &mut read)
}

/// Checks a scenario: its diagnostics, and whether it has no error.
fn check(toml: &str, files: &BTreeMap<String, String>) -> (bool, Vec<DiagnosticJson>) {
    let loaded = load_upload(toml, files);
    let diagnostics = loaded
        .diagnostics
        .iter()
        .map(|d| DiagnosticJson::new(d, &loaded.files))
        .collect();
    (loaded.scenario.is_some(), diagnostics)
}

/// Checks off the async workers (building a catalog takes milliseconds).
async fn check_blocking(
    toml: String,
    files: BTreeMap<String, String>,
) -> Result<(bool, Vec<DiagnosticJson>, String, BTreeMap<String, String>), Problem> {
    tokio::task::spawn_blocking(move || {
        let (valid, diagnostics) = check(&toml, &files);
        (valid, diagnostics, toml, files)
    })
    .await
    .map_err(|_| Problem::internal("the scenario check stopped on an internal error"))
}

/// 422 with every diagnostic, naming the first file at fault as the field.
fn invalid(diagnostics: Vec<DiagnosticJson>) -> Problem {
    let errors: Vec<DiagnosticJson> = diagnostics
        .into_iter()
        .filter(|d| d.severity == "error")
        .collect();
    let first = errors.first();
    let field = match first.map(|d| d.file.as_str()) {
        Some(SCENARIO_FILE) | None => "toml".to_string(),
        Some(file) => format!("files.{file}"),
    };
    let detail = match first {
        Some(d) => format!(
            "the scenario has {} error{}; the first: {}:{}:{}: {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            d.file,
            d.line.unwrap_or(0),
            d.column.unwrap_or(0),
            d.message
        ),
        None => "the scenario is not valid".into(),
    };
    let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-scenario", detail);
    p.field = Some(field);
    p.errors = errors;
    p
}

fn new_version(
    toml: String,
    files: BTreeMap<String, String>,
    note: String,
    diagnostics: &[DiagnosticJson],
) -> allot_store::NewVersion {
    allot_store::NewVersion {
        toml,
        files,
        valid: true,
        diagnostics: serde_json::to_value(diagnostics).unwrap_or_default(),
        note,
    }
}

fn created(v: allot_store::Version) -> impl IntoResponse {
    let location = format!("/scenarios/{}/versions/{}", v.scenario_id, v.version);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(VersionJson::new(v)),
    )
}

/// Checks a scenario without storing it.
#[utoipa::path(post, path = "/validate", tag = "scenarios",
    request_body(content((CheckRequestJson = "application/json"), (CheckRequestJson = "multipart/form-data")), description = "JSON, or a form upload: each field by its name, catalog files as fields `files.NAME`"),
    responses(
        (status = 200, description = "The diagnostics (valid or not)", body = CheckJson),
        (status = 400, description = "Malformed JSON or form", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field of the wrong type or unknown", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn validate(Upload(req): Upload<CheckRequestJson>) -> Result<Json<CheckJson>, Problem> {
    let (valid, diagnostics, _, _) = check_blocking(req.toml, req.files).await?;
    Ok(Json(CheckJson { valid, diagnostics }))
}

/// Creates a scenario (its version 1) from TOML text and its catalog files.
#[utoipa::path(post, path = "/scenarios", tag = "scenarios",
    request_body(content((NewScenarioJson = "application/json"), (NewScenarioJson = "multipart/form-data")), description = "JSON, or a form upload: each field by its name, catalog files as fields `files.NAME`"),
    responses(
        (status = 201, description = "Created; Location names the version", body = VersionJson),
        (status = 400, description = "Malformed JSON or form", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A scenario of that name exists", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid scenario: every diagnostic with line and column", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(app): State<Arc<App>>,
    Upload(req): Upload<NewScenarioJson>,
) -> Result<impl IntoResponse, Problem> {
    let name = req.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Problem::invalid(
            "name",
            "give the scenario a name of 1 to 200 characters, without control characters",
        ));
    }
    let (valid, diagnostics, toml, files) = check_blocking(req.toml, req.files).await?;
    if !valid {
        return Err(invalid(diagnostics));
    }
    let v = new_version(toml, files, req.note, &diagnostics);
    let (_, version) = app.store.create_scenario(&name, &v)?;
    Ok(created(version))
}

/// Every scenario, by name.
#[utoipa::path(get, path = "/scenarios", tag = "scenarios",
    responses((status = 200, description = "The scenarios", body = Vec<ScenarioJson>)))]
pub async fn list(State(app): State<Arc<App>>) -> Result<Json<Vec<ScenarioJson>>, Problem> {
    Ok(Json(
        app.store
            .scenarios()?
            .into_iter()
            .map(ScenarioJson::from)
            .collect(),
    ))
}

/// A scenario and its versions.
#[utoipa::path(get, path = "/scenarios/{id}", tag = "scenarios",
    params(("id" = i64, Path, description = "Scenario id")),
    responses(
        (status = 200, description = "The scenario", body = ScenarioDetailJson),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn show(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
) -> Result<Json<ScenarioDetailJson>, Problem> {
    let scenario = app.store.scenario(ids[0])?;
    let versions = app
        .store
        .versions(ids[0])?
        .into_iter()
        .map(|v| VersionSummaryJson {
            version: v.version,
            created_at: v.created_at,
            note: v.content.note,
            warnings: v.content.diagnostics.as_array().map_or(0, Vec::len),
        })
        .collect();
    Ok(Json(ScenarioDetailJson {
        scenario: scenario.into(),
        versions,
    }))
}

/// Adds a version to a scenario (an edit); earlier versions are kept.
#[utoipa::path(post, path = "/scenarios/{id}/versions", tag = "scenarios",
    params(("id" = i64, Path, description = "Scenario id")),
    request_body(content((NewVersionJson = "application/json"), (NewVersionJson = "multipart/form-data")), description = "JSON, or a form upload: each field by its name, catalog files as fields `files.NAME`"),
    responses(
        (status = 201, description = "Created; Location names the version", body = VersionJson),
        (status = 400, description = "Malformed JSON or form, or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid scenario: every diagnostic with line and column", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_version(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
    Upload(req): Upload<NewVersionJson>,
) -> Result<impl IntoResponse, Problem> {
    app.store.scenario(ids[0])?;
    let (valid, diagnostics, toml, files) = check_blocking(req.toml, req.files).await?;
    if !valid {
        return Err(invalid(diagnostics));
    }
    let v = new_version(toml, files, req.note, &diagnostics);
    Ok(created(app.store.add_version(ids[0], &v)?))
}

/// One version of a scenario, with its text and files.
#[utoipa::path(get, path = "/scenarios/{id}/versions/{version}", tag = "scenarios",
    params(("id" = i64, Path, description = "Scenario id"), ("version" = i64, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The version", body = VersionJson),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario or version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn version(
    State(app): State<Arc<App>>,
    Ids(ids): Ids,
) -> Result<Json<VersionJson>, Problem> {
    Ok(Json(VersionJson::new(app.store.version(ids[0], ids[1])?)))
}
