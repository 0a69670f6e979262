//! Plan history in one embedded SQLite file: scenarios, every version of each kept (an edit is a
//! new version, nothing is overwritten), and jobs (plans, what-if re-plans, risk runs) with their
//! settings, timings and results.
//!
//! The file is opened in WAL mode with `synchronous = FULL`: a write that returned is on disk,
//! and a process killed at any moment (even `kill -9` during a write) leaves the database
//! usable with every committed row intact. Jobs that were queued or running when the process
//! died are marked `interrupted` by [`Store::recover`] at the next start.
//!
//! Nothing here knows about planning: texts go in and out as they were given (scenario TOML,
//! catalog files, plan JSON). The server and `allot history` are the callers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (the file is unreadable, not a database, or locked for too long).
    #[error("{path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file was written by a newer allot.
    #[error(
        "{path}: database schema version {found} is newer than this allot's ({supported}); use a newer allot"
    )]
    TooNew {
        /// The database file.
        path: String,
        /// Schema version in the file.
        found: i64,
        /// Schema version this build writes.
        supported: i64,
    },
    /// A stored JSON field did not parse (a damaged row).
    #[error("{path}: damaged row {what}: {message}")]
    Damaged {
        /// The database file.
        path: String,
        /// Which row and field.
        what: String,
        /// The parse error.
        message: String,
    },
    /// No such scenario, version or job.
    #[error("{0} not found")]
    NotFound(String),
    /// A scenario of this name exists already.
    #[error("a scenario named '{0}' exists already; add a version to it instead")]
    Exists(String),
}

/// Schema version written in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS scenario (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scenario_version (
    id           INTEGER PRIMARY KEY,
    scenario_id  INTEGER NOT NULL REFERENCES scenario(id),
    version      INTEGER NOT NULL,
    toml         TEXT NOT NULL,
    files        TEXT NOT NULL,
    valid        INTEGER NOT NULL,
    diagnostics  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    UNIQUE (scenario_id, version)
);
CREATE TABLE IF NOT EXISTS job (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL,
    scenario_version_id  INTEGER NOT NULL REFERENCES scenario_version(id),
    base_job_id          INTEGER REFERENCES job(id),
    request              TEXT NOT NULL,
    settings             TEXT NOT NULL,
    allot_version        TEXT NOT NULL,
    state                TEXT NOT NULL,
    status               TEXT,
    objective_usd        REAL,
    result               TEXT,
    error                TEXT,
    timings              TEXT,
    created_at           TEXT NOT NULL,
    started_at           TEXT,
    finished_at          TEXT
);
CREATE INDEX IF NOT EXISTS job_by_version ON job (scenario_version_id);
";

/// A scenario: a name and its versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Identifier.
    pub id: i64,
    /// Name, unique in the store.
    pub name: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its latest version number (versions count from 1).
    pub latest_version: i64,
}

/// What makes a version: the scenario text and the catalog files it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewVersion {
    /// The scenario TOML.
    pub toml: String,
    /// Catalog files by the name the scenario gives them.
    pub files: BTreeMap<String, String>,
    /// Whether it validated without errors.
    pub valid: bool,
    /// The diagnostics of validation, as JSON (stored as given).
    pub diagnostics: serde_json::Value,
    /// A note from whoever saved it.
    pub note: String,
}

/// One stored version of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Identifier of the version row (what jobs refer to).
    pub id: i64,
    /// The scenario's identifier.
    pub scenario_id: i64,
    /// Version number within the scenario, from 1.
    pub version: i64,
    /// The text and files.
    #[serde(flatten)]
    pub content: NewVersion,
    /// When it was saved.
    pub created_at: String,
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A plan of a scenario version.
    Plan,
    /// A re-plan of a stored plan's scenario with one value changed.
    WhatIf,
    /// A plan with one placement forced, beside its base plan.
    WhyNot,
    /// A Monte Carlo risk run.
    Risk,
}

