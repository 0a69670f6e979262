//! The plan as pictures: `allot report`'s self-contained HTML file.
//!
//! [`report`] turns a plan, its scenario and what finance, risk and the planner's explanation
//! computed for it into one HTML document with eight views — plan overview, capacity,
//! commitments, training runs, serving mix, finance, risk and what binds — each chart with its
//! numbers as a table and as CSV. Everything ships inside the document: the style (system
//! fonts), the chart library (Apache ECharts, vendored under `assets/` with its licence), the
//! views' script and the data, so the file opens from disk with the network off. Nothing here
//! does IO; the same page and script can be served by a server. [`assemble()`] computes what a
//! report shows beside the plan (statement, what binds, risk) for `allot report` and the
//! server alike; [`dashboard`] is the page `allot serve` shows at `/`, which draws the same
//! views with the same script from data it fetches, and adds a scenario editor and the plan
//! history.
//!
//! The data is one JSON value ([`ReportData`]) in a `<script type="application/json">`
//! element, escaped so that no name from the scenario can end the element ([`escape`]).

pub mod assemble;
pub mod dashboard;
pub mod data;
pub mod escape;
pub mod page;

pub use assemble::assemble;
pub use data::{ReportData, ReportInput};
pub use page::{VIEW_IDS, page};

/// The report for `input`: a complete HTML document.
pub fn report(input: &ReportInput<'_>) -> String {
    let data = ReportData::new(input);
    page(&data.scenario.name, &data_json(&data))
}

/// The report's data as JSON text (not yet escaped for HTML).
pub fn data_json(data: &ReportData) -> String {
    // Non-finite numbers (a swing without a plan) become null, as serde_json writes them.
    serde_json::to_string(data).unwrap_or_else(|_| "null".to_string())
}
