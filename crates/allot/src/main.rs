//! `allot`: the command-line interface. A thin layer: it parses arguments, reads files, calls
//! the library crates and prints their results. All IO happens here.

#[macro_use]
mod out;

mod catalog_cmd;
mod check;
mod cli;
mod explain_cmd;
mod export_cmd;
mod files;
mod finance_cmd;
mod json;
mod perf_cmd;
mod place_cmd;
mod plan_cmd;
mod plan_diff;
mod progress;
mod risk_cmd;
mod skypilot_import_cmd;
mod table;
mod verify_cmd;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, SchemaKind};

/// Exit code when the input has errors (validation, or a file that cannot be read).
pub const EXIT_INVALID: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan_cmd::run(&args),
        Command::Explain(args) => explain_cmd::run(&args),
        Command::Verify(args) => verify_cmd::run(&args),
        Command::Gen(args) => {
            let params = allot_plan::generate::GenParams {
                periods: args.periods.clamp(1, 600),
                offerings: args.offerings.max(1),
                workloads: args.workloads.max(1),
                seed: args.seed,
            };
            let (scenario, catalog) = allot_plan::generate::generate(&params, "catalog.toml");
            std::fs::create_dir_all(&args.out)?;
            std::fs::write(args.out.join("scenario.toml"), scenario)?;
            std::fs::write(args.out.join("catalog.toml"), catalog)?;
            outln!("wrote {}", args.out.join("scenario.toml").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog(args) => catalog_cmd::run(&args),
        Command::Export(args) => export_cmd::run(&args),
        Command::Perf(args) => perf_cmd::run(&args),
        Command::Place(args) => place_cmd::run(&args),
        Command::Finance(args) => finance_cmd::run(&args),
        Command::Risk(args) => risk_cmd::run(&args),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Scenario => allot_scenario::schema(),
                SchemaKind::Catalog => schemars::schema_for!(allot_catalog::CatalogFile).to_value(),
                SchemaKind::Plan => finance_cmd::plan_schema(),
            };
            outln!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
