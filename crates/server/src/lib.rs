//! `allot serve`: the planner over HTTP (docs/server.md). One module per API resource
//! ([`scenarios`], [`plans`]), thin over the library crates: scenarios are loaded by
//! `allot-scenario`, planned by `allot-plan`, written by `allot-present` and kept by
//! `allot-store`; this crate owns only HTTP, the job queue ([`jobs`]) and the wire types
//! ([`wire`]). The OpenAPI 3.1 document is generated from the handlers' annotations (utoipa) and
//! served at `/openapi.json`. Every error is an RFC 9457 problem document ([`problem`]).
//!
//! Safety: it listens on loopback unless given a token; with a token every request must carry
//! it (`Authorization: Bearer TOKEN`).

// A `Problem` is the one error of a request, built once and returned to the client at once;
// boxing it would only move it to the heap.
#![allow(clippy::result_large_err)]

pub mod dashboard;
pub mod history;
pub mod jobs;
pub mod plans;
pub mod problem;
pub mod questions;
pub mod scenarios;
pub mod simulate;
pub mod wire;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use allot_store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;

/// The allot version recorded with every job.
pub const ALLOT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file (created on first start).
    pub db: PathBuf,
    /// Where to listen, `HOST:PORT` (port 0: any free port).
    pub addr: String,
    /// The bearer token every request must carry; required to listen beyond loopback.
    pub token: Option<String>,
    /// Solver worker threads (0: one per core).
    pub workers: usize,
    /// Jobs that may wait for a worker; beyond, a new job is refused with 429.
    pub queue: usize,
    /// The longest solver time limit a job may ask for, seconds.
    pub max_time_limit_s: f64,
    /// The largest request body, bytes.
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: PathBuf::from("allot.db"),
            addr: "127.0.0.1:8080".into(),
            token: None,
            workers: 0,
            queue: 64,
            max_time_limit_s: 600.0,
            max_body_bytes: 16 << 20,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address does not resolve.
    #[error("--addr {addr}: {message}")]
    Addr {
        /// The address given.
        addr: String,
        /// Why.
        message: String,
    },
    /// A non-loopback address without a token.
    #[error(
        "--addr {addr} is reachable from other machines; give --token TOKEN so that every request must carry it, or listen on 127.0.0.1"
    )]
    NotLoopback {
        /// The address given.
        addr: String,
    },
    /// The database cannot be opened.
    #[error(transparent)]
    Store(#[from] allot_store::StoreError),
    /// Listening or serving failed.
    #[error("{addr}: {source}")]
    Io {
        /// The address.
        addr: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// What every handler shares.
pub struct App {
    /// The database.
    pub store: Arc<Store>,
    /// The job queue.
    pub jobs: Arc<jobs::Jobs>,
    /// The configuration.
    pub config: Config,
}

/// The largest request body of the running server, for messages.
static BODY_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// The largest request body, bytes.
pub fn limit_bytes() -> usize {
    BODY_LIMIT.load(Ordering::Relaxed)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "allot",
        description = "The allot planner as a service: scenarios with every version kept, plans as jobs with progress and cancel, plan history (docs/server.md). Errors are RFC 9457 problem documents.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "scenarios", description = "Scenarios and their versions"),
        (name = "plans", description = "Plans as jobs"),
        (name = "questions", description = "Questions about a stored plan: what binds, finance, export, a job-level simulation, and what-if, why-not and risk as jobs")
    )
)]
struct ApiDoc;

/// Declares the bearer scheme, required on every operation when the server has a token.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The routes and the OpenAPI document generated from them.
pub fn router(app: Arc<App>) -> (Router, utoipa::openapi::OpenApi) {
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(scenarios::validate))
        .routes(routes!(scenarios::create, scenarios::list))
        .routes(routes!(scenarios::show))
        .routes(routes!(scenarios::add_version))
        .routes(routes!(scenarios::version))
        .routes(routes!(plans::create, plans::list))
        .routes(routes!(plans::show))
        .routes(routes!(plans::result))
        .routes(routes!(plans::cancel))
        .routes(routes!(plans::diff))
        .routes(routes!(questions::explain))
        .routes(routes!(questions::finance))
        .routes(routes!(questions::export))
        .routes(routes!(questions::what_if))
        .routes(routes!(questions::why_not))
        .routes(routes!(questions::risk))
        .routes(routes!(simulate::simulate))
        .routes(routes!(dashboard::report_data))
        .split_for_parts();
    api.info.version = ALLOT_VERSION.to_string();
    if app.config.token.is_some() {
        api.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
    let document = api.to_json().unwrap_or_default();
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], document)
            }),
        )
        .fallback(|| async {
            Problem::not_found("no such resource: GET /openapi.json lists the API")
        })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "this resource does not take that method: GET /openapi.json lists the API",
            )
        })
        .layer(axum::middleware::from_fn_with_state(app.clone(), bearer))
        .layer(DefaultBodyLimit::max(app.config.max_body_bytes))
        .with_state(app)
        .merge(dashboard::page_routes());
    (router, api)
}

/// Requires `Authorization: Bearer TOKEN` when the server has a token.
async fn bearer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(token) = &app.config.token else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(given) if same(given.as_bytes(), token.as_bytes()) => next.run(request).await,
        Some(_) => Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the bearer token is not this server's",
        )
        .field("Authorization")
        .into_response(),
        None => Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server requires a token: send Authorization: Bearer TOKEN",
        )
        .field("Authorization")
        .into_response(),
    }
}

/// Compares in time independent of where the texts differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The address to listen on, refused when it reaches beyond loopback without a token.
pub fn resolve(config: &Config) -> Result<SocketAddr, ServeError> {
    let addr = config
        .addr
        .to_socket_addrs()
        .map_err(|e| ServeError::Addr {
            addr: config.addr.clone(),
            message: e.to_string(),
        })?
        .next()
        .ok_or_else(|| ServeError::Addr {
            addr: config.addr.clone(),
            message: "resolves to no address".into(),
        })?;
    if !addr.ip().is_loopback() && config.token.is_none() {
        return Err(ServeError::NotLoopback {
            addr: config.addr.clone(),
        });
    }
    Ok(addr)
}

/// Opens the database, marks the jobs a previous process left unfinished as interrupted, and
/// serves until the process ends; `listening` is told the address once requests are accepted.
pub fn serve(config: Config, listening: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let addr = resolve(&config)?;
    let store = Arc::new(Store::open(&config.db)?);
    store.recover()?;
    BODY_LIMIT.store(config.max_body_bytes, Ordering::Relaxed);
    let workers = match config.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let jobs = jobs::Jobs::start(store.clone(), workers, config.queue);
    let app = Arc::new(App {
        store,
        jobs,
        config,
    });
    let (router, _) = router(app);
    let io = |source| ServeError::Io {
        addr: addr.to_string(),
        source,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(io)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
        listening(listener.local_addr().map_err(io)?);
        axum::serve(listener, router).await.map_err(io)
    })
}
