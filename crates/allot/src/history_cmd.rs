//! `allot history list|show|diff`: the plans `allot serve` stored, read from the same database.

use std::path::{Path, PathBuf};

use allot_present::number::money;
use allot_present::table::{Align, Table};
use allot_store::{JobFilter, Store};
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::exit::Exit;

/// `allot history ...`
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The stored plans, newest first.
    List(ListArgs),
    /// One stored plan: its scenario version, settings, allot version, timings and status.
    Show(ShowArgs),
    /// Two stored plans side by side: what the cost difference is made of, what else moved.
    Diff(DiffArgs),
}

/// Arguments of `allot history list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The database of `allot serve`.
    #[arg(long, default_value = "allot.db", value_name = "FILE")]
    pub db: PathBuf,
    /// At most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// Arguments of `allot history show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The database of `allot serve`.
    #[arg(long, default_value = "allot.db", value_name = "FILE")]
    pub db: PathBuf,
    /// The plan's job id.
    pub id: i64,
    /// Print the plan JSON as stored (as `allot plan --json` prints it).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `allot history diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The database of `allot serve`.
    #[arg(long, default_value = "allot.db", value_name = "FILE")]
    pub db: PathBuf,
    /// The base plan's job id.
    pub base: i64,
    /// The plan compared with it.
    pub changed: i64,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

fn open(db: &Path) -> anyhow::Result<Store> {
    anyhow::ensure!(
        db.is_file(),
        "{}: no such database (give the --db of `allot serve`)",
        db.display()
    );
    Store::open(db).with_context(|| format!("opening {}", db.display()))
}

pub fn run(command: &HistoryCommand) -> anyhow::Result<Exit> {
    match command {
        HistoryCommand::List(args) => list(args),
        HistoryCommand::Show(args) => show(args),
        HistoryCommand::Diff(args) => diff(args),
    }
}

fn list(args: &ListArgs) -> anyhow::Result<Exit> {
    let store = open(&args.db)?;
    let filter = JobFilter {
        limit: args.limit,
        ..JobFilter::default()
    };
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("SCENARIO", Align::Left),
        ("VERSION", Align::Right),
        ("KIND", Align::Left),
        ("STATE", Align::Left),
        ("STATUS", Align::Left),
        ("DISCOUNTED COST", Align::Right),
        ("CREATED", Align::Left),
    ]);
    for j in store.jobs(&filter)? {
        table.row(vec![
            j.id.to_string(),
            j.scenario_name.clone(),
            j.version.to_string(),
            word(&j.job.kind),
            word(&j.state),
            j.status.clone().unwrap_or_default(),
            j.objective_usd.map(money).unwrap_or_default(),
            j.created_at.clone(),
        ]);
    }
    out!("{}", table.render());
    Ok(Exit::Success)
}

/// An enum's JSON word.
fn word(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn show(args: &ShowArgs) -> anyhow::Result<Exit> {
    let store = open(&args.db)?;
    let j = store.job(args.id)?;
    if args.json {
        let Some(plan) = store.job_result(args.id)? else {
            anyhow::bail!("plan {} has no result (it is {})", args.id, word(&j.state));
        };
        outln!("{plan}");
        return Ok(Exit::Success);
    }
    outln!("plan {} ({})", j.id, word(&j.job.kind));
    outln!("scenario: {} version {}", j.scenario_name, j.version);
    outln!(
        "state: {}{}",
        word(&j.state),
        j.status
            .as_ref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );
    if let Some(usd) = j.objective_usd {
        outln!("discounted cost: {}", money(usd));
    }
    if let Some(e) = &j.error {
        outln!("error: {e}");
    }
    outln!("settings: {}", j.job.settings);
    outln!("allot version: {}", j.job.allot_version);
    outln!("timings: {}", j.timings);
    outln!(
        "created {}, finished {}",
        j.created_at,
        j.finished_at.as_deref().unwrap_or("-")
    );
    Ok(Exit::Success)
}

fn diff(args: &DiffArgs) -> anyhow::Result<Exit> {
    let store = open(&args.db)?;
    let diff = allot_server::history::Diff::new(&store, args.base, args.changed)
        .map_err(|p| anyhow::anyhow!("{}", p.detail))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&diff.json())?);
    } else {
        out!("{}", diff.text());
    }
    Ok(Exit::Success)
}
