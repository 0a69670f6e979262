//! `allot`: the command-line interface. A thin layer: it parses arguments, reads files, calls
//! the library crates and prints their results. All IO happens here.

#[macro_use]
mod out;

mod catalog_cmd;
mod check_cmd;
mod cli;
mod exit;
mod explain_cmd;
mod export_cmd;
mod files;
mod finance_cmd;
mod gen_cmd;
mod history_cmd;
mod perf_cmd;
mod place_cmd;
mod plan_cmd;
mod progress;
mod report_cmd;
mod risk_cmd;
mod serve_cmd;
mod simulate_cmd;
mod skypilot_import_cmd;
mod verify_cmd;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{CatalogCommand, Cli, Command, SchemaKind};
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    files::ALLOW_OUTSIDE.store(cli.allow_outside, std::sync::atomic::Ordering::Relaxed);
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(e) => {
            if let Some(all) = e.downcast_ref::<allot_plan::InvalidSettings>() {
                settings_errors(&all.0)
            } else if let Some(bad) = e.downcast_ref::<allot_plan::SettingsError>() {
                settings_errors(std::slice::from_ref(bad))
            } else {
                eprintln!(
                    "{}",
                    allot_diag::escape_control(&format!("error: {e:#}"), true)
                );
                Exit::Failure
            }
        }
    };
    // Output that could not be written is a failure, whatever the command concluded.
    let exit = if out::failed() && exit == Exit::Success {
        Exit::Failure
    } else {
        exit
    };
    ExitCode::from(exit.code())
}

/// Solve settings out of range, each named by its flag, with its hint.
fn settings_errors(problems: &[allot_plan::SettingsError]) -> Exit {
    use allot_plan::SettingsError::*;
    for bad in problems {
        let flag = match bad {
            TimeLimit { .. } => "--time-limit",
            MipGap { .. } => "--mip-gap",
            Threads { .. } => "solver threads",
            Within { .. } => "--within",
        };
        eprintln!("error: {flag}: {} (got {})", bad.rule(), bad.value());
        eprintln!("hint: {}", bad.hint());
    }
    Exit::Invalid
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Check(args) => check_cmd::run(&args),
        Command::Plan(args) => plan_cmd::run(&args),
        Command::Explain(args) => explain_cmd::run(&args),
        Command::Verify(args) => verify_cmd::run(&args),
        Command::Gen(args) => gen_cmd::run(&args),
        Command::Catalog(CatalogCommand::ImportSkypilot(args)) => skypilot_import_cmd::run(&args),
        Command::Catalog(command) => catalog_cmd::run(&command),
        Command::Export(args) => export_cmd::run(&args),
        Command::Perf(args) => perf_cmd::run(&args),
        Command::Place(args) => place_cmd::run(&args),
        Command::Finance(args) => finance_cmd::run(&args),
        Command::Risk(args) => risk_cmd::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::Simulate(args) => simulate_cmd::run(&args),
        Command::History(command) => history_cmd::run(&command),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Scenario => allot_scenario::schema(),
                SchemaKind::Catalog => schemars::schema_for!(allot_catalog::CatalogFile).to_value(),
                SchemaKind::Plan => allot_present::finance_json::plan_schema(),
            };
            outln!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(Exit::Success)
        }
    }
}
