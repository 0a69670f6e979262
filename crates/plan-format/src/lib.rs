//! The plan as data: the versioned wire format of a plan (`allot schema plan`).
//!
//! The planner (`allot-plan`) writes a [`Plan`]; the verifier, finance and export read one
//! without depending on the planner or its solver. How a solve ended is a [`SolveStatus`] value,
//! written in JSON as the same words as before it was typed (`"optimal"`, `"feasible"`, ...).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Plan format version.
pub const PLAN_VERSION: u32 = 1;

/// The `format` field of every plan file.
pub const PLAN_FORMAT: &str = "allot-plan";

/// Checks every string of a plan file (keys and values, at any depth) against the name rule of
/// `allot_diag::name` as far as a reader must: no control, line-break or invisible character, so
/// that no name read from a plan can end a line of a script, a manifest or a terminal. Every
/// reader of plan files calls this before using the plan. The error names the field
/// (`training[0].name`, `cost_by_provider.KEY`).
pub fn check_strings(value: &serde_json::Value) -> Result<(), (String, allot_diag::NameError)> {
    fn walk(
        value: &serde_json::Value,
        path: &mut String,
    ) -> Result<(), (String, allot_diag::NameError)> {
        let check = |text: &str, path: &str| {
            allot_diag::check_text(text)
                .and_then(|()| match text.find(['\n', '\t']) {
                    Some(at) => Err(allot_diag::NameError::Forbidden {
                        c: text[at..].chars().next().unwrap_or('\n'),
                        at: text[..at].chars().count(),
                    }),
                    None => Ok(()),
                })
                .map_err(|e| (path.to_string(), e))
        };
        match value {
            serde_json::Value::String(s) => check(s, path),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    check(key, path)?;
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal (within the MIP gap).
    Optimal,
    /// A feasible plan, not proven optimal (stopped by the time limit or on request, or a
    /// recourse plan that keeps a base plan's placements).
    Feasible,
    /// No plan satisfies every constraint.
    Infeasible,
    /// The cost can decrease without bound (a modelling error).
    Unbounded,
    /// Stopped (by the time limit or on request) with no feasible plan found.
    TimeLimitNoSolution,
    /// The solver failed.
    #[default]
    Error,
}

impl SolveStatus {
    /// Whether the solution values mean anything: an optimal or feasible plan.
    pub fn has_solution(self) -> bool {
        matches!(self, SolveStatus::Optimal | SolveStatus::Feasible)
    }

    /// The status as written in a plan file.
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::Feasible => "feasible",
            SolveStatus::Infeasible => "infeasible",
            SolveStatus::Unbounded => "unbounded",
            SolveStatus::TimeLimitNoSolution => "time_limit_no_solution",
            SolveStatus::Error => "error",
        }
    }
}

impl std::fmt::Display for SolveStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compute plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Always `allot-plan`.
    pub format: String,
    /// Plan format version.
    pub version: u32,
    /// Scenario name.
    pub scenario: String,
    /// How the solve ended: `optimal`, `feasible` (time limit, with a gap), `infeasible`,
    /// `unbounded`, `time_limit_no_solution` or `error`.
    pub status: SolveStatus,
    /// What the status means, in words.
    pub status_message: String,
    /// Discounted total cost, USD (the objective), including reservation and take-or-pay
    /// payments and the full terms of commitments made in the horizon.
    pub objective_usd: f64,
    /// Undiscounted cost inside the horizon, USD.
    pub total_cost_usd: f64,
    /// Relative gap between the plan and the best bound (0 when proven optimal).
    pub mip_gap: f64,
    /// Period labels, in order.
    pub periods: Vec<String>,
    /// Undiscounted cost by provider, USD.
    pub cost_by_provider: BTreeMap<String, f64>,
    /// Undiscounted cost by chip vendor, USD.
    pub cost_by_vendor: BTreeMap<String, f64>,
    /// Undiscounted cost by accelerator, USD.
    pub cost_by_chip: BTreeMap<String, f64>,
    /// Undiscounted cost by calendar year, USD.
    pub cost_by_year: BTreeMap<String, f64>,
    /// Undiscounted cost per period, USD.
    pub cost_by_period: Vec<f64>,
    /// Share of compute spend by vendor.
    pub vendor_share: BTreeMap<String, f64>,
    /// Share of compute spend by provider.
    pub provider_share: BTreeMap<String, f64>,
    /// Capacity bought or held, per offering and period.
    pub capacity: Vec<CapacityLine>,
    /// Commitments started (reservations, savings plans, negotiated terms, owned hardware).
    pub cohorts: Vec<CohortLine>,
    /// Training runs.
    pub training: Vec<TrainingLine>,
    /// Inference demands.
    pub inference: Vec<InferenceLine>,
    /// Spend commitments.
    pub commitments: Vec<CommitmentLine>,
    /// Workloads that could not be given any option (why a plan is infeasible).
    pub unplaceable: Vec<String>,
    /// What binds and what it costs, largest effect first (with `--explain`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanations: Vec<Binding>,
    /// When the plan is infeasible: sets of relaxations, each of which makes it feasible
    /// (with `--explain`, or always when infeasible).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relaxations: Vec<Relaxation>,
}

