//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// allot: an optimal, explained, checkable plan for AI compute across vendors and providers.
#[derive(Debug, Parser)]
#[command(name = "allot", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario or catalog files and report every problem (exit 2 on any error).
    Check(CheckArgs),
    /// List the catalog: accelerators, offerings or providers.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a JSON Schema.
    Schema {
        /// Which format.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
}

/// Arguments of `allot check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario or catalog files (TOML). A file with a [scenario] table is a scenario; one with
    /// only [[provider]], [[accelerator]] or [[offering]] tables is a catalog file.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Which schema to print.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    /// The scenario format.
    Scenario,
    /// The catalog file format.
    Catalog,
}

/// `allot catalog ...`
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Accelerators and their specifications.
    Accelerators(CatalogArgs),
    /// Offerings: provider × instance × region × price model.
    Offerings(CatalogArgs),
    /// Providers.
    Providers(CatalogArgs),
}

/// Filters and sources shared by the catalog listings.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Only this vendor (e.g. nvidia, amd, aws, google, intel).
    #[arg(long)]
    pub vendor: Option<String>,
    /// Only this provider (id or alias, e.g. aws, Oracle).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only this accelerator (id or alias, e.g. h100, "H100 SXM").
    #[arg(long)]
    pub chip: Option<String>,
    /// Only this price model (on_demand, spot, reserved_1y, reserved_3y, savings_plan,
    /// capacity_block, negotiated, owned).
    #[arg(long = "price-model")]
    pub price_model: Option<String>,
    /// Hide historical and unpriced offerings.
    #[arg(long)]
    pub current: bool,
    /// Add a catalog file after the built-in one (repeatable).
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use the catalog of this scenario (its files and price overrides).
    #[arg(long, value_name = "FILE", conflicts_with = "files")]
    pub scenario: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}