impl JobKind {
    fn as_str(self) -> &'static str {
        match self {
            JobKind::Plan => "plan",
            JobKind::WhatIf => "what_if",
            JobKind::WhyNot => "why_not",
            JobKind::Risk => "risk",
        }
    }

    fn parse(s: &str) -> Option<JobKind> {
        Some(match s {
            "plan" => JobKind::Plan,
            "what_if" => JobKind::WhatIf,
            "why_not" => JobKind::WhyNot,
            "risk" => JobKind::Risk,
            _ => return None,
        })
    }
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Being solved.
    Running,
    /// Finished with a result (whatever the solve status: an infeasible plan is a result).
    Done,
    /// Could not run (the error says why).
    Failed,
    /// Cancelled before it started, or stopped on request (a result is kept if one was found).
    Cancelled,
    /// The server stopped (or was killed) while the job was queued or running.
    Interrupted,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Option<JobState> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            "interrupted" => JobState::Interrupted,
            _ => return None,
        })
    }

    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }
}

/// A job to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// The scenario version it runs on.
    pub scenario_version_id: i64,
    /// The stored plan it starts from (what-if, why-not, risk), if any.
    pub base_job_id: Option<i64>,
    /// The request (the question, risk samples and seed, ...), as JSON.
    pub request: serde_json::Value,
    /// Solver settings, as JSON.
    pub settings: serde_json::Value,
    /// The allot version that runs it.
    pub allot_version: String,
}

/// A finished job's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// How it ended.
    pub state: JobState,
    /// The solve status (`optimal`, `infeasible`, ...), when there was a solve.
    pub status: Option<String>,
    /// The plan's discounted cost, when it has one.
    pub objective_usd: Option<f64>,
    /// The result document (the plan JSON exactly as `allot plan --json` writes it, a risk
    /// report, ...).
    pub result: Option<String>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Timings (build, solve, extract, queue wait ...), as JSON.
    pub timings: serde_json::Value,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Identifier.
    pub id: i64,
    /// What was asked.
    #[serde(flatten)]
    pub job: NewJob,
    /// Where it is.
    pub state: JobState,
    /// The solve status, when finished.
    pub status: Option<String>,
    /// The plan's discounted cost, when it has one.
    pub objective_usd: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Timings, as JSON (null until finished).
    pub timings: serde_json::Value,
    /// When it was created, started and finished (RFC 3339, UTC).
    pub created_at: String,
    /// When a worker took it.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// The scenario's identifier, name and version number (for listings).
    pub scenario_id: i64,
    /// The scenario's name.
    pub scenario_name: String,
    /// The version number.
    pub version: i64,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    /// Only this kind.
    pub kind: Option<JobKind>,
    /// Only jobs of this scenario.
    pub scenario_id: Option<i64>,
    /// At most this many, newest first (0: all).
    pub limit: usize,
}