/// A binding constraint and what it costs: its shadow price in business terms.
///
/// From the duals of the LP at the plan's integral choices. Degenerate LPs have several
/// valid duals, so each is *a* shadow price: the rate at which the discounted cost would fall
/// if the constraint were relaxed a little.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Binding {
    /// `availability`, `vendor_cap`, `provider_cap`, `power`, `budget`, `commitment`,
    /// `training_work`, `inference_demand` or `cluster_size`.
    pub kind: String,
    /// What it is, in the scenario's words (the ramp's offering, the vendor, the run).
    pub subject: String,
    /// Period or year it applies to, when it has one.
    pub period: Option<String>,
    /// Discounted USD saved per unit of relaxation (see `unit`).
    pub shadow_price_usd: f64,
    /// The unit of relaxation: `chip`, `share point`, `MW`, `USD`, `billion tokens`.
    pub unit: String,
    /// Discounted USD saved by a natural step of relaxation (1,000 chips, one share point,
    /// 100 MW, $1B, 1% of the work): the ranking key.
    pub effect_usd: f64,
    /// The sentence a planner reads aloud.
    pub message: String,
    /// The lowest value of the constraint's limit (in its own terms: USD of budget or of the
    /// commitment's obligation, MW or chips in its most valuable period) at which this shadow
    /// price still holds, from HiGHS's ranging; absent when unbounded or not computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds_from: Option<f64>,
    /// The highest such value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds_to: Option<f64>,
}

/// A set of changes to the scenario that makes an infeasible plan feasible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Relaxation {
    /// The changes, all needed together.
    pub changes: Vec<Change>,
    /// What the plan would then cost (discounted USD), excluding the relaxation itself; 0 when
    /// not computed (a workload with no option at all).
    pub objective_usd: f64,
}

/// One change to the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// `deadline`, `availability`, `vendor_cap`, `provider_cap`, `power`, `budget`,
    /// `exclusivity`.
    pub kind: String,
    /// What changes, in the scenario's words.
    pub subject: String,
    /// Period or year, when it has one.
    pub period: Option<String>,
    /// The value in the scenario.
    pub from: String,
    /// The value that makes it feasible.
    pub to: String,
    /// The sentence a planner reads aloud.
    pub message: String,
}

/// Chips of one offering in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapacityLine {
    /// Offering id.
    pub offering: String,
    /// Provider id.
    pub provider: String,
    /// Accelerator id.
    pub chip: String,
    /// Period label.
    pub period: String,
    /// Chips provisioned (average over the period), including reservations already held.
    pub chips: f64,
    /// Of which held through scenario reservations.
    pub reserved_chips: f64,
    /// Price per chip-hour paid, USD.
    pub usd_per_chip_hour: f64,
    /// Cost in the period, USD.
    pub cost_usd: f64,
}

/// A term commitment started in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CohortLine {
    /// Offering id.
    pub offering: String,
    /// First period.
    pub start: String,
    /// Term, months.
    pub term_months: u32,
    /// Chips.
    pub chips: f64,
}

/// Where and when a training run runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrainingLine {
    /// Run name.
    pub name: String,
    /// Provider id ("" when not placed).
    pub provider: String,
    /// Accelerator id.
    pub chip: String,
    /// Largest number of chips in any period.
    pub chips: f64,
    /// First period with chips.
    pub start: String,
    /// Last period with chips.
    pub finish: String,
    /// Chip-hours used.
    pub chip_hours: f64,
    /// Chips per period (period label → chips).
    pub chips_by_period: BTreeMap<String, f64>,
}

/// How an inference demand is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InferenceLine {
    /// Demand name.
    pub name: String,
    /// Tokens served over the horizon.
    pub tokens: f64,
    /// Serving mix over the horizon.
    pub mix: Vec<ServingShare>,
    /// Chips serving per provider/chip and period.
    pub chips_by_period: Vec<ServingChips>,
}

/// One part of a serving mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServingShare {
    /// Provider id.
    pub provider: String,
    /// Accelerator id.
    pub chip: String,
    /// Share of the tokens served (which may exceed the demand where capacity is paid anyway).
    pub token_share: f64,
    /// Chip-hours used.
    pub chip_hours: f64,
}

/// Chips serving a demand from one pool in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServingChips {
    /// Provider id.
    pub provider: String,
    /// Accelerator id.
    pub chip: String,
    /// Period label.
    pub period: String,
    /// Chips (average over the period).
    pub chips: f64,
}

/// A spend commitment's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentLine {
    /// Commitment name.
    pub name: String,
    /// Provider id.
    pub provider: String,
    /// Part of the commitment that falls inside the horizon, USD.
    pub obligation_usd: f64,
    /// Spend counted toward it, USD.
    pub spend_usd: f64,
    /// Take-or-pay shortfall paid, USD: the unspent obligation, or the top-ups to a monthly
    /// minimum.
    pub shortfall_usd: f64,
    /// The shortfall by period (one value per period of the plan), USD.
    #[serde(default)]
    pub shortfall_by_period_usd: Vec<f64>,
    /// Spend / obligation.
    pub utilisation: f64,
    /// The spend counted toward a commitment with a minimum, by chip of its provider and
    /// period (docs/model.md, constraint 6): each dollar counts toward at most one commitment,
    /// so the attributions of one chip and period sum to at most its spend. Empty for a
    /// commitment without a minimum, whose spend is all the spend it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attribution: Vec<AttributedSpend>,
}

/// Spend on one chip of a commitment's provider in one period, counted toward the commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttributedSpend {
    /// Accelerator id.
    pub chip: String,
    /// Period label.
    pub period: String,
    /// USD counted toward the commitment.
    pub usd: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_written_as_the_words_plans_always_had() {
        for status in [
            SolveStatus::Optimal,
            SolveStatus::Feasible,
            SolveStatus::Infeasible,
            SolveStatus::Unbounded,
            SolveStatus::TimeLimitNoSolution,
            SolveStatus::Error,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<SolveStatus>(&json).unwrap(), status);
        }
    }
}
