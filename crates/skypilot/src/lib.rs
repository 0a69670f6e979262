//! SkyPilot interoperability: read SkyPilot's catalog (schema v8) and task YAML, import the
//! catalog as an allot catalog file, and place tasks and DAGs at least cost (or time).
//!
//! Everything here is pure: parsers take texts and file names, never paths, and return typed
//! errors carrying [`allot_diag::Diagnostic`]s (file, line, field, did-you-mean hints). The
//! semantics follow SkyPilot's own code where it defines them (catalog pricing, GCP host plus
//! accelerator rows, `any_of`/`ordered` resources, egress between clouds); `docs/skypilot.md`
//! says which SkyPilot functions each rule comes from.
//!
//! - [`SkyCatalog::parse`]: `<cloud>/vms.csv` texts → rows and launchable [`Offer`]s priced per
//!   region or zone.
//! - [`import`]: a [`SkyCatalog`] → an allot catalog file (TOML) that scenarios can list.
//! - [`parse_dag`]: a task YAML (one task, or a multi-document pipeline) → [`Dag`].
//! - [`place`]: a [`Dag`] on a [`SkyCatalog`] → a [`Placement`]; [`skypilot_rule`] computes
//!   the choice SkyPilot's optimizer rule would make, for comparison.

mod catalog;
mod chips;
mod egress;
mod error;
mod gcp;
mod import;
mod locate;
mod place;
mod resources;
mod runtime;
mod solve;
mod task;
mod yaml;

pub use catalog::{CatalogText, Offer, SkyCatalog, VmRow};
pub use chips::{AllotChip, allot_chip};
pub use egress::{EGRESS_SOURCES, egress_time_s, egress_usd};
pub use error::Error;

pub use import::{ImportOptions, ImportSummary, Imported, import};
pub use place::{
    Candidate, EdgeCost, Minimize, Placement, Status, TaskPlacement, place, skypilot_rule,
};
pub use resources::{Amount, Choice, Request};
pub use task::{Dag, DataSource, MAX_NESTING, Task, Work, parse_dag};
