//! Stored plans read back and compared, for `GET /plans/{id}/diff/{other}` and `allot history`:
//! two plans side by side with what changed and why, through `allot-present`'s comparison (the
//! one `allot explain` uses).

use allot_plan::Plan;
use allot_present::answer::{self, Comparison};
use allot_store::Store;

use crate::problem::Problem;

/// The plan a job stored, read back.
pub fn stored_plan(store: &Store, id: i64) -> Result<Plan, Problem> {
    let job = store.job(id)?;
    if job.job.kind != allot_store::JobKind::Plan {
        return Err(Problem::conflict(
            "not-a-plan",
            format!(
                "job {id} is a {} job: its result is an answer, not a plan (GET /plans?kind=plan lists the plans)",
                kind_name(job.job.kind)
            ),
        ));
    }
    let Some(text) = store.job_result(id)? else {
        return Err(Problem::conflict(
            "no-result",
            format!(
                "job {id} has no plan (it is {})",
                serde_json::to_value(job.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
        ));
    };
    serde_json::from_str(&text)
        .map_err(|e| Problem::internal(format!("job {id}: its stored plan does not read: {e}")))
}

/// A job kind as the API writes it (`plan`, `what_if`, `why_not`, `risk`).
pub fn kind_name(kind: allot_store::JobKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "other".into(),
    }
}

/// Two stored plans compared: `base` and `changed` are job ids.
pub struct Diff {
    question: String,
    change: String,
    base: Plan,
    changed: Plan,
}

impl Diff {
    /// Reads both plans.
    pub fn new(store: &Store, base: i64, changed: i64) -> Result<Diff, Problem> {
        let (b, c) = (store.job(base)?, store.job(changed)?);
        let label = |j: &allot_store::Job| {
            format!("plan {} ({} version {})", j.id, j.scenario_name, j.version)
        };
        Ok(Diff {
            question: format!("{} against {}", label(&c), label(&b)),
            change: capitalised(&label(&c)),
            base: stored_plan(store, base)?,
            changed: stored_plan(store, changed)?,
        })
    }

    fn comparison(&self) -> Comparison<'_> {
        Comparison {
            question: &self.question,
            kind: "diff",
            change: &self.change,
            focus: None,
            imposed: None,
            notes: &[],
            base: &self.base,
            changed: &self.changed,
            warm_start: false,
        }
    }

    /// The comparison as JSON (the shape of `allot explain --json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(answer::to_json(&self.comparison(), 0.0)).unwrap_or_default()
    }

    /// The comparison in words and tables (as `allot explain` prints it, without its solve
    /// time: nothing was solved).
    pub fn text(&self) -> String {
        let mut text = answer::report(&self.comparison(), 0.0);
        if let Some(end) = text.find("\nsolved both plans in") {
            text.truncate(end + 1);
        }
        text
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
