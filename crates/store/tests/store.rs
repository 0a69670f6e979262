//! The store on real SQLite files in a temporary folder.

use std::collections::BTreeMap;
use std::path::PathBuf;

use allot_store::{JobFilter, JobKind, JobResult, JobState, NewJob, NewVersion, Store, StoreError};
use serde_json::json;

/// A fresh database path, removed when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let dir = std::env::temp_dir().join(format!("allot-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDb(dir)
    }
    fn path(&self) -> PathBuf {
        self.0.join("allot.db")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn version(toml: &str) -> NewVersion {
    NewVersion {
        toml: toml.to_string(),
        files: BTreeMap::from([("catalog.toml".to_string(), "version = 1\n".to_string())]),
        valid: true,
        diagnostics: json!([]),
        note: String::new(),
    }
}

fn plan_job(version_id: i64) -> NewJob {
    NewJob {
        kind: JobKind::Plan,
        scenario_version_id: version_id,
        base_job_id: None,
        request: json!({}),
        settings: json!({"time_limit_s": 60.0, "mip_gap": 0.001}),
        allot_version: "0.1.0".into(),
    }
}

#[test]
fn every_edit_is_a_new_version_and_nothing_is_overwritten() {
    let db = TempDb::new("versions");
    let store = Store::open(&db.path()).unwrap();
    let (s, v1) = store.create_scenario("lab", &version("a = 1")).unwrap();
    assert_eq!((s.latest_version, v1.version), (1, 1));
    let v2 = store.add_version(s.id, &version("a = 2")).unwrap();
    assert_eq!(v2.version, 2);
    let all = store.versions(s.id).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].content.toml, "a = 1");
    assert_eq!(all[1].content.toml, "a = 2");
    assert_eq!(all[0].content.files["catalog.toml"], "version = 1\n");
    assert_eq!(store.scenario(s.id).unwrap().latest_version, 2);
    assert!(matches!(
        store.create_scenario("lab", &version("a = 3")),
        Err(StoreError::Exists(_))
    ));
    assert!(matches!(
        store.add_version(999, &version("x")),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.version(s.id, 3),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn a_job_goes_from_queued_to_done_and_keeps_its_result_byte_for_byte() {
    let db = TempDb::new("jobs");
    let store = Store::open(&db.path()).unwrap();
    let (_, v) = store.create_scenario("lab", &version("a = 1")).unwrap();
    let job = store.create_job(&plan_job(v.id)).unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert_eq!((job.scenario_name.as_str(), job.version), ("lab", 1));
    assert!(store.start_job(job.id).unwrap());
    assert!(
        !store.start_job(job.id).unwrap(),
        "a running job is not started twice"
    );
    let plan = "{\n  \"format\": \"allot-plan\",\n  \"name\": \"é ✓\"\n}";
    store
        .finish_job(
            job.id,
            &JobResult {
                state: JobState::Done,
                status: Some("optimal".into()),
                objective_usd: Some(1.5e9),
                result: Some(plan.into()),
                error: None,
                timings: json!({"solve_s": 0.2}),
            },
        )
        .unwrap();
    let done = store.job(job.id).unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.objective_usd, Some(1.5e9));
    assert_eq!(store.job_result(job.id).unwrap().as_deref(), Some(plan));
    // A late write cannot change a final job.
    store
        .finish_job(
            job.id,
            &JobResult {
                state: JobState::Failed,
                status: None,
                objective_usd: None,
                result: None,
                error: Some("late".into()),
                timings: json!(null),
            },
        )
        .unwrap();
    assert_eq!(store.job(job.id).unwrap().state, JobState::Done);
}

#[test]
fn a_job_on_a_missing_version_is_refused() {
    let db = TempDb::new("missing");
    let store = Store::open(&db.path()).unwrap();
    assert!(matches!(
        store.create_job(&plan_job(42)),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn listing_filters_by_kind_and_scenario_newest_first() {
    let db = TempDb::new("list");
    let store = Store::open(&db.path()).unwrap();
    let (a, va) = store.create_scenario("a", &version("a")).unwrap();
    let (_, vb) = store.create_scenario("b", &version("b")).unwrap();
    let j1 = store.create_job(&plan_job(va.id)).unwrap();
    let j2 = store.create_job(&plan_job(vb.id)).unwrap();
    let mut risk = plan_job(va.id);
    risk.kind = JobKind::Risk;
    risk.base_job_id = Some(j1.id);
    let j3 = store.create_job(&risk).unwrap();
    let ids = |f: JobFilter| -> Vec<i64> { store.jobs(&f).unwrap().iter().map(|j| j.id).collect() };
    assert_eq!(ids(JobFilter::default()), vec![j3.id, j2.id, j1.id]);
    assert_eq!(
        ids(JobFilter {
            kind: Some(JobKind::Plan),
            ..JobFilter::default()
        }),
        vec![j2.id, j1.id]
    );
    assert_eq!(
        ids(JobFilter {
            scenario_id: Some(a.id),
            ..JobFilter::default()
        }),
        vec![j3.id, j1.id]
    );
    assert_eq!(
        ids(JobFilter {
            limit: 1,
            ..JobFilter::default()
        }),
        vec![j3.id]
    );
}

#[test]
fn reopening_marks_unfinished_jobs_interrupted_and_keeps_the_rest() {
    let db = TempDb::new("recover");
    let (queued, running, done) = {
        let store = Store::open(&db.path()).unwrap();
        let (_, v) = store.create_scenario("lab", &version("a")).unwrap();
        let queued = store.create_job(&plan_job(v.id)).unwrap().id;
        let running = store.create_job(&plan_job(v.id)).unwrap().id;
        store.start_job(running).unwrap();
        let done = store.create_job(&plan_job(v.id)).unwrap().id;
        store.start_job(done).unwrap();
        store
            .finish_job(
                done,
                &JobResult {
                    state: JobState::Done,
                    status: Some("optimal".into()),
                    objective_usd: Some(1.0),
                    result: Some("{}".into()),
                    error: None,
                    timings: json!({}),
                },
            )
            .unwrap();
        (queued, running, done)
    };
    let store = Store::open(&db.path()).unwrap();
    assert_eq!(store.recover().unwrap(), 2);
    assert_eq!(store.job(queued).unwrap().state, JobState::Interrupted);
    assert_eq!(store.job(running).unwrap().state, JobState::Interrupted);
    assert_eq!(store.job(done).unwrap().state, JobState::Done);
    assert_eq!(store.job_result(done).unwrap().as_deref(), Some("{}"));
}

#[test]
fn cancelling_a_queued_job_stops_it_from_starting() {
    let db = TempDb::new("cancel");
    let store = Store::open(&db.path()).unwrap();
    let (_, v) = store.create_scenario("lab", &version("a")).unwrap();
    let job = store.create_job(&plan_job(v.id)).unwrap();
    assert_eq!(store.cancel_queued(job.id).unwrap(), JobState::Cancelled);
    assert!(!store.start_job(job.id).unwrap());
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let db = TempDb::new("garbage");
    std::fs::write(
        db.path(),
        b"this is not sqlite, it is a text file of some length....",
    )
    .unwrap();
    let err = Store::open(&db.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("allot.db"), "{text}");
}

#[test]
fn a_database_from_a_newer_allot_is_refused() {
    let db = TempDb::new("newer");
    {
        let _ = Store::open(&db.path()).unwrap();
    }
    set_user_version(&db.path(), 99);
    assert!(matches!(
        Store::open(&db.path()),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

/// Sets the database's `user_version` as a newer allot would: the big-endian 32-bit field at
/// byte offset 60 of the SQLite header (no WAL frames are pending once the store is closed).
fn set_user_version(path: &std::path::Path, v: i32) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(60)).unwrap();
    f.write_all(&v.to_be_bytes()).unwrap();
}