/// The store: a SQLite file and a small pool of connections to it.
pub struct Store {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The time now, RFC 3339 in UTC to the millisecond.
pub fn now() -> String {
    let ts = jiff::Timestamp::now();
    let ms = ts.as_millisecond();
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(ts)
        .to_string()
}

impl Store {
    /// Opens (creating it, and its schema, if absent) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let store = Store {
            path: path.to_path_buf(),
            pool: Mutex::new(Vec::new()),
        };
        let conn = store.connect()?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.sqlite(e))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: store.path_text(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.execute_batch(SCHEMA).map_err(|e| store.sqlite(e))?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| store.sqlite(e))?;
        store.give_back(conn);
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn path_text(&self) -> String {
        self.path.display().to_string()
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path_text(),
            source,
        }
    }

    fn damaged(&self, what: String, e: impl std::fmt::Display) -> StoreError {
        StoreError::Damaged {
            path: self.path_text(),
            what,
            message: e.to_string(),
        }
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open(&self.path).map_err(|e| self.sqlite(e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| self.sqlite(e))?;
        // WAL lets readers go on while a job's result is written; FULL makes a returned write
        // durable. Foreign keys keep jobs pointing at real versions.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.sqlite(e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.sqlite(e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| self.sqlite(e))?;
        Ok(conn)
    }

    fn take(&self) -> Result<Connection, StoreError> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
    }

    /// Runs `f` on a pooled connection.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.take()?;
        let out = f(&mut conn);
        self.give_back(conn);
        out
    }

    /// Creates a scenario named `name` with `first` as its version 1.
    pub fn create_scenario(
        &self,
        name: &str,
        first: &NewVersion,
    ) -> Result<(Scenario, Version), StoreError> {
        self.with(|conn| {
            let tx = conn.transaction().map_err(|e| self.sqlite(e))?;
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM scenario WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| self.sqlite(e))?;
            if exists.is_some() {
                return Err(StoreError::Exists(name.to_string()));
            }
            let created_at = now();
            tx.execute(
                "INSERT INTO scenario (name, created_at) VALUES (?1, ?2)",
                params![name, created_at],
            )
            .map_err(|e| self.sqlite(e))?;
            let id = tx.last_insert_rowid();
            let version = self.insert_version(&tx, id, 1, first)?;
            tx.commit().map_err(|e| self.sqlite(e))?;
            Ok((
                Scenario {
                    id,
                    name: name.to_string(),
                    created_at,
                    latest_version: 1,
                },
                version,
            ))
        })
    }

    fn insert_version(
        &self,
        tx: &rusqlite::Transaction<'_>,
        scenario_id: i64,
        number: i64,
        v: &NewVersion,
    ) -> Result<Version, StoreError> {
        let created_at = now();
        let files = serde_json::to_string(&v.files).map_err(|e| self.damaged("files".into(), e))?;
        tx.execute(
            "INSERT INTO scenario_version (scenario_id, version, toml, files, valid, diagnostics, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                scenario_id,
                number,
                v.toml,
                files,
                v.valid,
                v.diagnostics.to_string(),
                v.note,
                created_at
            ],
        )
        .map_err(|e| self.sqlite(e))?;
        Ok(Version {
            id: tx.last_insert_rowid(),
            scenario_id,
            version: number,
            content: v.clone(),
            created_at,
        })
    }

    /// Adds a version to scenario `scenario_id` (the next number); earlier ones are kept.
    pub fn add_version(&self, scenario_id: i64, v: &NewVersion) -> Result<Version, StoreError> {
        self.with(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.sqlite(e))?;
            let latest: Option<i64> = tx
                .query_row(
                    "SELECT MAX(version) FROM scenario_version WHERE scenario_id = ?1",
                    [scenario_id],
                    |r| r.get(0),
                )
                .map_err(|e| self.sqlite(e))?;
            let Some(latest) = latest else {
                return Err(StoreError::NotFound(format!("scenario {scenario_id}")));
            };
            let version = self.insert_version(&tx, scenario_id, latest + 1, v)?;
            tx.commit().map_err(|e| self.sqlite(e))?;
            Ok(version)
        })
    }

    /// Every scenario, by name.
    pub fn scenarios(&self) -> Result<Vec<Scenario>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT s.id, s.name, s.created_at, MAX(v.version)
                     FROM scenario s JOIN scenario_version v ON v.scenario_id = s.id
                     GROUP BY s.id ORDER BY s.name",
                )
                .map_err(|e| self.sqlite(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Scenario {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at: r.get(2)?,
                        latest_version: r.get(3)?,
                    })
                })
                .map_err(|e| self.sqlite(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
        })
    }

    /// One scenario.
    pub fn scenario(&self, id: i64) -> Result<Scenario, StoreError> {
        self.scenarios()?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("scenario {id}")))
    }

    /// The versions of a scenario, oldest first, without their texts' content checked.
    pub fn versions(&self, scenario_id: i64) -> Result<Vec<Version>, StoreError> {
        let versions =
            self.query_versions("WHERE scenario_id = ?1 ORDER BY version", scenario_id)?;
        if versions.is_empty() {
            return Err(StoreError::NotFound(format!("scenario {scenario_id}")));
        }
        Ok(versions)
    }

    /// Version `number` of a scenario.
    pub fn version(&self, scenario_id: i64, number: i64) -> Result<Version, StoreError> {
        self.versions(scenario_id)?
            .into_iter()
            .find(|v| v.version == number)
            .ok_or_else(|| StoreError::NotFound(format!("scenario {scenario_id} version {number}")))
    }

    /// A version by its row identifier.
    pub fn version_by_id(&self, id: i64) -> Result<Version, StoreError> {
        self.query_versions("WHERE id = ?1", id)?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("scenario version {id}")))
    }

    fn query_versions(&self, clause: &str, key: i64) -> Result<Vec<Version>, StoreError> {
        self.with(|conn| {
            let sql = format!(
                "SELECT id, scenario_id, version, toml, files, valid, diagnostics, note, created_at
                 FROM scenario_version {clause}"
            );
            let mut stmt = conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
            let rows = stmt
                .query_map([key], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, bool>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                    ))
                })
                .map_err(|e| self.sqlite(e))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, scenario_id, version, toml, files, valid, diagnostics, note, created_at) =
                    row.map_err(|e| self.sqlite(e))?;
                let files = serde_json::from_str(&files)
                    .map_err(|e| self.damaged(format!("scenario version {id} files"), e))?;
                let diagnostics = serde_json::from_str(&diagnostics)
                    .map_err(|e| self.damaged(format!("scenario version {id} diagnostics"), e))?;
                out.push(Version {
                    id,
                    scenario_id,
                    version,
                    content: NewVersion {
                        toml,
                        files,
                        valid,
                        diagnostics,
                        note,
                    },
                    created_at,
                });
            }
            Ok(out)
        })
    }

    /// Records a new job, queued. Once this returns, the job is on disk.
    pub fn create_job(&self, job: &NewJob) -> Result<Job, StoreError> {
        let id = self.with(|conn| {
            conn.execute(
                "INSERT INTO job (kind, scenario_version_id, base_job_id, request, settings, allot_version, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
                params![
                    job.kind.as_str(),
                    job.scenario_version_id,
                    job.base_job_id,
                    job.request.to_string(),
                    job.settings.to_string(),
                    job.allot_version,
                    now()
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::NotFound(format!(
                        "scenario version {} or base job {:?}",
                        job.scenario_version_id, job.base_job_id
                    ))
                }
                e => self.sqlite(e),
            })?;
            Ok(conn.last_insert_rowid())
        })?;
        self.job(id)
    }

    /// Marks a queued job running; false if it was no longer queued (cancelled meanwhile).
    pub fn start_job(&self, id: i64) -> Result<bool, StoreError> {
        self.with(|conn| {
            let n = conn
                .execute(
                    "UPDATE job SET state = 'running', started_at = ?2 WHERE id = ?1 AND state = 'queued'",
                    params![id, now()],
                )
                .map_err(|e| self.sqlite(e))?;
            Ok(n == 1)
        })
    }

    /// Records how a job ended (a no-op for a job already final, so a late result does not
    /// overwrite a cancellation).
    pub fn finish_job(&self, id: i64, result: &JobResult) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE job SET state = ?2, status = ?3, objective_usd = ?4, result = ?5, error = ?6,
                        timings = ?7, finished_at = ?8
                 WHERE id = ?1 AND state IN ('queued', 'running')",
                params![
                    id,
                    result.state.as_str(),
                    result.status,
                    result.objective_usd.filter(|x| x.is_finite()),
                    result.result,
                    result.error,
                    result.timings.to_string(),
                    now()
                ],
            )
            .map_err(|e| self.sqlite(e))?;
            Ok(())
        })
    }

    /// Cancels a job that has not started; returns its state afterwards.
    pub fn cancel_queued(&self, id: i64) -> Result<JobState, StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE job SET state = 'cancelled', finished_at = ?2 WHERE id = ?1 AND state = 'queued'",
                params![id, now()],
            )
            .map_err(|e| self.sqlite(e))?;
            Ok(())
        })?;
        Ok(self.job(id)?.state)
    }

    /// Marks every job left queued or running by a previous process as interrupted; returns how
    /// many. Call once at start, before any worker runs.
    pub fn recover(&self) -> Result<usize, StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE job SET state = 'interrupted', finished_at = ?1 WHERE state IN ('queued', 'running')",
                [now()],
            )
            .map_err(|e| self.sqlite(e))
        })
    }

    const JOB_COLUMNS: &'static str =
        "j.id, j.kind, j.scenario_version_id, j.base_job_id, j.request, j.settings,
        j.allot_version, j.state, j.status, j.objective_usd, j.error, j.timings, j.created_at,
        j.started_at, j.finished_at, s.id, s.name, v.version";

    /// One job, without its result document.
    pub fn job(&self, id: i64) -> Result<Job, StoreError> {
        self.query_jobs("WHERE j.id = ?1", &[&id])?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("job {id}")))
    }

    /// A job's result document (the plan JSON, ...), if it has one.
    pub fn job_result(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.with(|conn| {
            let row: Option<Option<String>> = conn
                .query_row("SELECT result FROM job WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(|e| self.sqlite(e))?;
            row.ok_or_else(|| StoreError::NotFound(format!("job {id}")))
        })
    }

    /// Jobs, newest first.
    pub fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>, StoreError> {
        let mut clause = String::from("WHERE 1 = 1");
        let kind = filter.kind.map(JobKind::as_str);
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        if let Some(kind) = &kind {
            clause += " AND j.kind = ?";
            args.push(kind);
        }
        if let Some(id) = &filter.scenario_id {
            clause += " AND s.id = ?";
            args.push(id);
        }
        clause += " ORDER BY j.id DESC";
        let limit = filter.limit as i64;
        if filter.limit > 0 {
            clause += " LIMIT ?";
            args.push(&limit);
        }
        self.query_jobs(&clause, &args)
    }

    fn query_jobs(
        &self,
        clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Job>, StoreError> {
        self.with(|conn| {
            let sql = format!(
                "SELECT {} FROM job j JOIN scenario_version v ON v.id = j.scenario_version_id
                 JOIN scenario s ON s.id = v.scenario_id {clause}",
                Self::JOB_COLUMNS
            );
            let mut stmt = conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
            let mut rows = stmt.query(args).map_err(|e| self.sqlite(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.sqlite(e))? {
                out.push(self.job_row(r).map_err(|e| match e {
                    Row::Sqlite(e) => self.sqlite(e),
                    Row::Damaged(what, message) => StoreError::Damaged {
                        path: self.path_text(),
                        what,
                        message,
                    },
                })?);
            }
            Ok(out)
        })
    }

    fn job_row(&self, r: &rusqlite::Row<'_>) -> Result<Job, Row> {
        let id: i64 = r.get(0)?;
        let json = |i: usize, what: &str| -> Result<serde_json::Value, Row> {
            let text: Option<String> = r.get(i)?;
            match text {
                None => Ok(serde_json::Value::Null),
                Some(t) => serde_json::from_str(&t)
                    .map_err(|e| Row::Damaged(format!("job {id} {what}"), e.to_string())),
            }
        };
        let kind: String = r.get(1)?;
        let state: String = r.get(7)?;
        Ok(Job {
            id,
            job: NewJob {
                kind: JobKind::parse(&kind)
                    .ok_or_else(|| Row::Damaged(format!("job {id} kind"), kind.clone()))?,
                scenario_version_id: r.get(2)?,
                base_job_id: r.get(3)?,
                request: json(4, "request")?,
                settings: json(5, "settings")?,
                allot_version: r.get(6)?,
            },
            state: JobState::parse(&state)
                .ok_or_else(|| Row::Damaged(format!("job {id} state"), state.clone()))?,
            status: r.get(8)?,
            objective_usd: r.get(9)?,
            error: r.get(10)?,
            timings: json(11, "timings")?,
            created_at: r.get(12)?,
            started_at: r.get(13)?,
            finished_at: r.get(14)?,
            scenario_id: r.get(15)?,
            scenario_name: r.get(16)?,
            version: r.get(17)?,
        })
    }
}

enum Row {
    Sqlite(rusqlite::Error),
    Damaged(String, String),
}

impl From<rusqlite::Error> for Row {
    fn from(e: rusqlite::Error) -> Row {
        Row::Sqlite(e)
    }
}
