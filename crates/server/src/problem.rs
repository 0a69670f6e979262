//! Errors as RFC 9457 problem documents (`application/problem+json`): every 4xx names what was
//! wrong (`field`, a JSON path in the request body or a path or query parameter) and, for a
//! scenario, every diagnostic with its file, line and column. Also the request extractors that
//! turn a bad body or parameter into such a document instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::wire::DiagnosticJson;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` or `/problems/NAME`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, and how to fix it.
    pub detail: String,
    /// The request field at fault: a JSON path in the body (`settings.time_limit_s`), or a path
    /// or query parameter (`id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found in a scenario and its files, with line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<DiagnosticJson>,
}

impl Problem {
    /// A problem of `status` with a kind named `name` (the last segment of its `type`).
    pub fn new(status: StatusCode, name: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{name}"),
            title: status.canonical_reason().unwrap_or("error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            errors: Vec::new(),
        }
    }

    /// The same problem, naming the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// 400: a request that cannot be read.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 422: a request that reads but asks for something invalid.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-value", detail).field(field)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// 409: the resource is not in a state that allows this.
    pub fn conflict(name: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, name, detail)
    }

    /// 500: the store failed (a disk error, a damaged row); never for bad input.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<allot_store::StoreError> for Problem {
    fn from(e: allot_store::StoreError) -> Problem {
        match e {
            allot_store::StoreError::NotFound(what) => {
                Problem::not_found(format!("{what} not found"))
            }
            allot_store::StoreError::Exists(name) => Problem::conflict(
                "exists",
                format!(
                    "a scenario named '{name}' exists already; add a version to it with POST /scenarios/{{id}}/versions"
                ),
            )
            .field("name"),
            e => Problem::internal(e.to_string()),
        }
    }
}

/// A JSON request body, read with serde; a body that does not read is a problem document naming
/// the field (its JSON path) and the line and column.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&media_type(&req)) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the request body must be JSON: send Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                let status = e.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    Problem::bad_request(format!("cannot read the request body: {e}"))
                }
            })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize::<_, T>(&mut de)
            .map(JsonBody)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let detail = format!(
                    "{inner} (line {} column {} of the body)",
                    inner.line(),
                    inner.column()
                );
                let problem = if inner.is_data() {
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-body", detail)
                } else {
                    Problem::new(StatusCode::BAD_REQUEST, "malformed-json", detail)
                };
                if path == "." {
                    problem
                } else {
                    problem.field(path)
                }
            })
    }
}

/// The request's media type, lowercased, without parameters (empty without a Content-Type).
fn media_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// Whether a media type is JSON: `application/json` or a `+json` type.
fn is_json(mime: &str) -> bool {
    mime == "application/json" || mime.ends_with("+json")
}

/// A body that is JSON (as [`JsonBody`]) or a `multipart/form-data` upload, for requests that
/// carry files: each form field is the JSON field of its name, its text the value, and a field
/// named `files.NAME` is the file `NAME` of the `files` object (`curl -F toml=@scenario.toml -F
/// 'files.catalog.toml=@catalog.toml'`). An unknown field, a field given twice or a file that
/// is not UTF-8 is a 422 naming it.
pub struct Upload<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Upload<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mime = media_type(&req);
        let form = mime == "multipart/form-data";
        if !form && !is_json(&mime) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the request body must be JSON (Content-Type: application/json) or a form upload (multipart/form-data, e.g. curl -F toml=@scenario.toml)",
            ));
        }
        if !form {
            return JsonBody::<T>::from_request(req, state)
                .await
                .map(|JsonBody(v)| Upload(v));
        }
        let failed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Problem::bad_request(format!("cannot read the form: {}", e.body_text()))
            }
        };
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| {
                Problem::bad_request(format!("cannot read the form: {}", e.body_text()))
            })?;
        let mut object = serde_json::Map::new();
        let mut files = serde_json::Map::new();
        while let Some(field) = multipart.next_field().await.map_err(failed)? {
            let name = field.name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(failed)?;
            let shown = crate::questions::shown(&name);
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-body",
                    format!("form field {shown} is not UTF-8 text"),
                )
                .field(shown.clone())
            })?;
            let (map, key) = match name.strip_prefix("files.") {
                Some(file) if !file.is_empty() => (&mut files, file.to_string()),
                _ => (&mut object, name.clone()),
            };
            if map.insert(key, serde_json::Value::String(text)).is_some() {
                return Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-body",
                    format!("form field {shown} is given twice"),
                )
                .field(shown));
            }
        }
        if !files.is_empty() {
            object.insert("files".into(), serde_json::Value::Object(files));
        }
        serde_path_to_error::deserialize::<_, T>(serde_json::Value::Object(object))
            .map(Upload)
            .map_err(|e| {
                let path = e.path().to_string();
                let problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-body",
                    format!("form: {}", e.into_inner()),
                );
                if path == "." {
                    problem
                } else {
                    problem.field(path)
                }
            })
    }
}

/// 413: the body is over `--max-body`.
fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        format!(
            "the request body is larger than the server's limit of {} bytes (allot serve --max-body)",
            crate::limit_bytes()
        ),
    )
}

/// The numeric path parameters of a route (`/plans/{id}`), in order; a parameter that is not a
/// positive whole number is a 400 naming it.
pub struct Ids(pub Vec<i64>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        let mut ids = Vec::new();
        for (name, value) in params.iter() {
            match value.parse::<i64>() {
                Ok(id) if id > 0 => ids.push(id),
                _ => {
                    return Err(Problem::bad_request(format!(
                        "path parameter {name} must be a positive whole number, got '{value}'"
                    ))
                    .field(name));
                }
            }
        }
        Ok(Ids(ids))
    }
}

/// Query parameters read with serde; a bad one is a 400 naming it.
pub struct QueryOf<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryOf<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryOf(v)),
            Err(e) => {
                let text = e.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                let field = detail.split_once(':').map(|(f, _)| f.trim().to_string());
                let problem = Problem::bad_request(format!("query string: {detail}"));
                Err(match field {
                    Some(f) if !f.contains(' ') => problem.field(f),
                    _ => problem,
                })
            }
        }
    }
}
