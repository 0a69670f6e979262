//! `allot place TASK.yaml`: the cheapest (or fastest) placement of a SkyPilot task or pipeline on
//! a SkyPilot catalog, with the options considered and SkyPilot's own choice for comparison.

use std::path::PathBuf;

use allot_catalog::Catalog;
use allot_present::place;
use allot_skypilot::{Minimize, Status};
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_skypilot_catalog, print_diagnostics, read_text};

/// Arguments of `allot place`.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// SkyPilot task YAML: one task, or a pipeline (several YAML documents).
    pub task: PathBuf,
    /// SkyPilot catalog folder, schema v8 (CLOUD/vms.csv, common/accelerators.csv); default
    /// ~/.sky/catalogs/v8, where SkyPilot keeps its copy.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
    /// What to minimise: total cost (compute plus egress) or finish time.
    #[arg(long, value_parser = ["cost", "time"], default_value = "cost")]
    pub minimize: String,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Options listed per task in the table (0: all).
    #[arg(long, default_value_t = 5)]
    pub options: usize,
}

pub fn run(args: &PlaceArgs) -> anyhow::Result<Exit> {
    let dir = match &args.catalog {
        Some(d) => d.clone(),
        None => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            let default = home.join(".sky/catalogs/v8");
            if !default.is_dir() {
                eprintln!(
                    "error: no SkyPilot catalog: give --catalog DIR (a folder with CLOUD/vms.csv files; SkyPilot keeps one in ~/.sky/catalogs/v8)"
                );
                return Ok(Exit::Invalid);
            }
            default
        }
    };
    let name = args.task.display().to_string();
    let text = match read_text(&args.task) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return Ok(Exit::Invalid);
        }
    };
    let dag = match allot_skypilot::parse_dag(&name, &text) {
        Ok(d) => d,
        Err(e) => {
            print_diagnostics(e.diagnostics(), &[(name, text)]);
            return Ok(Exit::Invalid);
        }
    };
    let Some(sky) = load_skypilot_catalog(&dir) else {
        return Ok(Exit::Invalid);
    };
    let (builtin, _) = Catalog::builtin();
    let minimize = if args.minimize == "time" {
        Minimize::Time
    } else {
        Minimize::Cost
    };
    let placement = match allot_skypilot::place(&dag, &sky, &builtin, minimize) {
        Ok(p) => p,
        Err(e) => {
            print_diagnostics(e.diagnostics(), &[(name, text)]);
            return Ok(Exit::Invalid);
        }
    };
    let rule = allot_skypilot::skypilot_rule(&dag, &sky, &builtin).ok();
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&place::to_json(&placement, rule.as_ref()))?
        );
    } else {
        out!(
            "{}",
            place::summary(&placement, rule.as_ref(), &name, args.options)
        );
    }
    Ok(match placement.status {
        Status::Placed => Exit::Success,
        Status::Infeasible => Exit::Infeasible,
    })
}
