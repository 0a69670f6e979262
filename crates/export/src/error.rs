//! Why an export failed: every error names the file and the field it is about, with a hint.

use thiserror::Error;

/// An export that cannot be made. The `Display` form is a one-line message
/// (`FILE: FIELD: what is wrong`); [`ExportError::hint`] says what to do about it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExportError {
    /// The plan file is not JSON, or not shaped like a plan.
    #[error("{file}:{line}:{column}: not a plan: {message}")]
    PlanSyntax {
        /// Plan file name.
        file: String,
        /// Line of the problem (1-based; 0 when unknown).
        line: usize,
        /// Column of the problem (1-based; 0 when unknown).
        column: usize,
        /// What the JSON reader said.
        message: String,
    },
    /// The plan's `format` or `version` is not one this crate reads.
    #[error("{file}: {field}: {message}")]
    PlanFormat {
        /// Plan file name.
        file: String,
        /// `format` or `version`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The plan has no solution to hand off (infeasible, or the solver failed).
    #[error("{file}: status: the plan is {status}, so there is nothing to export")]
    NoSolution {
        /// Plan file name.
        file: String,
        /// The plan's status.
        status: allot_plan_format::SolveStatus,
    },
    /// The plan names an offering the catalog does not have.
    #[error("{file}: {field}: unknown offering '{offering}'")]
    UnknownOffering {
        /// Plan file name.
        file: String,
        /// Where in the plan, e.g. `capacity[3].offering`.
        field: String,
        /// The offering id.
        offering: String,
        /// A close offering id, if any.
        suggestion: Option<String>,
    },
    /// An offering's chip is not in the catalog.
    #[error(
        "{file}: {field}: offering '{offering}' runs on chip '{chip}', which the catalog does not define"
    )]
    UnknownChip {
        /// Plan file name.
        file: String,
        /// Where in the plan.
        field: String,
        /// The chip id.
        chip: String,
        /// The offering id.
        offering: String,
    },
    /// A workload's provider and chip match no capacity line of the plan.
    #[error("{file}: {field}: no capacity line for provider '{provider}' and chip '{chip}'")]
    NoCapacity {
        /// Plan file name.
        file: String,
        /// Where in the plan, e.g. `training[0]`.
        field: String,
        /// Provider id.
        provider: String,
        /// Accelerator id.
        chip: String,
    },
    /// `--period` names no period of the plan.
    #[error("{file}: periods: the plan has no period '{period}'")]
    UnknownPeriod {
        /// Plan file name.
        file: String,
        /// The period asked for.
        period: String,
        /// The plan's first and last periods.
        range: Option<(String, String)>,
        /// A close period label, if any.
        suggestion: Option<String>,
    },
    /// A `--gres` mapping is malformed or names an unknown chip.
    #[error("--gres {spec}: {message}")]
    BadGres {
        /// The mapping as given.
        spec: String,
        /// What is wrong.
        message: String,
        /// What to write instead.
        hint: String,
    },
    /// Two files of one export would have the same path, so one would overwrite the other
    /// (an internal error: workload names are made unique).
    #[error("internal error: two exported files have the path '{path}'")]
    DuplicatePath {
        /// The path.
        path: String,
    },
}

impl ExportError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            ExportError::PlanSyntax { .. } => {
                "give the plan.json written by `allot plan SCENARIO --out DIR` or printed by \
                 `allot plan SCENARIO --json`"
                    .to_string()
            }
            ExportError::PlanFormat { .. } => format!(
                "this allot reads plan format 'allot-plan' version {}; re-run `allot plan` to \
                 write the plan again",
                allot_plan_format::PLAN_VERSION
            ),
            ExportError::NoSolution { .. } => {
                "see `allot plan` for why; relax the scenario until it has a plan".to_string()
            }
            ExportError::UnknownOffering { suggestion, .. } => {
                let mut hint = "the plan was made with a scenario whose catalog files define it: \
                                pass --scenario SCENARIO.toml to use that catalog"
                    .to_string();
                if let Some(s) = suggestion {
                    hint.push_str(&format!(" (or did you mean '{s}'?)"));
                }
                hint
            }
            ExportError::UnknownChip { .. } => {
                "add the chip to a catalog file and pass --scenario SCENARIO.toml".to_string()
            }
            ExportError::NoCapacity { .. } => {
                "the plan file was edited or truncated; write it again with `allot plan`"
                    .to_string()
            }
            ExportError::UnknownPeriod {
                range, suggestion, ..
            } => {
                let mut hint = match range {
                    Some((first, last)) => format!("periods run from {first} to {last}"),
                    None => "the plan has no periods".to_string(),
                };
                if let Some(s) = suggestion {
                    hint.push_str(&format!("; did you mean '{s}'?"));
                }
                hint
            }
            ExportError::BadGres { hint, .. } => hint.clone(),
            ExportError::DuplicatePath { .. } => {
                "this is a bug in allot: please report it with the plan file; nothing was written"
                    .to_string()
            }
        }
    }
}
