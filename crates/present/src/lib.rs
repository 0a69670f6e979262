//! Plans, finance and answers as people and programs read them. Pure: no IO, no solver.
//!
//! - [`number`] and [`table`]: how amounts, shares and tables are written.
//! - [`plan_text`], [`finance_text`], [`risk`], [`place`]: the text reports of `allot plan`,
//!   `allot finance`, `allot risk` and `allot place`.
//! - [`finance_json`] (with [`finance_json::PlanJson`], the plan JSON), [`catalog_json`],
//!   [`risk`], [`place`], [`answer`]: the JSON wire types, distinct from the core types so that
//!   `--json` output is a stable format.
//! - [`perf`]: the priced estimates and tables of `allot perf`.
//! - [`risk_shard`]: the shard files of a risk run split over a job array, and their merge.
//! - [`plan_csv`]: the plan's CSV tables, safe to open in a spreadsheet.
//! - [`compare`]: two plans side by side, with the amounts that make up the difference and what
//!   else moved; [`answer`] puts it in sentences for a "why not?" or "what if?" question.
//!
//! The command line and the server call the same functions; they only read files and print.

pub mod answer;
pub mod catalog_json;
pub mod compare;
pub mod finance_json;
pub mod finance_text;
pub mod number;
pub mod perf;
pub mod place;
pub mod plan_csv;
pub mod plan_text;
pub mod risk;
pub mod risk_shard;
pub mod table;
